"""Waiting rooms and meetings (conflicts of interest feature).

Small async functions taking an AsyncSession; the caller owns the transaction.
State changes that may race (ending a waiting room, claiming the note-taker spot)
are single conditional UPDATEs, so exactly one caller wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Meeting, WaitingRoom

# --- waiting rooms ---------------------------------------------------------------------


async def active_waiting_room(session: AsyncSession, guild_id: int, channel_id: int) -> WaitingRoom | None:
    query = select(WaitingRoom).where(
        WaitingRoom.guild_id == guild_id, WaitingRoom.channel_id == channel_id, WaitingRoom.ended_at.is_(None)
    ).order_by(WaitingRoom.id.desc()).limit(1)
    return (await session.execute(query)).scalars().first()


async def active_waiting_rooms(session: AsyncSession, guild_id: int) -> Sequence[WaitingRoom]:
    query = select(WaitingRoom).where(WaitingRoom.guild_id == guild_id, WaitingRoom.ended_at.is_(None))
    return (await session.execute(query.order_by(WaitingRoom.id))).scalars().all()


async def get_waiting_room(session: AsyncSession, room_id: int) -> WaitingRoom | None:
    return await session.get(WaitingRoom, room_id)


async def create_waiting_room(
    session: AsyncSession,
    *,
    guild_id: int,
    channel_id: int,
    category_keys: list[str],
    previous_overwrites: dict[str, Any],
    started_by: int,
    reason: str | None,
    started_at: datetime,
    expires_at: datetime,
) -> WaitingRoom:
    room = WaitingRoom(
        guild_id=guild_id, channel_id=channel_id, category_keys=list(category_keys),
        previous_overwrites=dict(previous_overwrites), moved_member_ids=[], started_by=started_by,
        reason=reason, started_at=started_at, expires_at=expires_at,
    )
    session.add(room)
    await session.flush()
    return room


async def set_moved_members(session: AsyncSession, room_id: int, member_ids: Sequence[int]) -> None:
    await session.execute(
        update(WaitingRoom).where(WaitingRoom.id == room_id).values(moved_member_ids=list(member_ids))
    )


async def claim_end(session: AsyncSession, room_id: int, at: datetime) -> bool:
    """Mark the room ended; False if it had already ended (someone else won)."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(WaitingRoom).where(WaitingRoom.id == room_id, WaitingRoom.ended_at.is_(None)).values(ended_at=at)
    )
    return result.rowcount == 1


async def unclaim_end(session: AsyncSession, room_id: int) -> None:
    """Reopen a room whose end could not be applied in Discord, so it can be ended again."""
    await session.execute(update(WaitingRoom).where(WaitingRoom.id == room_id).values(ended_at=None))


async def delete_waiting_room(session: AsyncSession, room_id: int) -> None:
    """Forget a start that was rolled back (nothing of it remains in Discord)."""
    await session.execute(delete(WaitingRoom).where(WaitingRoom.id == room_id))


async def due_waiting_rooms(session: AsyncSession, now: datetime) -> Sequence[WaitingRoom]:
    query = select(WaitingRoom).where(WaitingRoom.ended_at.is_(None), WaitingRoom.expires_at <= now)
    return (await session.execute(query.order_by(WaitingRoom.expires_at))).scalars().all()


# --- meetings -------------------------------------------------------------------------------


async def create_meeting(session: AsyncSession, *, guild_id: int, channel_id: int, started_by: int,
                         started_at: datetime, kind: str = "other") -> Meeting:
    meeting = Meeting(guild_id=guild_id, channel_id=channel_id, started_by=started_by, started_at=started_at,
                      kind=kind)
    session.add(meeting)
    await session.flush()
    return meeting


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def active_meeting(session: AsyncSession, guild_id: int, channel_id: int) -> Meeting | None:
    query = select(Meeting).where(
        Meeting.guild_id == guild_id, Meeting.channel_id == channel_id, Meeting.ended_at.is_(None)
    ).order_by(Meeting.id.desc()).limit(1)
    return (await session.execute(query)).scalars().first()


async def active_meetings(session: AsyncSession, guild_id: int) -> Sequence[Meeting]:
    query = select(Meeting).where(Meeting.guild_id == guild_id, Meeting.ended_at.is_(None))
    return (await session.execute(query.order_by(Meeting.id))).scalars().all()


async def set_opening_message(session: AsyncSession, meeting_id: int, message_id: int) -> None:
    await session.execute(update(Meeting).where(Meeting.id == meeting_id).values(opening_message_id=message_id))


async def delete_meeting(session: AsyncSession, meeting_id: int) -> None:
    await session.execute(delete(Meeting).where(Meeting.id == meeting_id))


async def claim_notetaker(session: AsyncSession, meeting_id: int, user_id: int) -> bool:
    """Record `user_id` as note-taker if nobody is yet and the meeting is open. Atomic."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Meeting)
        .where(Meeting.id == meeting_id, Meeting.notetaker_id.is_(None), Meeting.ended_at.is_(None))
        .values(notetaker_id=user_id)
    )
    return result.rowcount == 1


async def end_meeting(session: AsyncSession, meeting_id: int, at: datetime) -> bool:
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Meeting).where(Meeting.id == meeting_id, Meeting.ended_at.is_(None)).values(ended_at=at)
    )
    return result.rowcount == 1
