"""/help end to end: members and moderators each see what they may use, in the server and in DMs.

The expected lists are read from the commands the bot registered with (emulated) Discord, so the
test stays right when commands are renamed or moved.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot


def walk(out: dict[str, bool], name: str, node: dict[str, Any], restricted: bool) -> None:
    subs = [o for o in node.get("options") or [] if o["type"] in (1, 2)]
    if not subs:
        out[name] = restricted or node["description"].startswith("Moderators:")
    for sub in subs:
        walk(out, f"{name} {sub['name']}", sub, restricted)


def registered(commands: list[dict[str, Any]], *, dm_only: bool = False) -> dict[str, bool]:
    """'/name sub' -> whether it is a moderators' command, from the registered definitions."""
    out: dict[str, bool] = {}
    for cmd in commands:
        if dm_only and 1 not in (cmd.get("contexts") or []):
            continue
        restricted = cmd.get("default_member_permissions") is not None

        walk(out, f"/{cmd['name']}", cmd, restricted)
    return out


async def test_help_shows_members_their_commands_and_moderators_theirs(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    bot = sg.bot
    everything = registered(bot.global_commands + bot.guild_commands[sg.guild.id])
    member_commands = {name for name, mod in everything.items() if not mod}
    moderator_commands = {name for name, mod in everything.items() if mod}
    assert {"/coi tag", "/repair request", "/access request", "/help"} <= member_commands
    assert {"/confidential add", "/mod-coi list", "/waitingroom start"} <= moderator_commands

    alex = emulator.create_user("Alex")
    await alex.join(sg.guild)
    result = await alex.slash(sg.guild, "help")
    page = await result.wait_message()
    assert result.ephemeral
    assert [e["title"] for e in page.embeds] == ["What you can do here"]
    for name in member_commands:
        assert f"`{name}`" in page.text, name
    for name in moderator_commands:
        assert f"`{name}`" not in page.text, f"a member is shown the moderators' {name}"

    result = await sg.moderator.slash(sg.guild, "help")
    page = await result.wait_message()
    assert result.ephemeral
    assert [e["title"] for e in page.embeds] == ["What you can do here", "For moderators"]
    members_part, moderators_part = (e["description"] for e in page.embeds)
    for name in member_commands:
        assert f"`{name}`" in members_part
    for name in moderator_commands:
        assert f"`{name}`" in moderators_part and f"`{name}`" not in members_part
    assert "Moderators:" not in page.text  # said once, by the section title


async def test_help_works_in_dms_and_about_points_to_it(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    alex = emulator.create_user("Alex")
    await alex.join(sg.guild)
    result = await alex.slash(None, "help")
    page = await result.wait_message()
    in_dms = {name for name, mod in registered(sg.bot.global_commands, dm_only=True).items() if not mod}
    assert "/repair request" in in_dms
    for name in in_dms:
        assert f"`{name}`" in page.text
    assert "`/coi tag`" not in page.text, "only what works in a DM is offered there"
    assert "inside the server" in page.text

    about = await alex.slash(sg.guild, "about")
    assert "`/help`" in (await about.wait_message()).text
