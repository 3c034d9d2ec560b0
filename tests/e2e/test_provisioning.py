"""A fresh, empty server works with zero manual IDs; what can't be created is named in the log;
roles and channels can also be given by ID."""

from __future__ import annotations

import logging

import pytest

from bot.content import load_content
from tests.conftest import GuildBuilder
from tests.emulator import Emulator
from tests.emulator import permissions as P
from tests.emulator.state import VOICE

from .conftest import RunBot
from .test_onboarding_flow import walk_to_question

CONTENT = load_content()
COI_ROLES = {f"COI: {c.display}" for c in CONTENT.coi_categories}


async def test_empty_server_is_provisioned_and_onboarding_works(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    sg = build_guild(empty=True)
    guild = sg.guild
    assert not guild.has_role_named("Member") and guild.find_channel("welcome") is None
    await run_bot(sg)

    for name in ["Member", "Newcomer", "Moderator", *COI_ROLES]:
        assert guild.has_role_named(name), f"role {name} was not created"
    for name in ["welcome", "moderators", "mod-log"]:
        assert guild.find_channel(name) is not None, f"channel #{name} was not created"
    waiting = guild.find_channel("waiting-room")
    assert waiting is not None and waiting.type == VOICE

    # The moderators' channels are private: not @everyone, but the bot and moderators see them.
    outsider = emulator.create_user("Outsider")
    await outsider.join(guild)
    moderator_role = guild.role("Moderator")
    await guild.add_role(sg.moderator, moderator_role)
    for name in ["moderators", "mod-log"]:
        channel = guild.channel(name)
        assert not guild.can_view(outsider, channel), f"#{name} must be private"
        assert guild.can_view(sg.moderator, channel)
        assert guild.can_view(sg.bot.user, channel), "the bot must not lock itself out"
    assert guild.can_view(outsider, guild.channel("welcome"))

    # And the whole flow works on what was created.
    nia = emulator.create_user("Nia")
    await nia.join(guild)
    question = await walk_to_question(nia)
    await nia.click(question, "Yes")
    await emulator.wait_for(lambda: nia.has_role(guild, "Member"), description="member role on a fresh server")


async def test_without_permissions_the_log_names_what_is_missing(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot, caplog: pytest.LogCaptureFixture) -> None:
    weak = P.DEFAULT_BOT_PERMS & ~P.MANAGE_ROLES & ~P.MANAGE_CHANNELS
    sg = build_guild(empty=True, bot_permissions=weak)
    with caplog.at_level(logging.WARNING, logger="bot.wiring"):
        await run_bot(sg)  # still starts and syncs its commands
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "bot.wiring")
    assert "role 'Member' (member_role) — needs Manage Roles" in text
    assert "channel 'welcome' (welcome_channel) — needs Manage Channels" in text
    assert "channel 'waiting-room' (waiting_room_channel)" in text
    assert not sg.guild.has_role_named("Member")


async def test_roles_and_channels_by_id(emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    sg = build_guild(empty=True)
    guild = sg.guild
    mods = guild.create_role("Coalition Stewards", permissions=0)
    lobby = guild.create_text_channel("front-door")
    await guild.add_role(sg.moderator, mods)
    await run_bot(sg, config={"guild": {"moderator_role": mods.id, "welcome_channel": str(lobby.id)}})
    assert not guild.has_role_named("Moderator"), "a role given by ID is used, not created"
    assert guild.find_channel("welcome") is None

    # The role given by ID makes its holder a moderator (checked by the bot itself) ...
    stats = await sg.moderator.slash(guild, "mod-onboarding stats", in_channel=guild.channel("moderators"))
    assert "Started:" in stats.text
    # ... and the closed-DMs fallback posts in the channel given by ID.
    shy = emulator.create_user("Shy", dms_open=False)
    await shy.join(guild)
    await emulator.wait_for(lambda: any(m.buttons for m in lobby.messages()), description="fallback in #front-door")
