"""COI repositories on SQLite and PostgreSQL: atomic note-taker claim and waiting-room end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.repositories import coi as repo
from db.repositories import coi_tags

NOW = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


async def test_notetaker_claim_is_atomic_under_concurrency(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        meeting = await repo.create_meeting(session, guild_id=1, channel_id=2, started_by=3, started_at=NOW)

    async def claim(user_id: int) -> bool:
        async with sessions() as session, session.begin():
            return await repo.claim_notetaker(session, meeting.id, user_id)

    results = await asyncio.gather(*(claim(100 + i) for i in range(8)))
    assert sorted(results) == [False] * 7 + [True]
    async with sessions() as session:
        stored = await repo.get_meeting(session, meeting.id)
    assert stored is not None and stored.notetaker_id == 100 + results.index(True)


async def test_ended_meeting_cannot_be_claimed_or_ended_twice(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        meeting = await repo.create_meeting(session, guild_id=1, channel_id=2, started_by=3, started_at=NOW)
        assert await repo.end_meeting(session, meeting.id, NOW)
        assert not await repo.end_meeting(session, meeting.id, NOW)
        assert not await repo.claim_notetaker(session, meeting.id, 9)
        assert await repo.active_meeting(session, 1, 2) is None


async def test_waiting_room_lifecycle(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        room = await repo.create_waiting_room(
            session, guild_id=1, channel_id=2, category_keys=["funders"],
            previous_overwrites={"10": None, "11": {"allow": 4, "deny": 8}}, started_by=3, reason=None,
            started_at=NOW, expires_at=NOW + timedelta(minutes=60))
        await repo.set_moved_members(session, room.id, [555, 666])
    async with sessions() as session:
        active = await repo.active_waiting_room(session, 1, 2)
        assert active is not None and active.moved_member_ids == [555, 666]
        assert active.previous_overwrites == {"10": None, "11": {"allow": 4, "deny": 8}}
        assert await repo.due_waiting_rooms(session, NOW + timedelta(minutes=59)) == []
        assert [r.id for r in await repo.due_waiting_rooms(session, NOW + timedelta(minutes=60))] == [room.id]

    async def end() -> bool:
        async with sessions() as session, session.begin():
            return await repo.claim_end(session, room.id, NOW)

    assert sorted(await asyncio.gather(end(), end(), end())) == [False, False, True]
    async with sessions() as session, session.begin():
        assert await repo.active_waiting_room(session, 1, 2) is None
        await repo.unclaim_end(session, room.id)
    async with sessions() as session, session.begin():
        assert await repo.active_waiting_room(session, 1, 2) is not None
        await repo.delete_waiting_room(session, room.id)
    async with sessions() as session:
        assert await repo.get_waiting_room(session, room.id) is None


async def test_tags_round_trip(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        assert await coi_tags.set_tags(session, 1, 7, {"funders", "pharma"}, at=NOW) == ({"funders", "pharma"}, set())
        assert await coi_tags.set_tags(session, 1, 7, {"pharma"}) == (set(), {"funders"})
        assert await coi_tags.tags_of(session, 1, 7) == {"pharma"}
        assert [(t.user_id, t.category_key) for t in await coi_tags.holders(session, 1)] == [(7, "pharma")]
