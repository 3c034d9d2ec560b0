"""Small, deterministic regression tests for bugs the chaos tests found (in-process bot)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from cogs.onboarding import logic
from db.repositories import onboarding as repo
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import RunBot
from .test_onboarding_flow import first_step, newcomer


async def test_concurrent_redelivery_of_a_stranded_first_dm_sends_it_once(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    """After a restart the start-up catch-up and the job loop walk the same stranded rows at the
    same time; both used to read "pending" and DM the newcomer twice (test_chaos_kill9 saw it)."""
    sg = standard_guild
    handle = await run_bot(sg, config={"onboarding": {"retry_after_seconds": 3}})
    bot = handle.bot
    ada = await newcomer(emulator, sg, "Ada")
    await first_step(ada)
    # as if the process had died after the join was saved and before the DM was marked delivered
    async with bot.sessions() as session, session.begin():
        row = await repo.get_progress(session, sg.guild.id, ada.id, for_update=True)
        assert row is not None
        row.surface = logic.SURFACE_PENDING
    bot.clock.advance(timedelta(seconds=10))
    cog = bot.get_cog("Onboarding")
    guild = bot.get_guild(sg.guild.id)
    member = guild.get_member(ada.id)
    before = len(ada.dm_messages())

    # the two loops each reach this person's row at about the same moment
    await asyncio.gather(cog._redeliver(member), cog._redeliver(member), cog._redeliver_stranded(guild))

    firsts = [m for m in ada.dm_messages()[before:] if "Step 1 of" in m.content]
    assert len(firsts) == 1, f"{len(firsts)} first DMs for one stranded flow"
    async with bot.sessions() as session:
        row = await repo.get_progress(session, sg.guild.id, ada.id)
        assert row is not None and row.surface == logic.SURFACE_DM
