"""Onboarding's service on a real database, no Discord: the use cases a click, a typed answer, a
question or a moderator's command call, and the plain results they return."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content, default_content_text, load_content
from bot.i18n import speaking
from cogs.onboarding import logic, texts
from cogs.onboarding.service import OnboardingService
from db.repositories import coi_tags
from db.repositories import onboarding as repo

GUILD, ANA = 10, 20


def make(sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock) -> OnboardingService:
    return OnboardingService(sessions, content, clock)


async def walk_to_question(service: OnboardingService) -> int:
    last = len(service.full_steps) - 1
    for step in range(last):
        result = await service.click(GUILD, ANA, "next", step, grantable=True)
        assert result.screen.kind == "step" and result.screen.step == step + 1
    return last


async def test_a_newcomer_walks_the_steps_and_says_yes(sessions: async_sessionmaker[AsyncSession], content: Content,
                                                       clock: Clock) -> None:
    service = make(sessions, content, clock)
    first = await service.join(GUILD, ANA)
    assert first.kind == "step" and first.step == 0 and first.intro and "Step 1 of" in first.text
    last = await walk_to_question(service)
    done = await service.click(GUILD, ANA, "yes", last, grantable=True)
    assert done.grant is not None and not done.grant.reaffirm and done.guild_id == GUILD
    assert done.screen.kind == "done" and content.community.name in done.screen.text
    async with sessions() as session:
        membership = await repo.get_membership(session, GUILD, ANA)
        assert membership is not None and membership.content_version == content.version
        assert membership.grant_attempted_at is not None and membership.role_granted_at is None  # owed
    again = await service.click(GUILD, ANA, "yes", last, grantable=True)  # a double click
    assert again.grant is None and again.screen.kind == "done"


async def test_a_stale_click_shows_the_saved_step(sessions: async_sessionmaker[AsyncSession], content: Content,
                                                  clock: Clock) -> None:
    service = make(sessions, content, clock)
    await service.join(GUILD, ANA)
    await service.click(GUILD, ANA, "next", 0, grantable=True)
    stale = await service.click(GUILD, ANA, "next", 0, grantable=True)  # the old message's button
    assert stale.screen.step == 1
    back = await service.click(GUILD, ANA, "back", 1, grantable=True)
    assert back.screen.step == 0


async def test_after_delivery_clicks_are_decided_in_memory_and_saved_together(
        sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock) -> None:
    service = make(sessions, content, clock)
    await service.join(GUILD, ANA)
    await service.delivered(GUILD, ANA, logic.SURFACE_DM)
    assert service.flows.get((GUILD, ANA)) is not None
    await service.click(GUILD, ANA, "next", 0, grantable=True)
    assert service.flows.commits == 1  # saved by the group commit, not the full path
    async with sessions() as session:
        row = await repo.get_progress(session, GUILD, ANA)
        assert row is not None and row.step_index == 1 and row.surface == logic.SURFACE_DM


async def test_not_yet_then_a_typed_yes(sessions: async_sessionmaker[AsyncSession], content: Content,
                                        clock: Clock) -> None:
    service = make(sessions, content, clock)
    assert await service.typed_answer(ANA, "yes", lambda _guild: True) is None  # nothing waits for it
    await service.join(GUILD, ANA)
    last = await walk_to_question(service)
    declined = await service.click(GUILD, ANA, "notyet", last, grantable=True)
    assert declined.screen.kind == "declined" and content.community.contact_email in declined.screen.text
    assert await service.awaits_typed_answer(ANA)
    hedged = await service.typed_answer(ANA, "yes but later?", lambda _guild: True)
    assert hedged is not None and hedged.grant is None and "type just \"yes\" here" in hedged.screen.text
    said = await service.typed_answer(ANA, "Yes, I am!", lambda _guild: True)
    assert said is not None and said.grant is not None
    assert not await service.awaits_typed_answer(ANA)


async def test_a_yes_after_moderators_removed_the_role_gives_nothing_back(
        sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock) -> None:
    service = make(sessions, content, clock)
    await service.hold_role(GUILD, ANA)
    await service.join(GUILD, ANA)
    last = await walk_to_question(service)
    held = await service.click(GUILD, ANA, "yes", last, grantable=True)
    assert held.held and held.grant is None and held.screen.text == texts.ROLE_HELD
    allowed = await service.allow(GUILD, ANA, moderator_id=99)
    assert allowed.lifted and allowed.said_yes
    assert not (await service.allow(GUILD, ANA, moderator_id=99)).lifted


async def test_the_coi_pick_is_saved_and_becomes_tags(sessions: async_sessionmaker[AsyncSession], content: Content,
                                                      clock: Clock) -> None:
    service = make(sessions, content, clock)
    await service.join(GUILD, ANA)
    coi_step = next(i for i, s in enumerate(service.full_steps) if s.offers_coi)
    for step in range(coi_step):
        await service.click(GUILD, ANA, "next", step, grantable=True)
    key = content.coi_categories[0].key
    screen = await service.pick_coi(GUILD, ANA, coi_step, [key, "bogus"])
    assert screen.coi is not None and [c.key for c in screen.coi if c.picked] == [key]
    assert texts.COI_SAVED in screen.text
    for step in range(coi_step, len(service.full_steps) - 1):
        await service.click(GUILD, ANA, "next", step, grantable=True)
    done = await service.click(GUILD, ANA, "yes", len(service.full_steps) - 1, grantable=True)
    assert done.grant is not None and done.grant.coi_keys == (key,)
    async with sessions() as session:
        assert await coi_tags.tags_of(session, GUILD, ANA) == {key}


async def test_a_question_is_saved_encrypted_and_the_next_one_waits(
        sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock) -> None:
    service = make(sessions, content, clock)
    await service.join(GUILD, ANA)
    assert await service.question_refusal(GUILD, ANA, max_open=3, cooldown_seconds=60) == ""
    asked = await service.ask(GUILD, ANA, 0, b"sealed")
    assert asked.where.startswith("step 1 of") and texts.QUESTION_SENT in asked.screen.text
    assert "give them a moment" in await service.question_refusal(GUILD, ANA, max_open=3, cooldown_seconds=60)
    clock.advance(timedelta(seconds=61))
    assert await service.question_refusal(GUILD, ANA, max_open=3, cooldown_seconds=60) == ""
    assert await service.question_text(asked.question_id, GUILD) == (ANA, b"sealed")
    assert await service.question_text(asked.question_id, GUILD + 1) is None  # another server's question
    await service.answered(GUILD, asked.question_id, moderator_id=99)
    async with sessions() as session:
        question = await repo.get_question(session, asked.question_id)
        assert question is not None and question.answered_by == 99


async def test_resume_begins_a_flow_or_says_they_are_a_member(
        sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock) -> None:
    service = make(sessions, content, clock)
    assert await service.resume(GUILD, ANA, holds_member_role=True) is None
    screen = await service.resume(GUILD, ANA, holds_member_role=False)
    assert screen is not None and screen.step == 0
    status = await service.status(GUILD, ANA)
    assert status.flow_status == logic.IN_PROGRESS and status.surface == logic.SURFACE_EPHEMERAL and status.step == 1
    assert "Started: 1" in await service.stats(GUILD, stalled_after_days=7)


async def test_the_first_step_offers_the_contents_languages_and_a_pick_shows_the_same_step(
        sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock, tmp_path: Path) -> None:
    service = make(sessions, content, clock)
    first = await service.join(GUILD, ANA)
    assert first.languages == ("en", "es")
    moved = await service.click(GUILD, ANA, "next", 0, grantable=True)
    assert moved.screen.step == 1 and moved.screen.languages == ()
    with speaking("es"):  # after a pick: where they are, in the new language, with the note; nothing moves
        again = await service.current_screen(GUILD, ANA, note="NOTE")
    assert again.step == 1 and "Paso 2 de" in again.text and "NOTE" in again.text
    service.flows.forget((GUILD, ANA))  # the same from the database
    with speaking("es"):
        assert (await service.current_screen(GUILD, ANA)).text == again.text.replace("NOTE\n\n", "")
    assert (await service.current_screen(GUILD, 999)).kind == "done"  # no flow: the kind "ended" line

    # A community whose content has no translation offers no choice (the bot's words alone would be half of it).
    english_only = tmp_path / "content.toml"
    english_only.write_text(default_content_text(), encoding="utf-8")
    alone = make(sessions, load_content(english_only), clock)
    assert (await alone.join(GUILD, 30)).languages == ()
