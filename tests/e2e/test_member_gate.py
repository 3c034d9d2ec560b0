"""Issue 18 item 4: members who never said yes, noticed at start-up; Discord's Rules Screening.

The per-person path (a role given while the bot runs) is in test_member_role.py. Here: the start-up
scan gives ONE #mod-log line for everyone who got the member role without a yes while the bot was
away (the bot's own grant after a yes never counts), with moderator-only buttons; and a newcomer still
`pending` Rules Screening gets no onboarding until Discord says they passed.
"""

from __future__ import annotations

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import RunBot
from .test_onboarding_flow import newcomer, walk_to_question

SUMMARY = "without a recorded yes"


def summary_lines(sg: StandardGuild) -> list:  # type: ignore[type-arg]
    assert sg.mod_log is not None
    return [m for m in sg.mod_log.all_messages() if SUMMARY in m.content]


async def test_start_up_sums_up_members_without_a_yes_in_one_line(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    guild = sg.guild
    bot = await run_bot(sg)
    member = guild.role("Member")  # the bot's set-up made it
    yes = await newcomer(emulator, sg, "Yara")
    await yes.click(await walk_to_question(yes), "Yes")
    await emulator.wait_for(lambda: yes.has_role(guild, "Member"), description="the bot's own grant")
    assert summary_lines(sg) == [], "the bot's own grant after a yes is never reported"

    await bot.stop()
    given = [emulator.create_user(f"Given{i}") for i in range(5)]
    for user in given:  # e.g. an invite that grants roles, used while the bot was away
        await user.join(guild, roles=[member])
    await bot.start()
    line = await emulator.wait_for(lambda: next(iter(summary_lines(sg)), None), description="the summary line")
    assert "5 people hold the member role" in line.content
    assert "Yara" not in line.content and all(u.name not in line.content for u in given)

    nosy = await newcomer(emulator, sg, "Nosy")
    for label in ("Who are they?", "Send them the onboarding (5)"):
        refused = await nosy.click(line, label)  # a member's (forged) click on the moderators' line
        assert refused.ephemeral and "Only moderators" in refused.text
    assert all(not u.dm_messages() for u in given)

    who = await sg.moderator.click(line, "Who are they?")
    assert who.ephemeral and "(5)" in who.text
    assert all(f"<@{u.id}>" in who.text for u in given) and f"<@{yes.id}>" not in who.text

    sent = await sg.moderator.click(line, "Send them the onboarding (5)")
    done = await sent.wait_message()
    assert "I sent the onboarding to 5 people" in done.content
    for user in given:
        await user.wait_dm(lambda m: bool(m.buttons) and "Step 1 of" in m.content)
        assert user.has_role(guild, "Member"), "[gate] enforce is off: nobody loses the role"
    assert len(summary_lines(sg)) == 1, "one line for everyone, not one per person"


async def test_start_up_with_gate_enforce_takes_the_role_off_when_a_moderator_says_so(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    guild = sg.guild
    bot = await run_bot(sg, config={"gate": {"enforce": True}})
    await bot.stop()
    given = [emulator.create_user(f"Held{i}") for i in range(3)]
    for user in given:
        await user.join(guild, roles=[guild.role("Member")])
    await bot.start()
    line = await emulator.wait_for(lambda: next(iter(summary_lines(sg)), None), description="the summary line")
    assert "3 people hold" in line.content and "enforce" in line.content
    assert all(u.has_role(guild, "Member") for u in given), "start-up alone never takes roles off"

    sent = await sg.moderator.click(line, "Take the role off and send the onboarding (3)")
    done = await sent.wait_message()
    assert "took the member role off 3" in done.content
    for user in given:
        assert not user.has_role(guild, "Member")
    first = given[0]
    await first.click(await walk_to_question(first), "Yes")  # the bot's own removal is no moderator's hold
    await emulator.wait_for(lambda: first.has_role(guild, "Member"), description="the role after the yes")


async def test_a_pending_newcomer_gets_the_onboarding_only_after_rules_screening(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    guild = sg.guild
    await run_bot(sg)
    pat = emulator.create_user("Pat")
    await pat.join(guild, roles=[guild.role("Newcomer")], pending=True)  # Rules Screening is on
    # Events are handled in order: once Sam (joined after Pat) has his first step, Pat's join was handled.
    sam = await newcomer(emulator, sg, "Sam")
    await sam.wait_dm(lambda m: bool(m.buttons))
    assert pat.dm_messages() == [], "no onboarding before they pass Rules Screening"

    await pat.pass_screening(guild)  # GUILD_MEMBER_UPDATE with pending false, as Discord sends
    await pat.wait_dm(lambda m: bool(m.buttons) and "Step 1 of" in m.content)
    assert len(pat.dm_messages()) == 1, "one first message"
    await pat.click(await walk_to_question(pat), "Yes")
    await emulator.wait_for(lambda: pat.has_role(guild, "Member"), description="member role")
