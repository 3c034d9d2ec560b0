"""Stepping back on a real database: the membership record ends, so the gate and a return treat the
person like anyone without a yes; a moderator's hold is left alone."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content
from cogs.onboarding.service import OnboardingService
from db.repositories import coi_tags
from db.repositories import onboarding as repo

from .test_onboarding_service import ANA, GUILD, walk_to_question


async def test_stepping_back_ends_the_membership_and_a_return_starts_over(
        sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock) -> None:
    service = OnboardingService(sessions, content, clock)
    assert not await service.is_member(GUILD, ANA, holds_member_role=False)
    assert await service.is_member(GUILD, ANA, holds_member_role=True)  # a member from before the bot
    await service.join(GUILD, ANA)
    last = await walk_to_question(service)
    async with sessions() as session, session.begin():
        await coi_tags.set_tags(session, GUILD, ANA, {"funders"})
    await service.click(GUILD, ANA, "yes", last, grantable=True)
    assert await service.is_member(GUILD, ANA, holds_member_role=False)

    await service.step_back(GUILD, ANA)
    assert not await service.is_member(GUILD, ANA, holds_member_role=False)
    assert not await service.said_yes(GUILD, ANA)  # the gate would notice a member role held now
    async with sessions() as session:
        assert await repo.get_progress(session, GUILD, ANA) is None
        assert await coi_tags.tags_of(session, GUILD, ANA) == set()  # they went with the COI roles
        assert await repo.pending_grants(session, [GUILD], clock.now()) == []  # no owed grant comes back
    back = await service.resume(GUILD, ANA, holds_member_role=False)
    assert back is not None and back.kind == "step" and back.step == 0  # the onboarding again, from step 1


async def test_stepping_back_leaves_a_moderators_hold_alone(
        sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock) -> None:
    service = OnboardingService(sessions, content, clock)
    await service.join(GUILD, ANA)
    last = await walk_to_question(service)
    await service.click(GUILD, ANA, "yes", last, grantable=True)
    await service.hold_role(GUILD, ANA)
    await service.step_back(GUILD, ANA)
    async with sessions() as session:
        assert await repo.member_role_held(session, GUILD, ANA)
