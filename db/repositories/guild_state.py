"""When the bot last saw each server (for catching up on joins missed while it was down), and
the welcome channel's "Start here" message it keeps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import GuildState


async def seen(session: AsyncSession, guild_id: int) -> tuple[datetime, datetime] | None:
    """(first seen, last seen), or None for a server the bot has never seen."""
    row = await session.get(GuildState, guild_id)
    return None if row is None else (row.first_seen_at, row.last_seen_at)


async def touch(session: AsyncSession, guild_id: int, now: datetime) -> None:
    row = await session.get(GuildState, guild_id)
    if row is None:
        session.add(GuildState(guild_id=guild_id, first_seen_at=now, last_seen_at=now))
    else:
        row.last_seen_at = now
    await session.flush()


async def start_here_message(session: AsyncSession, guild_id: int) -> int | None:
    row = await session.get(GuildState, guild_id)
    return None if row is None else row.start_here_message_id


async def set_start_here_message(session: AsyncSession, guild_id: int, message_id: int | None,
                                 now: datetime) -> None:
    row = await session.get(GuildState, guild_id)
    if row is None:
        session.add(GuildState(guild_id=guild_id, first_seen_at=now, last_seen_at=now,
                               start_here_message_id=message_id))
    else:
        row.start_here_message_id = message_id
    await session.flush()
