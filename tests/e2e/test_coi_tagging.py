"""/coi tag, /coi clear and /coi list against the emulator with the real bot."""

from __future__ import annotations

import pytest

from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message, ScriptedUser

from .conftest import InProcessBot, RunBot

PATCH_MEMBER = "PATCH /guilds/{guild_id}/members/{user_id}"
FUNDERS = "COI: Funders"
LAW = "COI: Law enforcement"
SETTLEMENT = "COI: Opioid settlement funds (not an SSP)"


@pytest.fixture
async def bot_in_process(run_bot: RunBot, standard_guild: StandardGuild) -> InProcessBot:
    """Each change applied and announced at once, so these tests can check them one by one
    (quick toggling is folded per person: test_quick_toggling_is_folded_per_person)."""
    return await run_bot(standard_guild, config=NO_FOLDING)


NO_FOLDING = {"coi": {"coalesce_roles_seconds": 0, "coalesce_announce_seconds": 0}}


def select_of(msg: Message) -> dict:
    (select,) = msg.selects
    return select


def defaults(msg: Message) -> set[str]:
    return {o["value"] for o in select_of(msg)["options"] if o.get("default")}


async def open_tagging(user: ScriptedUser, sg: StandardGuild) -> Message:
    result = await user.slash(sg.guild, "coi tag")
    assert result.ephemeral
    return await result.wait_message()


async def member(emulator: Emulator, sg: StandardGuild, name: str) -> ScriptedUser:
    """Someone who holds the member role (COI tags are for members)."""
    user = emulator.create_user(name)
    await user.join(sg.guild, roles=[sg.guild.role("Member")])
    return user


def coi_announcements(sg: StandardGuild) -> list[Message]:
    channel = sg.guild.find_channel("coi-declarations")  # members only, created by the bot
    return [m for m in channel.all_messages() if "conflict of interest" in m.content] if channel else []


async def test_tag_sets_roles_in_one_update_records_and_announces_without_pings(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    alex = await member(emulator, sg, "Alex")
    panel = await open_tagging(alex, sg)
    select = select_of(panel)
    assert select["min_values"] == 0 and select["max_values"] == 8
    labels = [o["label"] for o in select["options"]]
    assert "Opioid settlement funds (not an SSP)" in labels and all(len(label) <= 100 for label in labels)
    long = next(o for o in select["options"] if o["value"] == "settlement_non_ssp")
    assert long["description"].startswith("Organizations who receive Opioid Settlement Funds")
    assert defaults(panel) == set()

    before = len(emulator.requests(route=PATCH_MEMBER))
    result = await alex.select(panel, ["funders", "law_enforcement"])
    reply = await result.wait_message(lambda m: "Saved" in m.content)
    assert "Added: Funders and Law enforcement." in reply.content
    assert alex.has_role(sg.guild, FUNDERS) and alex.has_role(sg.guild, LAW)
    assert not alex.has_role(sg.guild, SETTLEMENT)
    patches = emulator.requests(route=PATCH_MEMBER)[before:]
    assert len(patches) == 1 and "roles" in patches[0].body  # ONE member update for both roles

    bot = bot_in_process.bot
    from db.repositories import coi_tags
    async with bot.sessions() as session:
        assert await coi_tags.tags_of(session, sg.guild.id, alex.id) == {"funders", "law_enforcement"}

    await emulator.wait_for(lambda: coi_announcements(sg), description="the COI announcement")
    (note,) = coi_announcements(sg)
    assert note.content == f"{alex.mention} has declared a conflict of interest: Funders and Law enforcement."
    assert note.allowed_mentions is not None and note.allowed_mentions.get("parse") == []
    assert not note.pings_anyone  # the mention renders, but nobody is notified


async def test_preselection_untagging_and_nothing_changed(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    robin = await member(emulator, sg, "Robin")
    first = await open_tagging(robin, sg)
    await (await robin.select(first, ["funders", "pharma"])).wait_message(lambda m: "Saved" in m.content)

    again = await open_tagging(robin, sg)
    assert defaults(again) == {"funders", "pharma"}  # current tags pre-selected

    result = await robin.select(again, ["pharma"])
    reply = await result.wait_message(lambda m: "Removed" in m.content)
    assert "Removed: Funders." in reply.content and "Added" not in reply.content
    assert not robin.has_role(sg.guild, FUNDERS)
    assert robin.has_role(sg.guild, "COI: Pharmaceutical Representatives")
    assert defaults(reply) == {"pharma"}  # the same message now shows the saved state
    await emulator.wait_for(lambda: any("no longer declares" in m.content for m in coi_announcements(sg)),
                            description="the withdrawal announcement")
    withdrawal = next(m for m in coi_announcements(sg) if "no longer declares" in m.content)
    assert withdrawal.content.endswith("no longer declares a conflict of interest: Funders.")
    assert not withdrawal.pings_anyone

    patches_before = len(emulator.requests(route=PATCH_MEMBER))
    same = await robin.select(reply, ["pharma"])
    unchanged = await same.wait_message(lambda m: "Nothing changed" in m.content)
    assert "Pharmaceutical Representatives" in unchanged.content
    assert len(emulator.requests(route=PATCH_MEMBER)) == patches_before  # no needless role update


async def test_clear_removes_every_tag_and_keeps_other_roles(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    other = sg.guild.create_role("Peer Support")
    sam = emulator.create_user("Sam")
    await sam.join(sg.guild, roles=[other, sg.guild.role("Member")])
    panel = await open_tagging(sam, sg)
    await (await sam.select(panel, ["lobbyists", "government"])).wait_message(lambda m: "Saved" in m.content)
    result = await sam.slash(sg.guild, "coi clear")
    reply = await result.wait_message()
    assert result.ephemeral
    assert "Removed: Government Officials and Lobbyists." in reply.content
    assert "no conflicts of interest (COI) declared" in reply.content
    assert [r for r in sam.roles(sg.guild) if r.startswith("COI: ")] == []
    assert sam.has_role(sg.guild, "Peer Support")
    from db.repositories import coi_tags
    async with bot_in_process.bot.sessions() as session:
        assert await coi_tags.tags_of(session, sg.guild.id, sam.id) == set()


async def test_hierarchy_problem_names_the_role_and_changes_nothing(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    role = sg.guild.role(FUNDERS)
    role.position = sg.guild.top_position() + 1  # an admin dragged it above the bot's role
    emulator.world.role_updated(sg.guild, role)
    bot = bot_in_process.bot
    await emulator.wait_for(lambda: bot.get_guild(sg.guild.id).get_role(role.id).position == role.position,
                            description="the bot to see the role move")
    kim = await member(emulator, sg, "Kim")
    panel = await open_tagging(kim, sg)
    result = await kim.select(panel, ["funders"])
    error = await result.wait_message(lambda m: "can't manage" in m.content)
    assert "'COI: Funders'" in error.content and "'Coalition Bot'" in error.content
    assert "dragging 'Coalition Bot' above 'COI: Funders'" in error.content
    assert error.ephemeral
    assert not kim.has_role(sg.guild, FUNDERS)
    from db.repositories import coi_tags
    async with bot.sessions() as session:
        assert await coi_tags.tags_of(session, sg.guild.id, kim.id) == set()
    assert coi_announcements(sg) == []


async def test_role_given_by_hand_is_preselected_and_announce_can_be_off(
        emulator: Emulator, build_guild, run_bot) -> None:
    sg = build_guild()
    await run_bot(sg, config={"coi": {"announce": False, **NO_FOLDING["coi"]}})
    lou = emulator.create_user("Lou")
    # a COI role set by an admin
    await lou.join(sg.guild, roles=[sg.guild.role("COI: Hospital Executive Staff"), sg.guild.role("Member")])
    panel = await open_tagging(lou, sg)
    assert defaults(panel) == {"hospital_exec"}
    result = await lou.select(panel, ["hospital_exec", "treatment_exec"])
    reply = await result.wait_message(lambda m: "Saved" in m.content)
    assert "Added: Treatment Center Executive Staff." in reply.content
    assert lou.has_role(sg.guild, "COI: Treatment Center Executive Staff")
    assert coi_announcements(sg) == []  # announce = false


async def test_newcomers_who_have_not_said_yes_cannot_tag(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    """COI tags are for members (docs/member-features.md); before: any newcomer could declare and be announced."""
    sg = standard_guild
    nova = emulator.create_user("Nova")
    await nova.join(sg.guild)
    refused = await nova.slash(sg.guild, "coi tag")
    assert refused.ephemeral and "for members" in refused.text and "/onboarding start" in refused.text
    # A list opened while they were a member is no way around it once the role is gone.
    await sg.guild.add_role(nova, sg.guild.role("Member"))
    await emulator.wait_for(lambda: nova.has_role(sg.guild, "Member"))
    panel = await open_tagging(nova, sg)
    await sg.guild.remove_role(nova, sg.guild.role("Member"))
    cached = bot_in_process.bot.get_guild(sg.guild.id)
    await emulator.wait_for(lambda: "Member" not in {r.name for r in cached.get_member(nova.id).roles},
                            description="the bot sees the member role removed")
    result = await nova.select(panel, ["funders"])
    assert "for members" in result.text
    assert not nova.has_role(sg.guild, FUNDERS) and not coi_announcements(sg)


async def test_quick_toggling_is_folded_per_person(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    """Before: 295 toggles in 12 s gave 289 member updates and ~290 queued public announcements."""
    sg = standard_guild
    await run_bot(sg, config={"coi": {"coalesce_roles_seconds": 4, "coalesce_announce_seconds": 4}})
    toggler = await member(emulator, sg, "Toggler")
    panel = await open_tagging(toggler, sg)
    before = len(emulator.requests(route=PATCH_MEMBER))
    for i in range(30):
        await toggler.select(panel, ["funders"] if i % 2 == 0 else ["law_enforcement"])
    # The last pick was Law enforcement: that is what the roles and the channel end up saying.
    await emulator.wait_for(lambda: toggler.has_role(sg.guild, LAW) and not toggler.has_role(sg.guild, FUNDERS),
                            description="the roles of the last pick")
    await emulator.wait_for(lambda: len(coi_announcements(sg)) == 2, description="the folded announcement")
    assert len(emulator.requests(route=PATCH_MEMBER)) - before == 2, "one update at once, one for the rest"
    first, last = coi_announcements(sg)
    assert "Funders" in first.content
    assert "Law enforcement" in last.content and "no longer declares: Funders" in last.content
