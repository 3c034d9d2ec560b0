"""The privacy service on a real database: showing, exporting and erasing a person, the audit log,
departures and the retention purge."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content
from bot.errors import BadInput
from bot.settings import PrivacySection
from cogs.privacy.service import PrivacyService
from db.crypto import DataCipher
from db.repositories import audit, coi_tags

G, ALEX, SAM, MOD = 1, 11, 12, 99

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def service(sessions: Sessions, clock: Clock, cipher: DataCipher, content: Content) -> PrivacyService:
    settings = PrivacySection(retention_days_after_leave=30, case_retention_days=365, mydata_cooldown_seconds=10)
    return PrivacyService(sessions, sessions, clock, settings, cipher, content)


def named(guild_id: int) -> str | None:
    return "Coalition" if guild_id == G else None


async def tag(sessions: Sessions, user_id: int, key: str) -> None:
    async with sessions() as session, session.begin():
        await coi_tags.set_tags(session, G, user_id, {key})


async def test_one_look_every_few_seconds(service: PrivacyService, clock: Clock) -> None:
    assert service.wait_before_look(ALEX) == 0
    assert service.wait_before_look(ALEX) == 10
    assert service.wait_before_look(SAM) == 0  # someone else is not slowed down
    clock.advance(timedelta(seconds=10))
    assert service.wait_before_look(ALEX) == 0


async def test_show_export_and_erase(service: PrivacyService, sessions: Sessions, content: Content) -> None:
    category = content.coi_categories[0]
    await tag(sessions, ALEX, category.key)
    await tag(sessions, SAM, category.key)
    pages = await service.mydata_pages(ALEX, G, named)
    assert "**Coalition**" in pages[-1] and category.display in pages[-1]
    document = json.loads(await service.export(ALEX, None, named))
    assert [s["server"] for s in document["servers"]] == ["Coalition"]
    erased = await service.erase(ALEX, G, action="privacy.data_erased")
    assert erased.records >= 1 and erased.servers == 1
    assert "I have no records about you in this server." in (await service.mydata_pages(ALEX, G, named))[0]
    async with sessions() as session:
        assert await coi_tags.tags_of(session, G, SAM) == {category.key}  # only the person asking
        (entry,) = await audit.recent(session, G, limit=5, action_prefix="privacy")
    assert (entry.action, entry.actor_id) == ("privacy.data_erased", None)  # who erased is not recorded


async def test_audit_pages(service: PrivacyService, sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await audit.record(session, G, MOD, "repair.close", "case:4")
        await audit.record(session, G, MOD, "coi.meeting.start", "channel:9")
    (page,) = await service.audit_pages(G, "repair")
    assert "**repair.close** by <@99> · case:4" in page and "coi.meeting" not in page
    with pytest.raises(BadInput, match="An action filter is a word"):
        await service.audit_pages(G, "repair; drop table")


async def test_departures_are_purged_after_the_retention_time(service: PrivacyService, sessions: Sessions,
                                                              clock: Clock, content: Content) -> None:
    key = content.coi_categories[0].key
    await tag(sessions, ALEX, key)
    await tag(sessions, SAM, key)
    await service.member_left(G, ALEX)
    await service.member_left(G, SAM)
    assert (await service.purge(lambda g: True, lambda g, u: False)).report.departed_purged == 0  # not yet
    clock.advance(timedelta(days=31))
    assert (await service.purge(lambda g: False, lambda g, u: False)).report.departed_purged == 0  # not ours
    purge = await service.purge(lambda g: True, lambda g, u: u == SAM)  # Sam is back (the join was missed)
    assert (purge.report.departed_purged, purge.report.departures_cancelled) == (1, 1)
    async with sessions() as session:
        assert await coi_tags.tags_of(session, G, ALEX) == set()
        assert await coi_tags.tags_of(session, G, SAM) == {key}
    assert not await service.member_rejoined(G, SAM)  # already cancelled
