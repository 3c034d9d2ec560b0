"""Shared fixtures: a started emulator per test and standard guild builders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from tests.emulator import DEFAULT_BOT_PERMS, BotApp, Channel, Emulator, Guild, Role, ScriptedUser
from tests.emulator import permissions as P

BOT_TOKEN = "emulated.bot.token"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    # Discord would have refused these requests (a limit broken): fail the test that sent them.
    # A test that sends one on purpose (tests/emulator_selftest/test_limits.py) clears the list.
    assert not emu.form_errors, "requests Discord refuses with 50035 Invalid Form Body:\n" + "\n".join(
        f"{record.method} {record.path}: {why}" for record, why in emu.form_errors)
    assert not emu.hub.rate_limited, f"Request Guild Members was rate limited: {emu.hub.rate_limited}"


@dataclass
class StandardGuild:
    """The IHRRC guild as tests usually need it (channels are None in the empty variant)."""

    emu: Emulator
    guild: Guild
    bot: BotApp
    owner: ScriptedUser
    moderator: ScriptedUser
    moderator_role: Role | None
    welcome: Channel | None
    moderators: Channel | None
    mod_log: Channel | None
    waiting_room: Channel | None
    general: Channel


GuildBuilder = Callable[..., StandardGuild]


@pytest.fixture
def build_guild(emulator: Emulator) -> GuildBuilder:
    """Factory: ``build_guild(empty=False, bot_token=..., bot_permissions=..., add_bot=True)``."""
    return guild_builder(emulator)


def guild_builder(emulator: Emulator) -> GuildBuilder:
    """`build_guild` outside pytest (benchmarks)."""

    def build(*, empty: bool = False, bot_token: str = BOT_TOKEN, bot_name: str = "Coalition Bot",
              bot_permissions: int = DEFAULT_BOT_PERMS, add_bot: bool = True, name: str = "IHRRC") -> StandardGuild:
        owner = emulator.create_user("Guild Owner")
        guild = emulator.create_guild(name, owner)
        moderator = emulator.create_user("Morgan Moderator")
        emulator.world.add_member(guild, moderator.user, dispatch=False)
        mod_role = welcome = moderators = mod_log = waiting = None
        if not empty:
            mod_role = guild.create_role("Moderator", permissions=P.MODERATOR_PERMS, hoist=True)
            guild.members[moderator.id].roles.append(mod_role.id)
            welcome = guild.create_text_channel("welcome")
            private = {guild.id: (0, P.VIEW_CHANNEL), mod_role.id: (P.VIEW_CHANNEL, 0)}
            moderators = guild.create_text_channel("moderators", overwrites=private)
            mod_log = guild.create_text_channel("mod-log", overwrites=private)
            waiting = guild.create_voice_channel("waiting-room")
        bot = emulator.world.bots_by_token.get(bot_token) or emulator.create_bot(
            bot_token, bot_name, permissions=bot_permissions)
        if add_bot:
            emulator.add_bot_to_guild(bot, guild)
            if not empty:  # admins let the bot into the private channels, as a real install would
                for ch in (moderators, mod_log):
                    assert ch is not None
                    guild.set_overwrite(ch, bot.role(guild), allow=P.VIEW_CHANNEL)
        return StandardGuild(emulator, guild, bot, owner, moderator, mod_role, welcome, moderators, mod_log,
                             waiting, guild.channel("general"))

    return build


@pytest.fixture
def standard_guild(build_guild: GuildBuilder) -> StandardGuild:
    return build_guild()


@pytest.fixture
def empty_guild(build_guild: GuildBuilder) -> StandardGuild:
    """Only @everyone and #general: for testing the bot's auto-provisioning."""
    return build_guild(empty=True)
