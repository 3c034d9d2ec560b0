"""The confidential-spaces service on a real database: spaces, sticky counts, voice meetings, recording."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.errors import BadInput
from bot.settings import ConfidentialSection
from cogs.confidential.logic import BotVerdict, ChannelPlace
from cogs.confidential.service import ConfidentialService
from db.crypto import DataCipher
from db.repositories import audit

G, MOD, ROOM, TEXT, CATEGORY, RECORDER = 1, 99, 20, 21, 30, 500

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def service(sessions: Sessions, clock: Clock, cipher: DataCipher) -> ConfidentialService:
    settings = ConfidentialSection(every_messages=3, every_hours=24, voice_quiet_minutes=30)
    return ConfidentialService(sessions, clock, settings, cipher)


async def test_marking_spaces(service: ConfidentialService, sessions: Sessions) -> None:
    assert await service.add_space(G, CATEGORY, "category", MOD)
    assert not await service.add_space(G, CATEGORY, "category", MOD)
    assert await service.is_confidential(G, ChannelPlace(TEXT, CATEGORY))
    assert not await service.is_confidential(G, ChannelPlace(TEXT, None))
    assert await service.spaces(G) == [(CATEGORY, "category")]
    assert await service.remove_space(G, CATEGORY, MOD)
    assert not await service.remove_space(G, CATEGORY, MOD)
    assert not await service.is_confidential(G, ChannelPlace(TEXT, CATEGORY))
    async with sessions() as session:
        actions = sorted(e.action for e in await audit.recent(session, G, limit=10, action_prefix="confidential"))
    assert actions == ["confidential.add", "confidential.remove"]


async def test_sticky_counts_stay_in_memory_until_flushed(service: ConfidentialService, clock: Clock,
                                                          sessions: Sessions, cipher: DataCipher) -> None:
    assert await service.count_message(G, TEXT)  # never reminded: due at once
    assert service.start_repost(G, TEXT) is None
    await service.reminder_now(G, TEXT, 777)
    assert [await service.count_message(G, TEXT) for _ in range(3)] == [False, False, True]
    assert service.message_count(G, TEXT) == 3
    assert await service.flush_counts() == 1
    assert await service.flush_counts() == 0  # nothing changed since
    assert service.start_repost(G, TEXT) == 777  # the old reminder to delete first
    await service.reminder_now(G, TEXT, 778)
    # A new process reads the saved state back.
    again = ConfidentialService(sessions, clock, service.settings, cipher)
    assert not await again.count_message(G, TEXT)
    assert again.reminder_message_id(G, TEXT) == 778
    dropped = await again.drop_outside(G, keep=set())
    assert dropped == [(TEXT, 778)] and again.message_count(G, TEXT) is None


async def test_a_meeting_starts_after_the_channel_stood_empty(service: ConfidentialService, clock: Clock) -> None:
    assert await service.first_joined(G, ROOM) == []  # the first meeting: reminders, no recording
    await service.emptied(G, ROOM, anyone_back=lambda: False)
    clock.advance(timedelta(minutes=10))
    assert await service.first_joined(G, ROOM) is None  # back within the quiet time: same meeting
    await service.emptied(G, ROOM, anyone_back=lambda: False)
    clock.advance(timedelta(minutes=31))
    granted = await service.allow(G, ROOM, RECORDER, "captions", MOD, 60)
    assert await service.first_joined(G, ROOM) == [granted]


async def test_recording_exceptions(service: ConfidentialService, clock: Clock) -> None:
    assert service.check_request(5, "  captions   for a member ") == "captions for a member"
    with pytest.raises(BadInput):
        service.check_request(5, "   ")
    assert await service.verdict(G, ROOM, RECORDER) is BotVerdict.DISCONNECT
    await service.allow(G, ROOM, RECORDER, "captions", MOD, 30)
    assert await service.verdict(G, ROOM, RECORDER) is BotVerdict.RECORDING_EXCEPTION
    (shown,) = await service.active(G, with_reasons=True)
    assert shown.reason == "captions"
    (hidden,) = await service.active(G, with_reasons=False)
    assert hidden.reason is None
    assert await service.expire(owned=lambda guild_id: True) == []
    clock.advance(timedelta(minutes=31))
    assert await service.expire(owned=lambda guild_id: False) == []  # another process's server
    (ended,) = await service.expire(owned=lambda guild_id: True)
    assert (ended.channel_id, ended.bot_user_id) == (ROOM, RECORDER)
    assert await service.verdict(G, ROOM, RECORDER) is BotVerdict.DISCONNECT
