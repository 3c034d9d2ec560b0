"""The harness itself: the real bot connects, syncs, answers, survives drops and restarts."""

from __future__ import annotations

import discord
import pytest

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import BotProcess, InProcessBot, SpawnBot

GUILD_COMMANDS = "PUT /applications/{application_id}/guilds/{guild_id}/commands"


async def test_subprocess_connects_syncs_and_answers(emulator: Emulator, standard_guild: StandardGuild,
                                                     bot_process: BotProcess) -> None:
    assert emulator.requests(route=GUILD_COMMANDS, status=200)
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    result = await alex.slash(standard_guild.guild, "about")
    reply = await result.wait_message()
    assert reply.text.strip()


async def test_in_process_bot_sees_closed_dms_as_50007(emulator: Emulator, standard_guild: StandardGuild,
                                                       bot_in_process: InProcessBot) -> None:
    shy = emulator.create_user("Shy", dms_open=False)
    await shy.join(standard_guild.guild)
    user = await bot_in_process.bot.fetch_user(shy.id)
    with pytest.raises(discord.Forbidden) as exc:
        await user.send("hello")
    assert exc.value.code == 50007
    assert emulator.requests(path_contains="/messages", status=403)


async def test_injected_429_is_retried(emulator: Emulator, standard_guild: StandardGuild, spawn_bot: SpawnBot) -> None:
    emulator.failures.inject_429(1, route=GUILD_COMMANDS, retry_after=0.2)
    proc = await spawn_bot(standard_guild)
    assert [r.status for r in emulator.requests(route=GUILD_COMMANDS)][:2] == [429, 200]
    assert emulator.count_429 == 1
    assert proc.running


async def test_gateway_drop_resumes_and_replays(emulator: Emulator, standard_guild: StandardGuild,
                                                bot_process: BotProcess) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    sessions_before = {s.id for s in emulator.sessions(standard_guild.bot)}
    await emulator.drop_gateway(standard_guild.bot)
    result = await alex.slash(standard_guild.guild, "about")  # dispatched while the bot is away
    await result.wait_message()
    sessions = emulator.sessions(standard_guild.bot)
    assert {s.id for s in sessions} == sessions_before
    assert sessions[0].received.count("RESUMED") == 1


async def test_persistent_button_survives_kill9(emulator: Emulator, standard_guild: StandardGuild,
                                                bot_process: BotProcess) -> None:
    """Onboarding DMs a newcomer a step with buttons; after kill -9 and restart, clicking still works."""
    newcomer = emulator.create_user("Nia Newcomer")
    await newcomer.join(standard_guild.guild)
    step = await newcomer.wait_dm(lambda m: bool(m.buttons), timeout=15)
    sessions_before = {s.id for s in emulator.sessions(standard_guild.bot)}
    await bot_process.kill9()
    await bot_process.start()
    assert {s.id for s in emulator.sessions(standard_guild.bot)} - sessions_before  # a fresh IDENTIFY
    result = await newcomer.click(step, step.buttons[0]["custom_id"])
    assert result.type in (4, 5, 6, 7, 9)


async def test_sigterm_stops_cleanly(emulator: Emulator, standard_guild: StandardGuild,
                                     bot_process: BotProcess) -> None:
    code = await bot_process.stop()
    assert code == 0, bot_process.stderr[-2000:]
    await emulator.wait_for(lambda: not emulator.connected(standard_guild.bot), description="gateway closed")
