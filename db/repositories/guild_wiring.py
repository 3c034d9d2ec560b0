"""The roles and channels each server uses, by ID (written at set-up, read at start-up)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import GuildWiringEntry


async def load(session: AsyncSession, guild_id: int) -> dict[str, tuple[str, int]]:
    """key -> (the configured name it was found for, its ID)."""
    rows = await session.execute(select(GuildWiringEntry).where(GuildWiringEntry.guild_id == guild_id))
    return {row.key: (row.configured, row.target_id) for row in rows.scalars()}


async def target_id(session: AsyncSession, guild_id: int, key: str) -> int | None:
    row = await session.get(GuildWiringEntry, (guild_id, key))
    return None if row is None else row.target_id


async def store(session: AsyncSession, guild_id: int, entries: Mapping[str, tuple[str, int]]) -> None:
    """Replace the server's entries with `entries` (a few rows, once per start)."""
    current = await load(session, guild_id)
    gone = [key for key in current if key not in entries]
    if gone:
        await session.execute(delete(GuildWiringEntry).where(GuildWiringEntry.guild_id == guild_id,
                                                             GuildWiringEntry.key.in_(gone)))
    for key, (configured, target) in entries.items():
        if current.get(key) == (configured, target):
            continue
        row = await session.get(GuildWiringEntry, (guild_id, key))
        if row is None:
            session.add(GuildWiringEntry(guild_id=guild_id, key=key, configured=configured, target_id=target))
        else:
            row.configured, row.target_id = configured, target
    await session.flush()
