"""The COI service on a real database: tags, meetings and the waiting room's stored state."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content
from bot.errors import BadInput, Conflict, NotFound
from cogs.coi.service import CoiService
from db.repositories import audit

G, ALEX, SAM, MOD = 1, 11, 12, 99

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def service(sessions: Sessions, clock: Clock, content: Content) -> CoiService:
    return CoiService(sessions, clock, content)


async def test_tags_are_stored_exactly_and_forged_values_dropped(service: CoiService) -> None:
    keys = [c.key for c in service.categories()]
    wanted = service.known([keys[0], keys[1], "not-a-category"])
    assert wanted == {keys[0], keys[1]}
    assert await service.save_tags(G, ALEX, wanted) == set()
    assert await service.save_tags(G, ALEX, {keys[1]}) == {keys[0], keys[1]}
    assert await service.tags_of(G, ALEX) == {keys[1]}
    assert await service.tags_of(G, SAM) == set()


async def test_a_refused_role_change_stores_nothing(service: CoiService) -> None:
    key = service.categories()[0].key

    async def refused() -> None:
        raise RuntimeError("Discord said no")

    with pytest.raises(RuntimeError):
        await service.save_tags(G, ALEX, {key}, while_open=refused)
    assert await service.tags_of(G, ALEX) == set()


async def test_list_categories_and_holders(service: CoiService) -> None:
    first, second = service.categories()[:2]
    assert service.list_categories(None) == service.categories()
    assert service.list_categories(first.display) == [first]
    with pytest.raises(BadInput, match="I don't know the category"):
        service.list_categories("nonsense")
    await service.save_tags(G, ALEX, {first.key, second.key})
    await service.save_tags(G, SAM, {second.key})
    assert await service.declared(G, [first, second]) == {first.key: {ALEX}, second.key: {ALEX, SAM}}
    assert await service.declared(G, [second]) == {second.key: {ALEX, SAM}}


async def test_meeting_opens_once_and_first_notetaker_wins(service: CoiService, sessions: Sessions) -> None:
    meeting_id = await service.open_meeting(G, 5, MOD, "#room")
    with pytest.raises(Conflict, match="already open in #room"):
        await service.open_meeting(G, 5, MOD, "#room")
    await service.opening_posted(G, meeting_id, 777, MOD, 5)
    claims = await asyncio.gather(service.claim_notetaker(meeting_id, ALEX),
                                  service.claim_notetaker(meeting_id, SAM))
    assert sorted(c.won for c in claims) == [False, True]
    winner = ALEX if claims[0].won else SAM
    again = await service.claim_notetaker(meeting_id, winner)
    assert (again.won, again.notetaker_id) == (False, winner)
    found = await service.meeting_to_end(G, None, 5, None)
    assert (found.id, found.opening_message_id) == (meeting_id, 777)
    ended = await service.end_meeting(G, meeting_id, MOD)
    assert ended.ended and ended.notetaker_id == winner
    with pytest.raises(Conflict):
        await service.end_meeting(G, meeting_id, MOD)
    late = await service.claim_notetaker(meeting_id, SAM)
    assert late.ended and not late.won
    with pytest.raises(NotFound):
        await service.claim_notetaker(meeting_id + 100, SAM)
    async with sessions() as session:
        actions = [e.action for e in await audit.recent(session, G, limit=10, action_prefix="coi.meeting")]
    assert sorted(actions) == ["coi.meeting.end", "coi.meeting.start"]


async def test_which_meeting_to_end(service: CoiService) -> None:
    with pytest.raises(NotFound, match="no open meeting in #a"):
        await service.meeting_to_end(G, 5, None, "#a")
    with pytest.raises(NotFound, match="There is no open meeting, so"):
        await service.meeting_to_end(G, None, None, None)
    await service.open_meeting(G, 5, MOD, "#a")
    await service.open_meeting(G, 6, MOD, "#b")
    with pytest.raises(BadInput, match="Several meetings are open: <#5>, <#6>"):
        await service.meeting_to_end(G, None, 7, None)
    assert (await service.meeting_to_end(G, None, 6, None)).channel_id == 6


async def test_waiting_room_is_stored_first_and_ends_once(service: CoiService, clock: Clock) -> None:
    keys, minutes = service.parse_room_request("all", None, 60)
    assert minutes == 60 and keys == [c.key for c in service.categories()]
    with pytest.raises(BadInput):
        service.parse_room_request("nonsense", None, 60)
    room_id = await service.store_room(G, 5, "#a", keys, {101: None, 102: (1, 2)}, [ALEX], MOD, None, 30)
    with pytest.raises(Conflict, match="already on for #a"):
        await service.store_room(G, 5, "#a", keys, {}, [], MOD, None, 30)
    room = await service.room(room_id)
    assert (room.previous, room.moved_member_ids) == ({101: None, 102: (1, 2)}, (ALEX,))
    assert await service.active_room(G, 5, "#a") == room_id
    assert await service.due_rooms() == []
    clock.advance(timedelta(minutes=31))
    assert await service.due_rooms() == [(G, room_id)]
    await service.claim_end(room_id)
    with pytest.raises(Conflict):
        await service.claim_end(room_id)
    await service.unclaim_end(room_id)  # restoring failed: it may be ended again
    await service.claim_end(room_id)
    await service.room_ended(G, room_id, 5, actor_id=None)
    assert (await service.room(room_id)).moved_member_ids == ()
    with pytest.raises(NotFound):
        await service.active_room(G, 5, "#a")
    await service.forget_room(room_id)
    with pytest.raises(Conflict):
        await service.room(room_id)
