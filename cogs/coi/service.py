"""Conflicts of interest: the use cases, on plain values (no discord import).

Tags, the moderators' list, the meeting opening and the waiting room's stored state. The
service owns the sessions, the clock and the content; the cogs do what only Discord can do
(roles, overwrites, moving people, posting) and call this for everything that is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content
from bot.errors import BadInput, Conflict, NotFound
from bot.i18n import server_language, t, t_server
from cogs.coi import logic, texts
from db.models import Meeting, WaitingRoom
from db.repositories import audit, coi_tags
from db.repositories import coi as repo

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    channel_id: int
    opening_message_id: int | None
    notetaker_id: int | None
    ended: bool
    kind: str = "other"


@dataclass(frozen=True)
class NotetakerClaim:
    """The outcome of an "I'll take notes" click."""

    won: bool
    ended: bool
    notetaker_id: int | None


@dataclass(frozen=True)
class RoomInfo:
    id: int
    guild_id: int
    channel_id: int
    previous: dict[int, logic.Pair | None]
    moved_member_ids: tuple[int, ...]


def _meeting(row: Meeting) -> MeetingInfo:
    return MeetingInfo(row.id, row.channel_id, row.opening_message_id, row.notetaker_id, row.ended_at is not None,
                       row.kind)


def _room(row: WaitingRoom) -> RoomInfo:
    return RoomInfo(row.id, row.guild_id, row.channel_id, logic.decode_previous(row.previous_overwrites),
                    tuple(int(uid) for uid in row.moved_member_ids))


class CoiService:
    def __init__(self, sessions: Sessions, clock: Clock, content: Content) -> None:
        self.sessions = sessions
        self.clock = clock
        self.content = content

    # --- categories and tags -----------------------------------------------------------------

    def categories(self, language: str | None = None) -> list[logic.Category]:
        """The categories in `language` (default: the current reader's). Keys are the same in every
        language; only the labels are translated."""
        return [logic.Category(c.key, c.label, c.display) for c in self.content.localized(language).coi_categories]

    def server_categories(self) -> list[logic.Category]:
        """For what moderators and shared channels read: the server's language."""
        return self.categories(server_language())

    def known(self, values: Iterable[str]) -> set[str]:
        """Only the content's categories count: a forged select value is dropped."""
        keys = {c.key for c in self.content.coi_categories}
        return {v for v in values if v in keys}

    async def tags_of(self, guild_id: int, user_id: int) -> set[str]:
        async with self.sessions() as session:
            return await coi_tags.tags_of(session, guild_id, user_id)

    async def save_tags(self, guild_id: int, user_id: int, wanted: set[str],
                        while_open: Callable[[], Awaitable[None]] | None = None) -> set[str]:
        """Store exactly `wanted`; returns the tags stored before. `while_open` (the role change)
        runs before the commit, so when it raises nothing is stored either."""
        async with self.sessions() as session, session.begin():
            before = await coi_tags.tags_of(session, guild_id, user_id)
            await coi_tags.set_tags(session, guild_id, user_id, wanted, at=self.clock.now())
            if while_open is not None:
                await while_open()
        return before

    def list_categories(self, category: str | None) -> list[logic.Category]:
        """The categories /mod-coi list shows: all, or the one named (BadInput when unknown)."""
        categories = self.server_categories()
        if not category:
            return categories
        found = logic.match_category(category, categories)
        if found is None:
            raise BadInput(t_server(texts.UNKNOWN_LIST_CATEGORY,
                category=category[:40], choices=t_server(texts.LIST_SEPARATOR).join(c.display for c in categories)))
        return [found]

    async def declared(self, guild_id: int, chosen: list[logic.Category]) -> dict[str, set[int]]:
        """category key -> who declared it (stored tags)."""
        async with self.sessions() as session:
            rows = await coi_tags.holders(session, guild_id, None if len(chosen) > 1 else chosen[0].key)
        by_key: dict[str, set[int]] = {c.key: set() for c in chosen}
        for row in rows:
            if row.category_key in by_key:
                by_key[row.category_key].add(row.user_id)
        return by_key

    # --- meetings --------------------------------------------------------------------------------

    async def open_meeting(self, guild_id: int, channel_id: int, moderator_id: int, channel_label: str,
                           kind: str = "other") -> int:
        """`kind`: "monthly" for a monthly Coalition meeting (attendance counts), else "other"."""
        if kind not in logic.MEETING_KINDS:
            raise BadInput(t_server(texts.UNKNOWN_MEETING_KIND))
        async with self.sessions() as session, session.begin():
            if await repo.active_meeting(session, guild_id, channel_id) is not None:
                raise Conflict(t_server(texts.MEETING_ALREADY_OPEN, channel=channel_label))
            meeting = await repo.create_meeting(session, guild_id=guild_id, channel_id=channel_id,
                                                started_by=moderator_id, started_at=self.clock.now(), kind=kind)
            return meeting.id

    async def forget_meeting(self, meeting_id: int) -> None:
        """The opening could not be posted: the meeting never started."""
        async with self.sessions() as session, session.begin():
            await repo.delete_meeting(session, meeting_id)

    async def opening_posted(self, guild_id: int, meeting_id: int, message_id: int, moderator_id: int,
                             channel_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_opening_message(session, meeting_id, message_id)
            await audit.record(session, guild_id, moderator_id, "coi.meeting.start", f"channel:{channel_id}",
                               at=self.clock.now())

    async def meeting_to_end(self, guild_id: int, channel_id: int | None, here_id: int | None,
                             channel_label: str | None) -> MeetingInfo:
        """The one open meeting meant: in `channel`, else here, else the only one open."""
        async with self.sessions() as session:
            if channel_id is not None:
                found = await repo.active_meeting(session, guild_id, channel_id)
                meetings = [found] if found is not None else []
            else:
                found = await repo.active_meeting(session, guild_id, here_id) if here_id else None
                meetings = [found] if found is not None else list(await repo.active_meetings(session, guild_id))
        if not meetings:
            raise NotFound(t_server(texts.NO_MEETING_HERE, channel=channel_label) if channel_label is not None
                           else t_server(texts.NO_MEETING))
        if len(meetings) > 1:
            raise BadInput(t_server(texts.SEVERAL_MEETINGS,
                channels=t_server(texts.LIST_SEPARATOR).join(f"<#{m.channel_id}>" for m in meetings)))
        return _meeting(meetings[0])

    async def end_meeting(self, guild_id: int, meeting_id: int, moderator_id: int) -> MeetingInfo:
        """Close it (Conflict when someone already did); returns its final state."""
        async with self.sessions() as session, session.begin():
            if not await repo.end_meeting(session, meeting_id, self.clock.now()):
                raise Conflict(t_server(texts.MEETING_ALREADY_CLOSED))
            meeting = await repo.get_meeting(session, meeting_id)
            assert meeting is not None  # just ended in this transaction
            await audit.record(session, guild_id, moderator_id, "coi.meeting.end", f"channel:{meeting.channel_id}",
                               at=self.clock.now())
            return _meeting(meeting)

    async def claim_notetaker(self, meeting_id: int, user_id: int) -> NotetakerClaim:
        """The first click wins (one conditional UPDATE), so two at once cannot both take notes."""
        async with self.sessions() as session, session.begin():
            won = await repo.claim_notetaker(session, meeting_id, user_id)
            meeting = await repo.get_meeting(session, meeting_id)
        if meeting is None:
            raise NotFound(t(texts.MEETING_GONE))  # to the person who clicked
        return NotetakerClaim(won, meeting.ended_at is not None, meeting.notetaker_id)

    # --- the waiting room ---------------------------------------------------------------------------

    def parse_room_request(self, categories: str, minutes: int | None, default_minutes: int) -> tuple[list[str], int]:
        try:
            return (logic.parse_categories(categories, self.server_categories()),
                    logic.validate_minutes(minutes, default_minutes))
        except logic.CoiError as exc:
            raise BadInput(str(exc)) from None

    async def store_room(self, guild_id: int, channel_id: int, channel_label: str, keys: list[str],
                         previous: Mapping[int, logic.Pair | None], to_move: list[int], moderator_id: int,
                         reason: str | None, minutes: int) -> int:
        """Stored before Discord is touched, with who is about to be moved, so a restart mid-way
        can still restore the channel and move them back."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            if await repo.active_waiting_room(session, guild_id, channel_id) is not None:
                raise Conflict(t_server(texts.ROOM_ALREADY_ON, channel=channel_label))
            room = await repo.create_waiting_room(
                session, guild_id=guild_id, channel_id=channel_id, category_keys=keys,
                previous_overwrites=logic.encode_previous(previous), started_by=moderator_id, reason=reason,
                started_at=now, expires_at=logic.expiry(now, minutes))
            await repo.set_moved_members(session, room.id, to_move)
            return room.id

    async def set_moved(self, room_id: int, member_ids: list[int]) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_moved_members(session, room_id, member_ids)

    async def forget_room(self, room_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.delete_waiting_room(session, room_id)

    async def room_started(self, guild_id: int, moderator_id: int, channel_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await audit.record(session, guild_id, moderator_id, "coi.waitingroom.start", f"channel:{channel_id}",
                               at=self.clock.now())

    async def active_room(self, guild_id: int, channel_id: int, channel_label: str) -> int:
        async with self.sessions() as session:
            room = await repo.active_waiting_room(session, guild_id, channel_id)
        if room is None:
            raise NotFound(t_server(texts.NO_ROOM_TO_END, channel=channel_label))
        return room.id

    async def due_rooms(self) -> list[tuple[int, int]]:
        """(guild, room) of every waiting room whose time is up."""
        async with self.sessions() as session:
            return [(r.guild_id, r.id) for r in await repo.due_waiting_rooms(session, self.clock.now())]

    async def room(self, room_id: int) -> RoomInfo:
        async with self.sessions() as session:
            room = await repo.get_waiting_room(session, room_id)
        if room is None:
            raise Conflict(t_server(texts.ROOM_GONE))
        return _room(room)

    async def claim_end(self, room_id: int) -> None:
        """Only one ender (a moderator, or expiry) goes on; the others get Conflict."""
        async with self.sessions() as session, session.begin():
            if not await repo.claim_end(session, room_id, self.clock.now()):
                raise Conflict(t_server(texts.ROOM_ALREADY_ENDED))

    async def unclaim_end(self, room_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.unclaim_end(session, room_id)

    async def room_ended(self, guild_id: int, room_id: int, channel_id: int, actor_id: int | None) -> None:
        action = "coi.waitingroom.end" if actor_id is not None else "coi.waitingroom.expire"
        async with self.sessions() as session, session.begin():
            await repo.set_moved_members(session, room_id, [])  # no longer needed once it has ended
            await audit.record(session, guild_id, actor_id, action, f"channel:{channel_id}", at=self.clock.now())
