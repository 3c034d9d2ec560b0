"""Confidential spaces, sticky-reminder and voice-meeting state, recording exceptions.

Small async functions that take a session. Nothing here ever sees message content:
sticky reminders are tracked by message ID and a count only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ConfidentialSpace, RecordingException, StickyReminder, VoiceMeetingState

# --- marked spaces ----------------------------------------------------------------------------


async def marked_ids(session: AsyncSession, guild_id: int) -> set[int]:
    query = select(ConfidentialSpace.target_id).where(ConfidentialSpace.guild_id == guild_id)
    return set((await session.execute(query)).scalars())


async def list_spaces(session: AsyncSession, guild_id: int) -> Sequence[ConfidentialSpace]:
    query = (
        select(ConfidentialSpace)
        .where(ConfidentialSpace.guild_id == guild_id)
        .order_by(ConfidentialSpace.added_at, ConfidentialSpace.target_id)
    )
    return (await session.execute(query)).scalars().all()


async def add_space(
    session: AsyncSession, guild_id: int, target_id: int, kind: str, added_by: int, at: datetime
) -> bool:
    """Mark a space; False when it was already marked."""
    existing = await session.get(ConfidentialSpace, (guild_id, target_id))
    if existing is not None:
        return False
    session.add(ConfidentialSpace(guild_id=guild_id, target_id=target_id, target_kind=kind, added_by=added_by,
                                  added_at=at))
    await session.flush()
    return True


async def remove_space(session: AsyncSession, guild_id: int, target_id: int) -> bool:
    """Unmark a space; False when it was not marked."""
    result = await session.execute(
        delete(ConfidentialSpace).where(ConfidentialSpace.guild_id == guild_id,
                                        ConfidentialSpace.target_id == target_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def forget_channel(session: AsyncSession, guild_id: int, channel_id: int) -> bool:
    """A channel was deleted: drop everything kept about it. True if it was marked itself."""
    was_marked = await remove_space(session, guild_id, channel_id)
    await session.execute(delete(StickyReminder).where(StickyReminder.guild_id == guild_id,
                                                       StickyReminder.channel_id == channel_id))
    await session.execute(delete(VoiceMeetingState).where(VoiceMeetingState.guild_id == guild_id,
                                                          VoiceMeetingState.channel_id == channel_id))
    await session.execute(delete(RecordingException).where(RecordingException.guild_id == guild_id,
                                                           RecordingException.channel_id == channel_id))
    return was_marked


# --- sticky reminders -----------------------------------------------------------------------


async def get_sticky(session: AsyncSession, guild_id: int, channel_id: int) -> StickyReminder | None:
    return await session.get(StickyReminder, (guild_id, channel_id))


async def save_sticky(
    session: AsyncSession,
    guild_id: int,
    channel_id: int,
    *,
    message_id: int | None,
    posted_at: datetime | None,
    messages_since: int,
) -> StickyReminder:
    row = await session.get(StickyReminder, (guild_id, channel_id))
    if row is None:
        row = StickyReminder(guild_id=guild_id, channel_id=channel_id)
        session.add(row)
    row.message_id = message_id
    row.posted_at = posted_at
    row.messages_since = messages_since
    await session.flush()
    return row


async def save_counts(session: AsyncSession, counts: Iterable[tuple[int, int, int]]) -> int:
    """Persist in-memory message counts: (guild_id, channel_id, messages_since). Returns rows written."""
    written = 0
    for guild_id, channel_id, count in counts:
        row = await session.get(StickyReminder, (guild_id, channel_id))
        if row is None:
            session.add(StickyReminder(guild_id=guild_id, channel_id=channel_id, message_id=None, posted_at=None,
                                       messages_since=count))
        else:
            row.messages_since = count
        written += 1
    await session.flush()
    return written


async def drop_sticky_outside(session: AsyncSession, guild_id: int, keep_channel_ids: set[int]) -> list[StickyReminder]:
    """Rows for channels that are no longer confidential (returned so their message can be removed)."""
    rows = (await session.execute(select(StickyReminder).where(StickyReminder.guild_id == guild_id))).scalars().all()
    gone = [r for r in rows if r.channel_id not in keep_channel_ids]
    for row in gone:
        await session.delete(row)
    await session.flush()
    return gone


# --- voice meetings ------------------------------------------------------------------------------


async def drop_voice_states_outside(session: AsyncSession, guild_id: int, keep_channel_ids: set[int]) -> int:
    """Forget meeting times of channels that are no longer confidential; returns how many."""
    rows = (await session.execute(select(VoiceMeetingState).where(VoiceMeetingState.guild_id == guild_id))
            ).scalars().all()
    gone = [r for r in rows if r.channel_id not in keep_channel_ids]
    for row in gone:
        await session.delete(row)
    await session.flush()
    return len(gone)


async def get_voice_state(session: AsyncSession, guild_id: int, channel_id: int) -> VoiceMeetingState | None:
    return await session.get(VoiceMeetingState, (guild_id, channel_id))


async def save_voice_state(
    session: AsyncSession, guild_id: int, channel_id: int, last_reminder_at: datetime | None,
    emptied_at: datetime | None,
) -> VoiceMeetingState:
    row = await session.get(VoiceMeetingState, (guild_id, channel_id))
    if row is None:
        row = VoiceMeetingState(guild_id=guild_id, channel_id=channel_id)
        session.add(row)
    row.last_reminder_at = last_reminder_at
    row.emptied_at = emptied_at
    await session.flush()
    return row


# --- recording exceptions ---------------------------------------------------------------------------


async def add_exception(
    session: AsyncSession,
    guild_id: int,
    channel_id: int,
    bot_user_id: int | None,
    reason_enc: bytes,
    granted_by: int,
    starts_at: datetime,
    expires_at: datetime,
    access_request_id: int | None = None,
) -> RecordingException:
    row = RecordingException(guild_id=guild_id, channel_id=channel_id, bot_user_id=bot_user_id,
                             reason_enc=reason_enc, granted_by=granted_by, starts_at=starts_at,
                             expires_at=expires_at, announced_at=starts_at, access_request_id=access_request_id)
    session.add(row)
    await session.flush()
    return row


async def active_exceptions(
    session: AsyncSession, guild_id: int, now: datetime, channel_id: int | None = None
) -> Sequence[RecordingException]:
    query = select(RecordingException).where(
        RecordingException.guild_id == guild_id,
        RecordingException.starts_at <= now,
        RecordingException.expires_at > now,
    )
    if channel_id is not None:
        query = query.where(RecordingException.channel_id == channel_id)
    return (await session.execute(query.order_by(RecordingException.expires_at))).scalars().all()


async def expired_exceptions(session: AsyncSession, now: datetime) -> Sequence[RecordingException]:
    query = select(RecordingException).where(RecordingException.expires_at <= now).order_by(
        RecordingException.expires_at)
    return (await session.execute(query)).scalars().all()


async def delete_exception(session: AsyncSession, exception: RecordingException) -> None:
    await session.delete(exception)
    await session.flush()


async def mark_announced(session: AsyncSession, exceptions: Iterable[RecordingException], at: datetime) -> None:
    """The exceptions were (about to be) announced at a meeting's start."""
    for exception in exceptions:
        exception.announced_at = at
    await session.flush()
