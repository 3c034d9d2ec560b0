"""The bot paces its own REST calls at the wire: a burst far above Discord's 50/s global
limit, with the limit enforced by the emulator, never draws a 429 — retries included."""

from __future__ import annotations

import asyncio

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot

POST_MESSAGE = "POST /channels/{channel_id}/messages"


async def burst(bot_in_process: InProcessBot, sg: StandardGuild, count: int) -> None:
    channel = bot_in_process.bot.get_channel(sg.general.id)
    await asyncio.gather(*(channel.send(f"paced {i}") for i in range(count)))


async def test_a_burst_above_the_global_limit_draws_no_429(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    emulator.failures.enforce_global_limit = True
    start = len(emulator.request_log)
    await burst(bot_in_process, standard_guild, 150)
    sent = [r for r in emulator.request_log[start:]
            if r.route == POST_MESSAGE and str(standard_guild.general.id) in r.path]
    assert sum(1 for r in sent if r.status == 200) == 150
    assert emulator.count_429 == 0


async def test_retries_after_server_errors_are_paced_too(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    emulator.failures.enforce_global_limit = True
    emulator.failures.fail_randomly(0.1, seed=7, route=POST_MESSAGE)
    start = len(emulator.request_log)
    await burst(bot_in_process, standard_guild, 100)
    sent = [r for r in emulator.request_log[start:]
            if r.route == POST_MESSAGE and str(standard_guild.general.id) in r.path]
    assert sum(1 for r in sent if r.status == 200) == 100
    assert sum(1 for r in sent if r.status == 500) >= 5, "the retries really happened"
    assert emulator.count_429 == 0
