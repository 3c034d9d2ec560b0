"""Moderator-only commands: every one refuses a non-moderator; /coi list pages past Discord's limits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import MODERATORS_ONLY
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot


@pytest.mark.parametrize(("command", "options"), [
    ("mod-coi list", {}),
    ("waitingroom start", {"categories": "funders"}),
    ("waitingroom end", {}),
    ("meeting start", {"kind": "monthly"}),
    ("meeting end", {}),
])
async def test_non_moderator_is_refused(emulator: Emulator, standard_guild: StandardGuild,
                                        bot_in_process: InProcessBot, command: str, options: dict[str, Any]) -> None:
    sg = standard_guild
    voice = sg.guild.create_voice_channel("monthly-coalition-meeting")
    funder = emulator.create_user("Fran")
    await funder.join(sg.guild, roles=[sg.guild.role("COI: Funders")])
    await funder.join_voice(voice)
    if command.endswith("end"):  # something real to end, started by a moderator
        kind = command.split()[0]
        extra = {"categories": "funders"} if kind == "waitingroom" else {"kind": "other"}
        started = await sg.moderator.slash(sg.guild, f"{kind} start", channel=voice, **extra)
        await started.wait_message(lambda m: "waiting room is on" in m.content or "posted" in m.content)
    snapshot = {tid: (o.allow, o.deny) for tid, o in voice.overwrites.items()}
    messages = len(voice.all_messages())
    where = funder.voice_channel(sg.guild)

    alex = emulator.create_user("Alex")  # a plain member: no Moderator role, no Manage Server
    await alex.join(sg.guild)
    needs_channel = command != "mod-coi list"
    result = await alex.slash(sg.guild, command, **({"channel": voice} if needs_channel else {}), **options)
    reply = await result.wait_message()
    assert result.ephemeral
    assert reply.content == MODERATORS_ONLY
    assert {tid: (o.allow, o.deny) for tid, o in voice.overwrites.items()} == snapshot
    assert len(voice.all_messages()) == messages
    assert funder.voice_channel(sg.guild) is where


async def test_list_shows_holders_and_pages_past_the_limits(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    funders, lobby = sg.guild.role("COI: Funders"), sg.guild.role("COI: Lobbyists")
    users = emulator.populate(sg.guild, 240, prefix="member")
    for i, user in enumerate(users):
        emulator.world.update_member_roles(sg.guild, user.id, add=[funders.id] if i % 3 else [lobby.id])
    bot = bot_in_process.bot
    await emulator.wait_for(lambda: len(bot.get_guild(sg.guild.id).get_role(funders.id).members) == 160,
                            description="the bot to see the role changes")

    result = await sg.moderator.slash(sg.guild, "mod-coi list")
    first = await result.wait_message()
    assert result.ephemeral and len(first.content) <= 2000
    assert "**Funders** (160)" in first.content and "Page 1 of" in first.content
    total = int(first.content.rsplit("Page 1 of ", 1)[1])
    assert total >= 3
    assert first.button("Previous page").get("disabled") and not first.button("Next page").get("disabled")
    assert not first.pings_anyone

    seen: list[str] = [first.content]
    for page in range(2, total + 1):
        await sg.moderator.click(first, "Next page")
        assert f"Page {page} of {total}" in first.content and len(first.content) <= 2000
        seen.append(first.content)
    assert first.button("Next page").get("disabled")
    await sg.moderator.click(first, "Previous page")
    assert f"Page {total - 1} of {total}" in first.content

    everything = "\n".join(seen)
    for user in users:
        assert everything.count(f"<@{user.id}>") == 1, user.name
    assert "**Lobbyists** (80)" in everything and "**Pharmaceutical Representatives** (0)" in everything
    assert "(continued)" in everything

    filtered = await sg.moderator.slash(sg.guild, "mod-coi list", category="lobbyists")
    only = await filtered.wait_message()
    assert "**Lobbyists** (80)" in only.content and "Funders" not in only.content
    choices = await sg.moderator.autocomplete(sg.guild, "mod-coi list", category="lobb")
    assert choices == [{"name": "Lobbyists", "value": "lobbyists"}]
