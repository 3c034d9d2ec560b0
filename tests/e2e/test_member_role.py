"""The member role means a clear "yes", and a moderator's removal of it is respected.

Before: a member whose member role moderators removed got it back by `/mydata delete` then
`/onboarding start` (or by leaving and joining again), with no moderator involved.
"""

from __future__ import annotations

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import RunBot
from .test_onboarding_flow import TOTAL, advance, newcomer, walk_to_question


async def test_a_removed_member_role_comes_back_only_when_a_moderator_allows_it(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    guild = sg.guild
    await run_bot(sg)
    ray = await newcomer(emulator, sg, "Ray")
    await ray.click(await walk_to_question(ray), "Yes")
    await emulator.wait_for(lambda: ray.has_role(guild, "Member"), description="member role")
    await guild.remove_role(ray, guild.role("Member"))  # the moderators' decision

    # Way 1: erase their data, then start onboarding again and say yes.
    asked = await ray.slash(guild, "mydata delete")
    prompt = await asked.wait_message()
    await ray.click(prompt, "Yes, delete my data")
    await emulator.wait_for(lambda: "Done." in prompt.text, description="the erasure")
    started = await ray.slash(guild, "onboarding start")
    assert started.message is not None and f"Step 1 of {TOTAL}" in started.message.content
    step = await advance(ray, started.message, TOTAL)
    await ray.click(step, "Yes")
    assert "removed your member role earlier" in step.content and "let them know" in step.content
    assert sg.mod_log is not None
    await emulator.wait_for(lambda: [m for m in sg.mod_log.all_messages() if "didn't give it back" in m.content],
                            description="the mod-log line")

    # Way 2: leave, join again and say yes in the direct message.
    await ray.leave(guild)
    await ray.join(guild)
    question = await walk_to_question(ray)
    answered = await ray.click(question, "Yes")
    assert answered.message is not None and "removed your member role earlier" in answered.message.content
    assert not ray.has_role(guild, "Member")

    # A member can't lift it; a moderator can, and the role comes back at once (they already said yes).
    nosy = await newcomer(emulator, sg, "Nosy")
    refused = await nosy.slash(guild, "mod-onboarding allow", member=ray)
    assert "Only moderators" in refused.text
    allowed = await sg.moderator.slash(guild, "mod-onboarding allow", member=ray, in_channel=sg.moderators)
    done = await allowed.wait_message()
    assert "gave them the member role back" in done.content
    await emulator.wait_for(lambda: ray.has_role(guild, "Member"), description="the role given back")
    again = await sg.moderator.slash(guild, "mod-onboarding allow", member=ray, in_channel=sg.moderators)
    assert "Nothing to allow" in again.text


async def test_a_member_role_without_a_yes_is_noticed(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    """Before: a member role given by an invite, another bot or by hand went unnoticed."""
    sg = standard_guild
    guild = sg.guild
    await run_bot(sg)
    assert sg.mod_log is not None
    kit = await newcomer(emulator, sg, "Kit")
    first = await kit.wait_dm(lambda m: bool(m.buttons))
    await guild.add_role(kit, guild.role("Member"))  # e.g. an invite that grants roles
    line = await emulator.wait_for(lambda: next((m for m in sg.mod_log.all_messages()
                                                 if "without a recorded yes" in m.content and m.buttons), None),
                                   description="the mod-log line")
    nosy = await newcomer(emulator, sg, "Nosy")
    refused = await nosy.click(line, "Send them the onboarding")
    assert refused.ephemeral and "Only moderators" in refused.text
    sent = await sg.moderator.click(line, "Send them the onboarding")
    done = await sent.wait_message()
    assert "Onboarding sent" in done.content
    await kit.wait_dm(lambda m: bool(m.buttons) and "Step 1 of" in m.content, after=first)
    assert kit.has_role(guild, "Member"), "[gate] enforce is off: moderators are only told"


async def test_gate_enforce_takes_the_role_off_until_the_yes(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    guild = sg.guild
    await run_bot(sg, config={"gate": {"enforce": True}})
    lee = await newcomer(emulator, sg, "Lee")
    first = await lee.wait_dm(lambda m: bool(m.buttons))
    await guild.add_role(lee, guild.role("Member"))
    await emulator.wait_for(lambda: not lee.has_role(guild, "Member"), description="the role taken off")
    await lee.wait_dm(lambda m: bool(m.buttons) and "Step 1 of" in m.content, after=first)
    await lee.click(await walk_to_question(lee), "Yes")  # the bot's own removal is no moderator's hold
    await emulator.wait_for(lambda: lee.has_role(guild, "Member"), description="the role after the yes")
