"""Confidential spaces: the use cases, on plain values (no discord import).

Which spaces are marked, the sticky reminders' counts, the voice meetings' state, and the
recording exceptions. The cogs do what only Discord can (post, delete, disconnect) and call
this for everything that is decided or stored.

The write-behind copy (why, and what holds): a sticky reminder counts every message in a
confidential text channel, so counts live in memory (`StickyCounter`, IDs, a time and a count,
never content) and are written by `flush_counts()` every minute and at unload, never one write
per message; a crash loses at most a minute of counting (the next reminder just comes a little
later). A reminder's message ID and time are written at once when it is reposted. The marked
set per server is cached and changed only here, by the same calls that write it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.errors import BadInput
from bot.locks import KeyedLocks
from bot.settings import ConfidentialSection
from cogs.confidential import logic
from cogs.confidential.logic import BotVerdict, ChannelPlace, ExceptionWindow, StickyRule, VoiceMeeting
from db.crypto import DataCipher
from db.models import RecordingException
from db.repositories import audit
from db.repositories import confidential as repo

Sessions = async_sessionmaker[AsyncSession]


@dataclass
class StickyCounter:
    """In-memory sticky-reminder state for one channel (IDs, a time and a count; no content)."""

    message_id: int | None
    posted_at: datetime | None
    count: int
    dirty: bool = False


@dataclass(frozen=True)
class Recording:
    """A recording exception as the cogs show it (the reason only when asked for, decrypted)."""

    guild_id: int
    channel_id: int
    bot_user_id: int | None
    expires_at: datetime
    reason: str | None = None


def _recording(row: RecordingException, reason: str | None = None) -> Recording:
    return Recording(row.guild_id, row.channel_id, row.bot_user_id, row.expires_at, reason)


class ConfidentialService:
    def __init__(self, sessions: Sessions, clock: Clock, settings: ConfidentialSection, cipher: DataCipher) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.cipher = cipher
        self._marked: dict[int, set[int]] = {}
        self._sticky: dict[tuple[int, int], StickyCounter] = {}
        self._locks: KeyedLocks[tuple[int, int]] = KeyedLocks()

    def lock(self, guild_id: int, channel_id: int) -> AbstractAsyncContextManager[None]:
        """One change at a time per channel (its counter, its reminder, its voice meeting)."""
        return self._locks.hold((guild_id, channel_id))

    # --- marked spaces ------------------------------------------------------------------------------

    async def marked(self, guild_id: int) -> set[int]:
        cached = self._marked.get(guild_id)
        if cached is None:
            async with self.sessions() as session:
                cached = await repo.marked_ids(session, guild_id)
            self._marked[guild_id] = cached
        return cached

    async def is_confidential(self, guild_id: int, place: ChannelPlace) -> bool:
        marked = await self.marked(guild_id)
        return bool(marked) and logic.is_confidential(place, marked)

    async def add_space(self, guild_id: int, target_id: int, kind: str, moderator_id: int) -> bool:
        """Mark it; False when it already was."""
        async with self.sessions() as session, session.begin():
            added = await repo.add_space(session, guild_id, target_id, kind, moderator_id, self.clock.now())
            if added:
                await audit.record(session, guild_id, moderator_id, "confidential.add", f"channel:{target_id}")
        (await self.marked(guild_id)).add(target_id)
        return added

    async def remove_space(self, guild_id: int, target_id: int, moderator_id: int) -> bool:
        """Unmark it; False when it was not marked itself."""
        async with self.sessions() as session, session.begin():
            removed = await repo.remove_space(session, guild_id, target_id)
            if removed:
                await audit.record(session, guild_id, moderator_id, "confidential.remove", f"channel:{target_id}")
        if removed:
            (await self.marked(guild_id)).discard(target_id)
        return removed

    async def spaces(self, guild_id: int) -> list[tuple[int, str]]:
        """(target, kind) of every marked space."""
        async with self.sessions() as session:
            return [(s.target_id, s.target_kind) for s in await repo.list_spaces(session, guild_id)]

    async def drop_outside(self, guild_id: int, keep: set[int]) -> list[tuple[int, int | None]]:
        """After an unmark: forget the state of channels no longer confidential; returns their
        (channel, reminder message) so the cog can delete the reminders."""
        async with self.sessions() as session, session.begin():
            rows = await repo.drop_sticky_outside(session, guild_id, keep)
            await repo.drop_voice_states_outside(session, guild_id, keep)
        for row in rows:
            self._sticky.pop((guild_id, row.channel_id), None)
        return [(row.channel_id, row.message_id) for row in rows]

    async def forget_channel(self, guild_id: int, channel_id: int) -> None:
        """The channel (or thread) was deleted: nothing of it is kept."""
        marked = await self.marked(guild_id)
        if not marked and (guild_id, channel_id) not in self._sticky:
            return
        async with self.sessions() as session, session.begin():
            was_marked = await repo.forget_channel(session, guild_id, channel_id)
            if was_marked:
                await audit.record(session, guild_id, None, "confidential.channel_deleted", f"channel:{channel_id}")
        marked.discard(channel_id)
        self._sticky.pop((guild_id, channel_id), None)

    # --- sticky reminders (call under `lock`) ------------------------------------------------------

    async def count_message(self, guild_id: int, channel_id: int) -> bool:
        """One more message in a confidential text channel; True when the reminder is due again."""
        counter = self._sticky.get((guild_id, channel_id))
        if counter is None:
            async with self.sessions() as session:
                row = await repo.get_sticky(session, guild_id, channel_id)
            counter = StickyCounter(row.message_id if row else None, row.posted_at if row else None,
                                    row.messages_since if row else 0)
            self._sticky[(guild_id, channel_id)] = counter
        counter.count += 1
        counter.dirty = True
        rule = StickyRule(self.settings.every_messages, self.settings.every_hours)
        return logic.sticky_due(counter.count, counter.posted_at, self.clock.now(), rule)

    def start_repost(self, guild_id: int, channel_id: int) -> int | None:
        """The count starts again now; returns the reminder to delete first (None: none)."""
        counter = self._sticky[(guild_id, channel_id)]
        counter.count, counter.posted_at, counter.dirty = 0, self.clock.now(), False
        return counter.message_id

    async def reminder_now(self, guild_id: int, channel_id: int, message_id: int | None) -> None:
        """Store which reminder is posted now (None: the old one is gone and no new one could be posted)."""
        counter = self._sticky[(guild_id, channel_id)]
        counter.message_id = message_id
        await self.keep_reminder(guild_id, channel_id)

    async def keep_reminder(self, guild_id: int, channel_id: int) -> None:
        """Store the channel's reminder state as it is (the old reminder stays, e.g. it could not be deleted)."""
        counter = self._sticky[(guild_id, channel_id)]
        async with self.sessions() as session, session.begin():
            await repo.save_sticky(session, guild_id, channel_id, message_id=counter.message_id,
                                   posted_at=counter.posted_at, messages_since=counter.count)
        counter.dirty = False

    def message_count(self, guild_id: int, channel_id: int) -> int | None:
        """Messages counted since the last reminder in a channel (None: not tracked in memory)."""
        counter = self._sticky.get((guild_id, channel_id))
        return counter.count if counter else None

    def reminder_message_id(self, guild_id: int, channel_id: int) -> int | None:
        counter = self._sticky.get((guild_id, channel_id))
        return counter.message_id if counter else None

    async def flush_counts(self) -> int:
        """Write changed in-memory counts to the database; returns how many channels were saved."""
        dirty = [(gid, cid, c.count) for (gid, cid), c in self._sticky.items() if c.dirty]
        if not dirty:
            return 0
        async with self.sessions() as session, session.begin():
            await repo.save_counts(session, dirty)
        for gid, cid, count in dirty:
            counter = self._sticky.get((gid, cid))
            if counter is not None and counter.count == count:
                counter.dirty = False
        return len(dirty)

    # --- voice meetings -------------------------------------------------------------------------------

    async def first_joined(self, guild_id: int, channel_id: int) -> list[Recording] | None:
        """Someone joined the empty channel. None: not a new meeting (it stood empty too briefly);
        else the meeting starts and these recording exceptions are announced with the reminders."""
        now = self.clock.now()
        quiet = timedelta(minutes=self.settings.voice_quiet_minutes)
        async with self.lock(guild_id, channel_id), self.sessions() as session, session.begin():
            row = await repo.get_voice_state(session, guild_id, channel_id)
            state = VoiceMeeting(row.last_reminder_at, row.emptied_at) if row else VoiceMeeting()
            starts, new = logic.on_first_join(state, now, quiet)
            await repo.save_voice_state(session, guild_id, channel_id, new.last_reminder_at, new.emptied_at)
            if not starts:
                return None
            exceptions = await repo.active_exceptions(session, guild_id, now, channel_id)
            await repo.mark_announced(session, exceptions, now)
            return [_recording(row) for row in exceptions]

    async def emptied(self, guild_id: int, channel_id: int, anyone_back: Callable[[], bool]) -> None:
        async with self.lock(guild_id, channel_id):
            if anyone_back():
                return  # someone came back meanwhile
            async with self.sessions() as session, session.begin():
                row = await repo.get_voice_state(session, guild_id, channel_id)
                state = VoiceMeeting(row.last_reminder_at, row.emptied_at) if row else VoiceMeeting()
                new = logic.on_emptied(state, self.clock.now())
                await repo.save_voice_state(session, guild_id, channel_id, new.last_reminder_at, new.emptied_at)

    # --- bots and recording exceptions ---------------------------------------------------------------

    async def verdict(self, guild_id: int, channel_id: int, bot_id: int) -> BotVerdict:
        """May this bot stay in this confidential channel now?"""
        now = self.clock.now()
        async with self.sessions() as session:
            rows = await repo.active_exceptions(session, guild_id, now, channel_id)
        windows = [ExceptionWindow(r.channel_id, r.bot_user_id, r.starts_at, r.expires_at) for r in rows]
        return logic.judge_bot(bot_id, channel_id, self.settings.allowed_bot_ids, windows, now)

    async def bot_disconnected(self, guild_id: int, me_id: int | None, bot_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await audit.record(session, guild_id, me_id, "confidential.bot_disconnected", f"user:{bot_id}")

    def check_request(self, minutes: int, reason: str) -> str:
        try:
            return logic.check_recording_request(minutes, reason)
        except logic.RecordingRequestError as exc:
            raise BadInput(str(exc)) from None

    async def allow(self, guild_id: int, channel_id: int, bot_id: int | None, reason: str, moderator_id: int,
                    minutes: int, *, access_request_id: int | None = None) -> Recording:
        """Grant a recording exception (the reason is stored encrypted). `access_request_id`: the access
        request it was granted from (/access request), so the "discussed with staff" condition is on record."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            row = await repo.add_exception(session, guild_id, channel_id, bot_id, self.cipher.encrypt(reason),
                                           moderator_id, now, now + timedelta(minutes=minutes),
                                           access_request_id=access_request_id)
            await audit.record(session, guild_id, moderator_id, "recording.allow", f"channel:{channel_id}")
            return _recording(row)

    async def active(self, guild_id: int, *, with_reasons: bool) -> list[Recording]:
        async with self.sessions() as session:
            rows = await repo.active_exceptions(session, guild_id, self.clock.now())
        return [_recording(r, self.cipher.decrypt(r.reason_enc) if with_reasons else None) for r in rows]

    async def expire(self, owned: Callable[[int], bool]) -> list[Recording]:
        """End the exceptions whose time is up, in the servers this process has (`owned`): another
        process would delete the row but could not announce the end in the channel nor remove the
        recording bot (its server is not in its cache)."""
        async with self.sessions() as session, session.begin():
            rows = [r for r in await repo.expired_exceptions(session, self.clock.now()) if owned(r.guild_id)]
            ended = [_recording(r) for r in rows]
            for row in rows:
                await audit.record(session, row.guild_id, None, "recording.expired", f"channel:{row.channel_id}")
                await repo.delete_exception(session, row)
        return ended
