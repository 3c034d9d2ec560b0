"""Stepping back from membership (/membership step-back): the person's own choice, kindly done.

The member confirms with buttons only they can press; the member and COI roles come off; the
moderators get one short line (with a reason only if the person gives one, posted defused, never
stored); the person is told what happens to their data and how to come back — and coming back is
the onboarding again, with no moderator's hold from the bot's own removal.
"""

from __future__ import annotations

from tests.conftest import StandardGuild
from tests.emulator import Emulator
from tests.emulator import interactions as I
from tests.emulator.users import InteractionResult, ScriptedUser

from .conftest import InProcessBot
from .test_onboarding_flow import PATCH_MEMBER, TOTAL, advance, db_rows, newcomer, walk_to_question


async def member(emulator: Emulator, sg: StandardGuild, name: str) -> ScriptedUser:
    person = await newcomer(emulator, sg, name)
    await person.click(await walk_to_question(person, coi=["Funders"]), "Yes")
    await emulator.wait_for(lambda: person.has_role(sg.guild, "Member") and person.has_role(sg.guild, "COI: Funders"),
                            description=f"{name}'s member and COI roles")
    return person


def stepped_back_lines(sg: StandardGuild) -> list[str]:
    assert sg.mod_log is not None
    return [m.content for m in sg.mod_log.all_messages() if "stepped back from membership" in m.content]


async def test_a_member_steps_back_and_can_come_back_through_the_onboarding(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    from db.models import CoiTag, MemberRoleHold, Membership

    sg = standard_guild
    guild = sg.guild
    ana = await member(emulator, sg, "Ana")
    asked = await ana.slash(guild, "membership step-back")
    assert asked.ephemeral and asked.message is not None
    prompt = asked.message
    assert "not a punishment" in prompt.content
    assert {"Step back", "Step back and tell the moderators why", "Keep my membership"} <= {
        b["label"] for b in prompt.buttons}

    # Someone else pressing Ana's button (a forged click on her custom_id) changes nothing.
    nosy = await member(emulator, sg, "Nosy")
    button = prompt.button("Step back")
    data = {"custom_id": button["custom_id"], "component_type": 2}
    channel = emulator.world.channels[prompt.channel_id]
    rec = emulator.interactions.dispatch(emulator.world.bots[sg.bot.id], nosy.user, guild, channel, I.COMPONENT, data,
                                         source=prompt)
    forged = await InteractionResult.wait(emulator, rec, None, True)
    assert forged.ephemeral and "made for someone else" in forged.text
    assert ana.has_role(guild, "Member") and nosy.has_role(guild, "Member")

    # A double click: two presses land together; they are taken in turn and the second is refused kindly.
    bot = emulator.world.bots[sg.bot.id]
    first, second = (emulator.interactions.dispatch(bot, ana.user, guild, channel, I.COMPONENT, data, source=prompt)
                     for _ in range(2))
    results = [await InteractionResult.wait(emulator, rec, None, True) for rec in (first, second)]
    # Both acknowledged at once (the role update may outlast Discord's 3 seconds), then answered.
    assert [r.type for r in results] == [6, 6]
    await emulator.wait_for(lambda: prompt.buttons == [] and any(r.followups for r in results),
                            description="one step-back done, the other refused")
    (twice,) = [r for r in results if r.followups]
    refusal = await twice.wait_message(lambda m: "not a member right now" in m.text)
    assert refusal.ephemeral and refusal is not prompt
    assert "not a punishment" in prompt.content and "/mydata delete" in prompt.content
    assert "/onboarding start" in prompt.content
    await emulator.wait_for(lambda: not ana.has_role(guild, "Member") and not ana.has_role(guild, "COI: Funders"),
                            description="Ana's roles taken off")
    await emulator.wait_for(lambda: stepped_back_lines(sg) == [f"{ana.mention} stepped back from membership"],
                            description="one mod-log line")
    assert await db_rows(bot_in_process, Membership, user_id=ana.id) == []
    assert await db_rows(bot_in_process, CoiTag, user_id=ana.id) == []  # the tags went with the COI roles

    # Twice: the command again is refused kindly, nothing posted.
    again = await ana.slash(guild, "membership step-back")
    assert again.ephemeral and "not a member right now" in again.text
    assert len(stepped_back_lines(sg)) == 1

    # Coming back: the onboarding again, and the member role after the yes (the bot's own removal was no hold).
    assert await db_rows(bot_in_process, MemberRoleHold, user_id=ana.id) == []
    started = await ana.slash(guild, "onboarding start")
    assert started.message is not None and f"Step 1 of {TOTAL}" in started.message.content
    step = await advance(ana, started.message, TOTAL)
    await ana.click(step, "Yes")
    await emulator.wait_for(lambda: ana.has_role(guild, "Member"), description="Ana's member role again")


async def test_someone_who_is_not_a_member_is_told_so(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    new = await newcomer(emulator, sg, "New")
    answer = await new.slash(sg.guild, "membership step-back")
    assert answer.ephemeral and "not a member right now" in answer.text and "/onboarding start" in answer.text
    assert stepped_back_lines(sg) == []


async def test_a_reason_is_optional_and_posted_defused(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    guild = sg.guild
    bo = await member(emulator, sg, "Bo")
    prompt = (await bo.slash(guild, "membership step-back")).message
    assert prompt is not None
    kept = await bo.click(prompt, "Keep my membership")  # changing one's mind changes nothing
    assert kept.type == 7 and "still a member" in prompt.content and prompt.buttons == []
    assert bo.has_role(guild, "Member")
    prompt = (await bo.slash(guild, "membership step-back")).message
    assert prompt is not None
    opened = await bo.click(prompt, "Step back and tell the moderators why")
    assert opened.modal is not None
    reason = "@everyone see\n# [https://discord.com/x](https://evil.example) " + "long " * 100
    sent = await opened.modal.submit({"reason": reason})
    assert sent.ephemeral and "not a punishment" in (await sent.wait_message()).text
    await emulator.wait_for(lambda: len(stepped_back_lines(sg)) == 1, description="the mod-log line")
    (line,) = stepped_back_lines(sg)
    assert line.startswith(f"{bo.mention} stepped back from membership. Their reason: ")
    assert "@everyone" not in line and "@\u200beveryone" in line
    assert "](" not in line.replace("\\](", "") and "\\[https://discord.com/x\\]" in line
    assert len(line) < 300 and line.endswith("…") and "\n" not in line
    assert not bo.has_role(guild, "Member") and not bo.has_role(guild, "COI: Funders")

    # An empty reason form is fine too: the plain line.
    cy = await member(emulator, sg, "Cy")
    prompt = (await cy.slash(guild, "membership step-back")).message
    assert prompt is not None
    opened = await cy.click(prompt, "Step back and tell the moderators why")
    assert opened.modal is not None
    await opened.modal.submit({"reason": ""})
    await emulator.wait_for(lambda: f"{cy.mention} stepped back from membership" in stepped_back_lines(sg),
                            description="Cy's plain line")


async def test_roles_the_bot_cannot_take_off_change_nothing(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    from db.models import Membership

    sg = standard_guild
    guild = sg.guild
    di = await member(emulator, sg, "Di")
    role = guild.role("Member")
    role.position = guild.top_position() + 1  # an admin dragged it above the bot's role
    emulator.world.role_updated(guild, role)
    bot = bot_in_process.bot
    await emulator.wait_for(lambda: bot.get_guild(guild.id).get_role(role.id).position == role.position,
                            description="the bot to see the role move")
    prompt = (await di.slash(guild, "membership step-back")).message
    assert prompt is not None
    refused = await di.click(prompt, "Step back")
    note = await refused.wait_message(lambda m: "couldn't take your roles off" in m.text)
    assert note.ephemeral and note is not prompt and "nothing changed" in note.text
    assert di.has_role(guild, "Member") and di.has_role(guild, "COI: Funders")
    assert len(await db_rows(bot_in_process, Membership, user_id=di.id)) == 1
    assert sg.mod_log is not None
    await emulator.wait_for(lambda: any("couldn't take their roles off" in m.content
                                        for m in sg.mod_log.all_messages()), description="the moderators told")
    assert stepped_back_lines(sg) == []


async def test_a_rate_limited_role_update_still_answers_within_discords_deadline(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    """Discord asks the bot to wait before the member update (a 429 longer than the interaction's
    deadline): the press is acknowledged at once, and the answer follows when the roles are off."""
    sg = standard_guild
    guild = sg.guild
    eve = await member(emulator, sg, "Eve")
    prompt = (await eve.slash(guild, "membership step-back")).message
    assert prompt is not None
    emulator.interactions.deadline = 0.5  # a shorter deadline than the wait Discord asks for (the test stays quick)
    limited = emulator.failures.inject_429(1, route=PATCH_MEMBER, retry_after=1.0)
    pressed = await eve.click(prompt, "Step back")
    assert pressed.type == 6, "acknowledged before the role update"
    await emulator.wait_for(lambda: "not a punishment" in prompt.content and prompt.buttons == [],
                            description="the answer after the wait")
    assert limited.fired == 1 and not eve.has_role(guild, "Member")
    await emulator.wait_for(lambda: stepped_back_lines(sg) == [f"{eve.mention} stepped back from membership"],
                            description="the mod-log line")
