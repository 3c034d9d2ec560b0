"""Retention with injected time (bot.clock), never slept: leaving deletes onboarding progress at
once and everything else after retention_days_after_leave (a rejoin cancels); closed repair
cases are purged after case_retention_days, logged as a count only."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import AuditEntry, CoiTag, DepartedMember, OnboardingProgress, RepairCase, RepairEvent
from db.repositories import privacy as repo
from tests.conftest import StandardGuild
from tests.emulator import Emulator, ScriptedUser

from .conftest import InProcessBot, RunBot
from .test_onboarding_flow import advance, db_rows, first_step, newcomer, wait_db
from .test_repair_e2e import case_place, file_request, summary_of

CONFIG = {"repair": {"cooldown_minutes": 0}, "privacy": {"retention_days_after_leave": 30,
                                                          "case_retention_days": 365}}
CLOSED_TEXT = "Closed case text CLOSEDMARK-6060"


async def member_with_data(emulator: Emulator, sg: StandardGuild, name: str) -> ScriptedUser:
    """Onboarding in progress, a COI tag, a named and an anonymous case."""
    person = await newcomer(emulator, sg, name)
    await advance(person, await first_step(person), 3)
    await sg.guild.add_role(person, sg.guild.role("Member"))  # e.g. reaffirming: COI tags are for members
    panel = await (await person.slash(sg.guild, "coi tag")).wait_message()
    await person.select(panel, ["funders"])
    await file_request(person, sg.guild, what="named")
    await file_request(person, None, anonymous=True, what="anonymous")
    return person


def privacy_cog(bot: InProcessBot) -> object:
    cog = bot.bot.get_cog("PrivacyCog")
    assert cog is not None
    return cog


async def mentions(bot: InProcessBot, user_id: int) -> list[str]:
    async with bot.bot.sessions() as session:
        return await repo.tables_mentioning(session, user_id)


async def test_leave_purges_progress_now_and_the_rest_after_retention(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    bot = await run_bot(sg, config=CONFIG)
    lee = await member_with_data(emulator, sg, "Lee")
    stays = await member_with_data(emulator, sg, "Stays")
    assert await db_rows(bot, CoiTag, user_id=lee.id)

    await lee.leave(sg.guild)
    await wait_db(lambda: db_rows(bot, DepartedMember, user_id=lee.id), lambda rows: len(rows) == 1,
                  "the departure to be recorded")
    assert await db_rows(bot, OnboardingProgress, user_id=lee.id) == [], "progress goes at once"
    assert await db_rows(bot, CoiTag, user_id=lee.id), "the rest waits for the retention period"

    cog = privacy_cog(bot)
    bot.bot.clock.advance(timedelta(days=29, hours=23))
    report = await cog.run_due_jobs()  # type: ignore[attr-defined]
    assert report.departed_purged == 0
    assert "coi_tag.user_id" in await mentions(bot, lee.id)

    bot.bot.clock.advance(timedelta(hours=1))
    report = await cog.run_due_jobs()  # type: ignore[attr-defined]
    assert report.departed_purged == 1
    assert await mentions(bot, lee.id) == []
    async with bot.bot.sessions() as session:
        cases = (await session.execute(select(RepairCase).order_by(RepairCase.number))).scalars().all()
    assert len(cases) == 4, "cases stay for the moderators"
    lee_cases = [c for c in cases if c.requester_index is None]
    assert len(lee_cases) == 2 and all(c.requester_enc is None for c in lee_cases)
    # The member who stayed keeps everything.
    assert {"coi_tag.user_id", "onboarding_progress.user_id"} <= set(await mentions(bot, stays.id))
    report = await cog.run_due_jobs()  # type: ignore[attr-defined]
    assert report.departed_purged == 0, "idempotent"


async def test_rejoining_cancels_the_scheduled_purge(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    bot = await run_bot(sg, config=CONFIG)
    kim = await member_with_data(emulator, sg, "Kim")
    await kim.leave(sg.guild)
    await wait_db(lambda: db_rows(bot, DepartedMember, user_id=kim.id), lambda rows: len(rows) == 1,
                  "the departure to be recorded")
    await kim.join(sg.guild)
    await wait_db(lambda: db_rows(bot, DepartedMember, user_id=kim.id), lambda rows: rows == [],
                  "the rejoin to cancel the purge")
    bot.bot.clock.advance(timedelta(days=90))
    report = await privacy_cog(bot).run_due_jobs()  # type: ignore[attr-defined]
    assert report.departed_purged == 0
    assert "coi_tag.user_id" in await mentions(bot, kim.id)
    async with bot.bot.sessions() as session:
        mine = await repo.cases_filed_by(session, bot.bot.cipher, kim.id, sg.guild.id)
    assert len(mine) == 2


async def test_closed_cases_are_purged_after_case_retention_days(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot,
        caplog: pytest.LogCaptureFixture) -> None:
    sg = standard_guild
    bot = await run_bot(sg, config=CONFIG)
    alex = emulator.create_user("Alex")
    await alex.join(sg.guild)
    await file_request(alex, sg.guild, what=CLOSED_TEXT)
    await file_request(alex, sg.guild, what="still open")
    thread = await case_place(emulator, sg, 1)
    summary = await summary_of(emulator, thread)
    await summary_of(emulator, await case_place(emulator, sg, 2))
    closing = await sg.moderator.click(summary, "Close with resolution")
    assert closing.modal is not None
    await closing.modal.submit({"outcome": ["resolved"], "text": "We met and agreed."})

    async def closed() -> list[RepairCase]:
        return [c for c in await db_rows(bot, RepairCase) if c.closed_at is not None]
    await wait_db(closed, lambda rows: len(rows) == 1, "case #1 to be closed")

    cog = privacy_cog(bot)
    bot.bot.clock.advance(timedelta(days=364))
    assert (await cog.run_due_jobs()).cases_purged == 0  # type: ignore[attr-defined]
    assert len(await db_rows(bot, RepairCase)) == 2

    caplog.set_level(logging.DEBUG)
    bot.bot.clock.advance(timedelta(days=1, minutes=1))
    report = await cog.run_due_jobs()  # type: ignore[attr-defined]
    assert report.cases_purged == 1 and report.threads_deleted == 1
    remaining = await db_rows(bot, RepairCase)
    assert [c.number for c in remaining] == [2], "open cases are never purged"
    assert all(e.case_id == remaining[0].id for e in await db_rows(bot, RepairEvent))
    assert sg.guild.find_channel("case-1") is None, "the purged case's private thread is deleted"
    assert sg.guild.find_channel("case-2") is not None
    (entry,) = [e for e in await db_rows(bot, AuditEntry) if e.action == "privacy.closed_cases_purged"]
    assert entry.subject == "count:1" and entry.actor_id is None
    purge_logs = [r.getMessage() for r in caplog.records if "privacy purge" in r.getMessage()]
    assert purge_logs == ["privacy purge: data of 0 departed member(s), 1 closed repair case(s), 0 answered "
                          "access request(s)"]
    assert not any(CLOSED_TEXT in r.getMessage() for r in caplog.records)
