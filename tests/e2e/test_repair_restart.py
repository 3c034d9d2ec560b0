"""kill -9 between filing and routing: the case is still routed after restart, exactly once.

The bot runs as a real subprocess. To hit the window deterministically, the TEST-ONLY
environment variable COALITION_TEST_REPAIR_STALL (see cogs/repair/routing.py) makes
routing stop at a chosen point; the test then kills the process with SIGKILL and starts
it again without the variable.
"""

from __future__ import annotations

import tomllib

import pytest
from sqlalchemy import text

from cogs.repair.routing import TEST_STALL_ENV
from db.session import create_engine
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import SpawnBot
from .test_repair_e2e import case_place, file_request, summary_of

pytestmark = pytest.mark.slow


async def routed_events(config_text: str) -> int:
    """Read the bot's own database (SQLite file or PostgreSQL, whatever the config says)."""
    url = tomllib.loads(config_text)["database"]["url"]
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text("SELECT count(*) FROM repair_event WHERE kind = 'routed'"))
            return int(result.scalar_one())
    finally:
        await engine.dispose()


def case_places(sg: StandardGuild) -> list[str]:
    return [c.name for c in sg.guild.channels.values() if c.name.startswith("case-")]


@pytest.mark.parametrize("stall_at", ["before_thread", "after_thread"])
async def test_kill9_between_filing_and_routing_routes_exactly_once(
        emulator: Emulator, standard_guild: StandardGuild, spawn_bot: SpawnBot, stall_at: str) -> None:
    sg = standard_guild
    proc = await spawn_bot(sg, env={TEST_STALL_ENV: stall_at})
    alex = emulator.create_user("Alex Member")
    await alex.join(sg.guild)

    receipt = await file_request(alex, sg.guild, anonymous=True)
    assert "case #1" in receipt.text, "the case was saved before the person was told"
    await emulator.wait_for(lambda: f"TEST-ONLY stall at {stall_at}" in proc.stderr,
                            description="routing to reach the stall point")
    if stall_at == "before_thread":
        assert case_places(sg) == []
    else:
        assert case_places(sg) == ["case-1"]  # created, but its ID never saved

    await proc.kill9()
    proc.extra_env.pop(TEST_STALL_ENV)
    await proc.start()

    thread = await case_place(emulator, sg)
    summary = await summary_of(emulator, thread)
    assert "Anonymous requester" in summary.text
    assert sg.moderator.id in thread.thread_members
    # a later restart (and the periodic retry) must not route it again
    await proc.restart()
    await sg.moderator.slash(sg.guild, "mod-repair cases", in_channel=sg.moderators)  # the restarted bot answers
    assert await routed_events(proc.config.read_text()) == 1
    assert case_places(sg) == ["case-1"]
    summaries = [m for m in thread.all_messages() if m.embeds and m.buttons]
    assert summaries == [summary]
    assert len(emulator.requests(route="POST /channels/{channel_id}/threads")) == 1
    # and it works: the moderator can act on it after all that
    acked = await sg.moderator.click(summary, "Acknowledge")
    assert acked.type == 7
    await alex.wait_dm(lambda m: "acknowledged" in m.text)
