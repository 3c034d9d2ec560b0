"""Small, deterministic regression tests for bugs the chaos tests found (in-process bot)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from cogs.onboarding import logic
from db.repositories import onboarding as repo
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import RunBot
from .test_onboarding_flow import (
    PATCH_MEMBER,
    POST_MESSAGE,
    first_step,
    newcomer,
    start_here_message,
    walk_to_question,
)


async def test_concurrent_redelivery_of_a_stranded_first_dm_sends_it_once(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    """After a restart the start-up catch-up and the job loop walk the same stranded rows at the
    same time; both used to read "pending" and DM the newcomer twice (test_chaos_kill9 saw it)."""
    sg = standard_guild
    handle = await run_bot(sg, config={"onboarding": {"retry_after_seconds": 3}})
    bot = handle.bot
    ada = await newcomer(emulator, sg, "Ada")
    await first_step(ada)
    cog = bot.get_cog("Onboarding")
    # The DM is visible before the bot has marked it delivered; let that write land first, or it
    # would overwrite the "pending" set below (this raced on PostgreSQL).
    await emulator.wait_for(lambda: (sg.guild.id, ada.id) not in cog.delivery.delivering,
                            description="the first DM marked delivered")
    # as if the process had died after the join was saved and before the DM was marked delivered
    async with bot.sessions() as session, session.begin():
        row = await repo.get_progress(session, sg.guild.id, ada.id, for_update=True)
        assert row is not None
        row.surface = logic.SURFACE_PENDING
    bot.clock.advance(timedelta(seconds=10))
    guild = bot.get_guild(sg.guild.id)
    member = guild.get_member(ada.id)
    before = len(ada.dm_messages())

    # the two loops each reach this person's row at about the same moment
    await asyncio.gather(cog.delivery.redeliver(member), cog.delivery.redeliver(member),
                         cog.delivery.redeliver_stranded(guild))

    firsts = [m for m in ada.dm_messages()[before:] if "Step 1 of" in m.content]
    assert len(firsts) == 1, f"{len(firsts)} first DMs for one stranded flow"
    async with bot.sessions() as session:
        row = await repo.get_progress(session, sg.guild.id, ada.id)
        assert row is not None and row.surface == logic.SURFACE_DM


async def test_first_dm_failing_on_discords_side_is_retried_not_sent_to_the_welcome_channel(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot,
        caplog: pytest.LogCaptureFixture) -> None:
    """A 5xx/429 (after discord.py's own 5 tries) is not "DMs closed": the newcomer used to get a
    welcome-channel post saying their DMs were closed, and no DM ever (test_chaos_network saw it)."""
    sg = standard_guild
    assert sg.welcome is not None
    handle = await run_bot(sg, config={"onboarding": {"retry_after_seconds": 3}})
    bot = handle.bot
    await start_here_message(emulator, sg)  # posted at start-up: the failures below are for the DM
    failing = emulator.failures.inject_429(5, route=POST_MESSAGE, retry_after=0.01)
    bea = await newcomer(emulator, sg, "Bea")
    await emulator.wait_for(lambda: failing.remaining == 0, description="the DM to exhaust discord.py's tries")
    await emulator.wait_for(lambda: logged(caplog, "first onboarding DM", "will retry"),
                            description="the bot to give up on this try and plan a retry")
    assert await _surface(bot, sg, bea.id) == logic.SURFACE_PENDING
    assert [m for m in sg.welcome.messages() if bea.mention in m.content] == []
    assert bea.dm_messages() == []

    bot.clock.advance(timedelta(seconds=4))
    await bot.get_cog("Onboarding").run_due_jobs()
    step = await first_step(bea)
    assert step.buttons and len([m for m in bea.dm_messages() if "Step 1 of" in m.content]) == 1
    assert await _surface(bot, sg, bea.id) == logic.SURFACE_DM
    assert [m for m in sg.welcome.messages() if bea.mention in m.content] == []


async def test_role_grant_failing_on_discords_side_is_retried_without_a_false_alarm(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot,
        caplog: pytest.LogCaptureFixture) -> None:
    """A 5xx/429 on the grant is not "Discord refused": no mod-log alarm, no scary follow-up to the
    newcomer; the owed grant is applied by the job, exactly once."""
    sg = standard_guild
    assert sg.mod_log is not None
    handle = await run_bot(sg, config={"onboarding": {"retry_after_seconds": 3}})
    bot = handle.bot
    cy = await newcomer(emulator, sg, "Cy")
    question = await walk_to_question(cy)
    failing = emulator.failures.inject_429(5, route=PATCH_MEMBER, retry_after=0.01)
    yes = await cy.click(question, "Yes")
    assert "now a member" in question.content
    await emulator.wait_for(lambda: failing.remaining == 0, description="the grant to exhaust discord.py's tries")
    await emulator.wait_for(lambda: logged(caplog, "role grant for user", "will retry"),
                            description="the bot to give up on this try and leave the grant owed")
    assert not cy.has_role(sg.guild, "Member")
    assert yes.followups == [], [m.content for m in yes.followups]
    assert [m for m in sg.mod_log.messages() if "couldn't give the member role" in m.content] == []

    bot.clock.advance(timedelta(seconds=4))
    await bot.get_cog("Onboarding").run_due_jobs()
    await emulator.wait_for(lambda: cy.has_role(sg.guild, "Member"), description="the retried grant")
    assert not cy.has_role(sg.guild, "Newcomer")
    ok = [r for r in emulator.requests(route=PATCH_MEMBER, path_contains=f"/members/{cy.id}") if r.status == 200]
    assert len(ok) == 1
    await bot.get_cog("Onboarding").run_due_jobs()  # nothing owed any more
    assert len([r for r in emulator.requests(route=PATCH_MEMBER, path_contains=f"/members/{cy.id}")
                if r.status == 200]) == 1


def logged(caplog: pytest.LogCaptureFixture, *parts: str) -> bool:
    return any(all(p in r.getMessage() for p in parts) for r in caplog.records)


async def _surface(bot: Any, sg: StandardGuild, user_id: int) -> str | None:
    async with bot.sessions() as session:
        row = await repo.get_progress(session, sg.guild.id, user_id)
        return None if row is None else str(row.surface)
