"""Access needs on a real database, no Discord: filing (limits, words encrypted and given back), one
answer per request checked for moderators, routing's records and the recording link."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.errors import BadInput, Conflict, NotAllowed, NotFound
from cogs.access.logic import MAX_OPEN, Need, Status
from cogs.access.service import AccessService, Moderator
from db.crypto import DataCipher
from db.models import AccessRequest, AuditEntry

GUILD, OTHER_GUILD = 900000000000000101, 900000000000000102
ANA, BO, MOD = 412345678901234501, 412345678901234502, 512345678901234501
EMAIL = "staff@example.org"
MODERATOR = Moderator(MOD, GUILD, True)


@pytest.fixture
def service(sessions: async_sessionmaker[AsyncSession], cipher: DataCipher, clock: Clock) -> AccessService:
    return AccessService(sessions=sessions, cipher=cipher, clock=clock)


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[AccessRequest]:
    async with sessions() as session:
        return list((await session.execute(select(AccessRequest).order_by(AccessRequest.id))).scalars())


async def test_filing_keeps_the_words_encrypted_and_numbers_per_server(
        service: AccessService, sessions: async_sessionmaker[AsyncSession]) -> None:
    first = await service.file(GUILD, ANA, ["spanish", "captions", "captions", "forged"], "  Captions please  ",
                               email=EMAIL)
    second = await service.file(GUILD, BO, ["other"], "", email=EMAIL)
    elsewhere = await service.file(OTHER_GUILD, ANA, ["notetaker"], None, email=EMAIL)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    stored = await rows(sessions)
    assert stored[0].needs == "captions,spanish"  # known needs only, in order, once
    assert stored[0].detail_enc is not None and b"Captions please" not in stored[0].detail_enc
    assert stored[1].detail_enc is None
    request = await service.request(first.request_id)
    assert request is not None and request.detail == "Captions please" and request.requester_id == ANA
    assert request.needs == (Need.CAPTIONS, Need.SPANISH) and request.status is Status.RECEIVED
    assert await service.unrouted([GUILD]) == [first.request_id, second.request_id]


async def test_filing_refuses_nothing_picked_and_too_many_waiting_giving_the_words_back(
        service: AccessService, sessions: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(BadInput) as nothing:
        await service.file(GUILD, ANA, ["teleport"], "my **words**", email=EMAIL)
    assert "pick at least one need" in str(nothing.value) and "my \\*\\*words\\*\\*" in str(nothing.value)
    for _ in range(MAX_OPEN):
        await service.file(GUILD, ANA, ["captions"], None, email=EMAIL)
    with pytest.raises(Conflict) as limit:
        await service.file(GUILD, ANA, ["captions"], "kept", email=EMAIL)
    assert f"{MAX_OPEN} access requests waiting" in str(limit.value) and "kept" in str(limit.value)
    assert EMAIL in str(limit.value)
    # An answered request no longer counts; another person is not limited by Ana's requests.
    first = (await rows(sessions))[0]
    await service.decide(first.id, MODERATOR, Status.ARRANGED)
    await service.file(GUILD, ANA, ["captions"], None, email=EMAIL)
    await service.file(GUILD, BO, ["captions"], None, email=EMAIL)


async def test_filings_at_the_same_moment_get_different_numbers(service: AccessService) -> None:
    people = [ANA + n for n in range(6)]
    filed = await asyncio.gather(*(service.file(GUILD, p, ["captions"], None, email=EMAIL) for p in people))
    assert sorted(f.number for f in filed) == list(range(1, 7))


async def test_one_answer_per_request_by_a_moderator_of_its_server(
        service: AccessService, sessions: async_sessionmaker[AsyncSession]) -> None:
    filed = await service.file(GUILD, ANA, ["recording"], None, email=EMAIL)
    with pytest.raises(NotAllowed):
        await service.decide(filed.request_id, Moderator(BO, GUILD, False), Status.ARRANGED)
    with pytest.raises(NotAllowed):  # before any lookup: a made-up ID learns nothing
        await service.decide(999999, Moderator(BO, GUILD, False), Status.ARRANGED)
    with pytest.raises(NotFound):
        await service.decide(filed.request_id, Moderator(MOD, OTHER_GUILD, True), Status.ARRANGED)
    with pytest.raises(NotFound):
        await service.decide(999999, MODERATOR, Status.ARRANGED)
    assert (await rows(sessions))[0].status == "received"

    done = await service.decide(filed.request_id, MODERATOR, Status.NOT_POSSIBLE)
    assert done.status is Status.NOT_POSSIBLE and done.decided_by == MOD and done.decided_at is not None
    with pytest.raises(Conflict) as twice:
        await service.decide(filed.request_id, MODERATOR, Status.ARRANGED)
    assert "already has its answer" in str(twice.value)
    assert (await rows(sessions))[0].status == "not_possible"
    async with sessions() as session:
        actions = list((await session.execute(select(AuditEntry.action))).scalars())
    assert actions == ["access.not_possible"]
    # After "not possible", the recording can't be allowed from it.
    with pytest.raises(Conflict):
        await service.check_recording(filed.request_id, MODERATOR)


async def test_the_recording_link_is_only_for_a_request_that_asked_for_one(
        service: AccessService, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    captions = await service.file(GUILD, ANA, ["captions"], None, email=EMAIL)
    with pytest.raises(BadInput):
        await service.check_recording(captions.request_id, MODERATOR)
    recording = await service.file(GUILD, BO, ["recording"], None, email=EMAIL)
    with pytest.raises(NotAllowed):
        await service.check_recording(recording.request_id, Moderator(ANA, GUILD, False))
    assert (await service.check_recording(recording.request_id, MODERATOR)).wants_recording
    before = clock.now()
    allowed = await service.recording_allowed(recording.request_id, MODERATOR, 4242)
    assert allowed.recording_channel_id == 4242 and allowed.recording_allowed_at is not None
    assert before <= allowed.recording_allowed_at <= clock.now()
    async with sessions() as session:
        actions = list((await session.execute(select(AuditEntry.action))).scalars())
    assert actions == ["access.recording"]
    assert allowed.status is Status.RECEIVED


async def test_routing_records(service: AccessService, sessions: async_sessionmaker[AsyncSession]) -> None:
    filed = await service.file(GUILD, ANA, ["captions"], None, email=EMAIL)
    await service.set_place(filed.request_id, 777)
    assert await service.unrouted([GUILD]) == [filed.request_id]  # no summary yet: still routed again
    await service.set_summary_message(filed.request_id, 888)
    assert await service.unrouted([GUILD]) == []
    request = await service.request(filed.request_id)
    assert request is not None and (request.thread_id, request.summary_message_id) == (777, 888)
    token = service.place_token(request)
    assert len(token) == 16 and token == service.place_token(request)
