"""Who is a moderator or member is what the server set up, held by ID: never a name someone can copy.

Before: roles were looked up by name, lowest first, on every check. Anyone with Manage Roles could create
a role named "Moderator" (it lands lowest), take it, and become the bot's moderator while the real
moderators were refused; a fake "Member" role made the bot hand out the wrong role.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import GuildBuilder, StandardGuild
from tests.emulator import Emulator, ScriptedUser

from .conftest import RunBot
from .test_onboarding_flow import newcomer, walk_to_question


def cached_role_ids(bot: Any, guild_id: int, user: ScriptedUser) -> set[int]:
    member = bot.get_guild(guild_id).get_member(user.id)
    return {r.id for r in member.roles} if member is not None else set()


async def test_a_copied_role_name_makes_nobody_a_moderator_or_member(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    guild = sg.guild
    handle = await run_bot(sg)
    real_member = guild.role("Member")  # created by the bot's set-up
    eve = emulator.create_user("Eve")
    await eve.join(guild)
    # Eve (Manage Roles) creates roles named like the bot's; they land lowest. She takes the moderator one.
    fake_mod = guild.create_role("Moderator")
    fake_member = guild.create_role("Member")
    await guild.add_role(eve, fake_mod)
    await emulator.wait_for(lambda: fake_mod.id in cached_role_ids(handle.bot, guild.id, eve),
                            description="the bot sees Eve's new role")

    for attempt in ("before a restart", "after a restart"):
        refused = await eve.slash(guild, "mod-onboarding stats")
        assert "Only moderators" in refused.text, attempt
        allowed = await sg.moderator.slash(guild, "mod-onboarding stats", in_channel=sg.moderators)
        assert "Started:" in allowed.text, attempt
        await handle.restart()

    # A newcomer who says yes gets the member role set-up created, not the copy.
    nia = await newcomer(emulator, sg, "Nia")
    question = await walk_to_question(nia)
    await nia.click(question, "Yes")
    await emulator.wait_for(lambda: real_member.id in guild.member(nia).roles, description="the real member role")
    assert fake_member.id not in guild.member(nia).roles
    assert not sg.owner.dm_messages(), "nothing was ambiguous: the stored IDs decided"


async def test_two_roles_with_the_configured_name_at_set_up_are_not_guessed(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    sg = build_guild()
    guild = sg.guild
    assert sg.moderator_role is not None
    impostor = emulator.create_user("Imp")
    await impostor.join(guild)
    copy = guild.create_role("Moderator")  # lowest: the old lookup picked this one
    await guild.add_role(impostor, copy)
    await run_bot(sg)

    told = await sg.owner.wait_dm(lambda m: "more than one" in m.content)
    assert "role 'Moderator' (moderator_role): 2 have that name" in told.content
    assert "moderator_role = " in told.content  # says how to settle it
    refused = await impostor.slash(guild, "mod-onboarding stats")
    assert "Only moderators" in refused.text
    # Nobody is a moderator by a role the bot had to guess; no third "Moderator" role was created.
    assert [r.name for r in guild.roles.values()].count("Moderator") == 2


async def test_coi_announcements_go_to_a_members_only_channel(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg)
    channel = sg.guild.channel("coi-declarations")
    outsider = emulator.create_user("Outsider")
    await outsider.join(sg.guild)
    assert not outsider.can_view(channel), "people who have not said yes must not see COI declarations"
    await sg.guild.add_role(outsider, sg.guild.role("Member"))
    assert outsider.can_view(channel)
    assert sg.mod_log is not None and not [m for m in sg.mod_log.all_messages() if "Heads-up" in m.content]


async def test_a_public_coi_channel_is_flagged_in_the_mod_log(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config={"coi": {"channel": "welcome"}})
    assert sg.mod_log is not None
    await emulator.wait_for(lambda: [m for m in sg.mod_log.all_messages() if "Heads-up" in m.content],
                            description="the start-up warning about a public COI channel")
    assert sg.guild.find_channel("coi-declarations") is None
