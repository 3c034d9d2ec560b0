"""Walk every feature: each cogs/ package loads in the real bot, and every command it
registers with (emulated) Discord fits Discord's limits."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from bot.client import feature_extensions
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot

NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.mark.parametrize("name", feature_extensions())
def test_extension_has_setup(name: str) -> None:
    module = importlib.import_module(name)
    assert callable(getattr(module, "setup", None)), f"{name} needs `async def setup(bot)`"


def _check_command(command: dict[str, Any], problems: list[str], path: str = "") -> None:
    full = f"{path} {command['name']}".strip()
    if not NAME.match(command["name"]) or command["name"] != command["name"].lower():
        problems.append(f"{full}: bad name")
    if command.get("type", 1) == 1 and not 1 <= len(command.get("description", "")) <= 100:
        problems.append(f"{full}: description must be 1-100 characters")
    options = command.get("options") or []
    if len(options) > 25:
        problems.append(f"{full}: more than 25 options")
    for option in options:
        if option.get("type") in (1, 2):  # subcommand / group
            _check_command(option, problems, full)
            continue
        if not 1 <= len(option.get("description", "")) <= 100:
            problems.append(f"{full} {option['name']}: option description must be 1-100 characters")
        if len(option.get("choices") or []) > 25:
            problems.append(f"{full} {option['name']}: more than 25 choices")


async def test_every_feature_loads_and_registers_valid_commands(
    emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot
) -> None:
    bot = bot_in_process.bot
    assert bot.failed_extensions == []
    assert set(feature_extensions()) <= set(bot.extensions)
    registered = emulator.requests(route="PUT /applications/{application_id}/guilds/{guild_id}/commands",
                                   status=200)
    registered += emulator.requests(route="PUT /applications/{application_id}/commands", status=200)
    commands = [c for r in registered for c in (r.body or [])]
    assert any(c["name"] == "about" for c in commands)
    problems: list[str] = []
    for command in commands:
        _check_command(command, problems)
    assert problems == []


async def test_every_background_loop_runs_and_stops_with_the_bot(
    emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot
) -> None:
    from discord.ext import tasks

    bot = bot_in_process.bot
    loops = {f"{type(cog).__name__}.{name}": getattr(cog, name)
             for cog in bot.cogs.values() for name, value in vars(type(cog)).items() if isinstance(value, tasks.Loop)}
    assert {"OnboardingCog.jobs", "RepairCog.jobs", "PrivacyCog.daily"} <= set(loops), loops
    await emulator.wait_for(lambda: all(loop.is_running() for loop in loops.values()),
                            description="every feature's background loop running")
    await bot_in_process.stop()
    assert [name for name, loop in loops.items() if loop.is_running()] == []
