"""The moderators' audit log: append and read, never edit (IDs and action names only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry


async def record(
    session: AsyncSession,
    guild_id: int,
    actor_id: int | None,
    action: str,
    subject: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry. `subject` is "kind:id" (e.g. "case:12"); never put user text here."""
    entry = AuditEntry(guild_id=guild_id, actor_id=actor_id, action=action, subject=subject)
    if at is not None:
        entry.created_at = at
    session.add(entry)
    await session.flush()
    return entry


async def recent(session: AsyncSession, guild_id: int, limit: int = 50,
                 action_prefix: str | None = None) -> Sequence[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.guild_id == guild_id)
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix))
    query = query.order_by(AuditEntry.id.desc()).limit(limit)
    return (await session.execute(query)).scalars().all()
