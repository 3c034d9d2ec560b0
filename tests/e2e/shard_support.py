"""Helpers for running the bot as N shard processes over one emulator and one PostgreSQL database.

All processes share ONE token (one Discord application). To tell their REST calls apart in the
emulator's request log, each process reaches the emulator under its own host name (shard 0:
``127.0.0.1``, shard 1: ``localhost``, …): ``RequestRecord.host`` then names the process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import BOT_TOKEN, StandardGuild
from tests.emulator import DEFAULT_BOT_PERMS, Emulator
from tests.emulator import permissions as P

from .conftest import BotProcess, write_config

HOST_NAMES = ("127.0.0.1", "localhost")


def build_shard_guild(emu: Emulator, name: str, shard: tuple[int, int]) -> StandardGuild:
    """The standard IHRRC guild (as tests/conftest.py ``build_guild``) with an id Discord routes to ``shard``."""
    owner = emu.create_user(f"{name} Owner")
    guild = emu.create_guild(name, owner, shard=shard)
    moderator = emu.create_user(f"{name} Moderator")
    emu.world.add_member(guild, moderator.user, dispatch=False)
    mod_role = guild.create_role("Moderator", permissions=P.MODERATOR_PERMS, hoist=True)
    guild.members[moderator.id].roles.append(mod_role.id)
    welcome = guild.create_text_channel("welcome")
    private = {guild.id: (0, P.VIEW_CHANNEL), mod_role.id: (P.VIEW_CHANNEL, 0)}
    moderators = guild.create_text_channel("moderators", overwrites=private)
    mod_log = guild.create_text_channel("mod-log", overwrites=private)
    waiting = guild.create_voice_channel("waiting-room")
    bot = emu.world.bots_by_token.get(BOT_TOKEN) or emu.create_bot(BOT_TOKEN, "Coalition Bot",
                                                                   permissions=DEFAULT_BOT_PERMS)
    emu.add_bot_to_guild(bot, guild)
    for channel in (moderators, mod_log):
        guild.set_overwrite(channel, bot.role(guild), allow=P.VIEW_CHANNEL)
    return StandardGuild(emu, guild, bot, owner, moderator, mod_role, welcome, moderators, mod_log, waiting,
                         guild.channel("general"))


def api_base_for(emu: Emulator, shard_id: int) -> str:
    return emu.api_base_url.replace("127.0.0.1", HOST_NAMES[shard_id], 1)


def host_of(emu: Emulator, shard_id: int) -> str:
    """``RequestRecord.host`` of the requests made by the process running ``shard_id``."""
    return f"{HOST_NAMES[shard_id]}:{emu.port}"


def shard_process(sg: StandardGuild, directory: Path, database_url: str, shard_id: int, shard_count: int,
                  extra: dict[str, dict[str, Any]] | None = None, env: dict[str, str] | None = None) -> BotProcess:
    """A ``python -m bot`` process running ``shard_id`` of ``shard_count``; ``sg`` is a guild it owns
    (its readiness is what ``start()`` waits for). ``env`` adds environment (e.g. the shared
    ``BOT_DATA_KEY``: every shard must encrypt with the same key)."""
    directory.mkdir(parents=True, exist_ok=True)
    sections: dict[str, dict[str, Any]] = {
        "discord": {"shard_count": shard_count, "shard_ids": [shard_id],
                    "api_base_url": api_base_for(sg.emu, shard_id)},
        "logging": {"level": "INFO"},
    }
    for name, values in (extra or {}).items():
        sections.setdefault(name, {}).update(values)
    return BotProcess(sg, directory, write_config(directory, sg.emu, sections, database_url), env)
