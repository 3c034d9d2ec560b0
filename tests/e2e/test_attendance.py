"""Meeting attendance by organization, on the emulator: organizations moderators list, a member saying
whom they represent, "I'm here" on monthly Coalition meetings (once per person per meeting, private
replies), staff's report against the 50% ask, a member's own organization's figure, and the refusals."""

from __future__ import annotations

from typing import Any

from db.models import AttendanceCheckIn, Organization, OrganizationAffiliation
from db.repositories import audit
from db.repositories import privacy as privacy_repo
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser
from tests.emulator import interactions as I
from tests.emulator.users import InteractionResult

from .conftest import InProcessBot
from .test_onboarding_flow import db_rows

HERE = "I'm here"
HRN, CRA, QUIET = "Harm Reduction Now", "Chicago Recovery Alliance", "Quiet Collective"


async def person(emulator: Emulator, sg: StandardGuild, name: str) -> ScriptedUser:
    user = emulator.create_user(name)
    await user.join(sg.guild, roles=[sg.guild.role("Member")])
    return user


async def add_organization(sg: StandardGuild, name: str) -> str:
    result = await sg.moderator.slash(sg.guild, "mod-organization add", name=name)
    assert result.ephemeral and "Added" in result.text, result.text
    return result.text


async def represent(user: ScriptedUser, sg: StandardGuild, typed: str) -> InteractionResult:
    """Pick from the autocomplete as Discord's picker does: the choice's value is sent."""
    choices = await user.autocomplete(sg.guild, "organization set", organization=typed)
    assert choices, f"no choice for {typed!r}"
    result = await user.slash(sg.guild, "organization set", organization=choices[0]["value"])
    assert result.ephemeral
    return result


async def start_meeting(sg: StandardGuild, channel: Channel, kind: str) -> Message:
    result = await sg.moderator.slash(sg.guild, "meeting start", channel=channel, kind=kind)
    assert "posted" in (await result.wait_message()).content
    opening = channel.last_message()
    assert opening is not None
    return opening


async def end_meeting(sg: StandardGuild, channel: Channel) -> None:
    result = await sg.moderator.slash(sg.guild, "meeting end", channel=channel)
    assert "is closed" in (await result.wait_message()).content


def mod_log_lines(sg: StandardGuild, needle: str) -> list[str]:
    assert sg.mod_log is not None
    return [m.content for m in sg.mod_log.all_messages() if needle in m.content]


async def forged_click(emulator: Emulator, sg: StandardGuild, user: ScriptedUser, source: Message,
                       custom_id: str) -> InteractionResult:
    channel = emulator.world.channels[source.channel_id]
    rec = emulator.interactions.dispatch(emulator.world.bots[sg.bot.id], user.user, sg.guild, channel, I.COMPONENT,
                                         {"custom_id": custom_id, "component_type": 2}, source=source)
    return await InteractionResult.wait(emulator, rec, None, True)


async def test_organizations_check_ins_report_and_own_figure(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    guild = sg.guild
    for name in (HRN, CRA, QUIET):
        await add_organization(sg, name)
    again = await sg.moderator.slash(guild, "mod-organization add", name="  harm   reduction NOW ")
    assert again.ephemeral and "already on the list" in again.text
    listed = await sg.moderator.slash(guild, "mod-organization list")
    assert listed.ephemeral and all(n in listed.text for n in (HRN, CRA, QUIET)) and "(3)" in listed.text
    async with bot_in_process.bot.sessions() as session:
        entries = await audit.recent(session, guild.id, action_prefix="attendance.organization")
    assert len(entries) == 3 and {e.actor_id for e in entries} == {sg.moderator.id}
    assert all(e.subject and e.subject.startswith("organization:") for e in entries)  # IDs only, never the name

    ana, dee, ben, cy = [await person(emulator, sg, n) for n in ("Ana", "Dee", "Ben", "Cy")]
    choices = await ana.autocomplete(guild, "organization set", organization="")
    assert choices[0]["name"].startswith("Individual") and {c["name"] for c in choices[1:]} == {HRN, CRA, QUIET}
    saved = await represent(ana, sg, "harm")
    assert f"you represent **{HRN}**" in saved.text
    await represent(dee, sg, "harm")
    await represent(ben, sg, "chicago")
    alone = await represent(cy, sg, "indiv")
    assert "as an individual" in alone.text
    await emulator.wait_for(lambda: len(mod_log_lines(sg, "says they represent")) == 3,
                            description="one mod-log line per organization claimed")
    assert f"{ana.mention} says they represent **{HRN}** (`/organization set`)" in mod_log_lines(sg, "represent")

    # A monthly Coalition meeting: "I'm here" on the opening; replies are private; once per person.
    voice = guild.create_voice_channel("monthly-coalition-meeting")
    opening = await start_meeting(sg, voice, "monthly")
    assert opening.button(HERE)["custom_id"].startswith("attendance:here:")
    posted = len(voice.all_messages())
    first = await ana.click(opening, HERE)
    assert first.ephemeral and f"counts for **{HRN}**" in first.text
    second = await ana.click(opening, HERE)
    assert second.ephemeral and "already checked in" in second.text
    colleague = await dee.click(opening, HERE)
    assert colleague.ephemeral and HRN in colleague.text
    solo = await cy.click(opening, HERE)
    assert solo.ephemeral and "isn't counted" in solo.text
    assert len(voice.all_messages()) == posted and ana.name not in opening.content  # nothing public
    await end_meeting(sg, voice)
    await emulator.wait_for(lambda: opening.button(HERE).get("disabled"), description="I'm here closed")
    late = await forged_click(emulator, sg, ben, opening, opening.button(HERE)["custom_id"])
    assert late.ephemeral and "has ended" in late.text

    # The button survives a restart; a second monthly meeting; another kind of meeting takes no attendance.
    opening2 = await start_meeting(sg, voice, "monthly")
    await bot_in_process.restart()
    assert "counts for" in (await ben.click(opening2, HERE)).text
    await end_meeting(sg, voice)
    group = guild.create_voice_channel("advocacy-working-group")
    other = await start_meeting(sg, group, "other")
    assert [b["label"] for b in other.buttons] == ["I'll take notes"]
    assert len(await db_rows(bot_in_process, AttendanceCheckIn)) == 4  # Ana, Dee, Cy, then Ben

    # Staff: per organization, in plain words, against the 50% ask.
    report = await sg.moderator.slash(guild, "mod-attendance report")
    assert report.ephemeral
    text = report.text
    assert "Monthly meetings held: 2" in text
    assert f"**{HRN}**: attended 1 of 2 monthly meetings — meets the 50% ask" in text  # Ana and Dee: once
    assert f"**{CRA}**: attended 1 of 2 monthly meetings — meets the 50% ask" in text
    assert f"**{QUIET}**: attended 0 of 2 monthly meetings — below the 50% ask (1 of 2 would meet it)" in text
    assert text.index(QUIET) < text.index(HRN)  # whom to check in with first
    for name in ("Ana", "Dee", "Ben", "Cy"):
        assert name not in text  # organizations only, never a person
    empty = await sg.moderator.slash(guild, "mod-attendance report", year=2020)
    assert empty.ephemeral and "No monthly Coalition meetings were held in 2020" in empty.text

    # A member: their own organization's figure, and nobody else's.
    mine = await ana.slash(guild, "attendance mine")
    assert mine.ephemeral and f"**{HRN}**: attended 1 of 2 monthly meetings — meets the 50% ask" in mine.text
    assert CRA not in mine.text and QUIET not in mine.text and "Dee" not in mine.text
    none_then = await ana.slash(guild, "attendance mine", year=2020)
    assert "No monthly Coalition meetings were held in 2020" in none_then.text
    individual = await cy.slash(guild, "attendance mine")
    assert individual.ephemeral and "as an individual" in individual.text and HRN not in individual.text

    # Removing an organization: its people no longer represent it; past check-ins count for none.
    hrn = (await db_rows(bot_in_process, Organization, name=HRN))[0]
    removed = await sg.moderator.slash(guild, "mod-organization remove", organization=str(hrn.id))
    assert removed.ephemeral and f"Removed **{HRN}**" in removed.text
    assert await db_rows(bot_in_process, OrganizationAffiliation, organization_id=hrn.id) == []
    after = await ana.slash(guild, "attendance mine")
    assert "haven't said which organization" in after.text


async def test_members_cannot_run_moderator_commands_nor_read_another_organizations_figure(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    guild = sg.guild
    await add_organization(sg, HRN)
    await add_organization(sg, CRA)
    voice = guild.create_voice_channel("monthly-coalition-meeting")
    opening = await start_meeting(sg, voice, "monthly")
    ana, nosy = await person(emulator, sg, "Ana"), await person(emulator, sg, "Nosy")
    await represent(ana, sg, "harm")
    await ana.click(opening, HERE)
    await represent(nosy, sg, "chicago")

    hrn = (await db_rows(bot_in_process, Organization, name=HRN))[0]
    for command, options in [("mod-organization add", {"name": "Fake Org"}),
                             ("mod-organization remove", {"organization": str(hrn.id)}),
                             ("mod-organization list", {}), ("mod-attendance report", {}),
                             ("mod-attendance report", {"year": 2020}),
                             ("meeting start", {"channel": voice, "kind": "monthly"})]:
        refused = await nosy.slash(guild, command, **options)
        assert refused.ephemeral and "Only moderators" in refused.text, (command, refused.text)
        assert HRN not in refused.text
    assert {o.name for o in await db_rows(bot_in_process, Organization)} == {HRN, CRA}  # nothing added
    assert await nosy.autocomplete(guild, "mod-organization remove", organization="") == []

    # Their own figure only: /attendance mine names no organization, and a forged option naming one is ignored.
    mine = await nosy.slash(guild, "attendance mine")
    assert mine.ephemeral and CRA in mine.text and HRN not in mine.text
    bot = emulator.world.bots[sg.bot.id]
    command = next(c for c in sg.bot.commands_for(guild) if c["name"] == "attendance")
    data: dict[str, Any] = {"id": command["id"], "name": "attendance", "type": 1, "guild_id": str(guild.id),
                            "options": [{"name": "mine", "type": 1, "options": [
                                {"name": "organization", "type": 3, "value": str(hrn.id)}]}]}
    rec = emulator.interactions.dispatch(bot, nosy.user, guild, sg.general, I.APP_COMMAND, data)
    forged = await InteractionResult.wait(emulator, rec, None, True)
    assert forged.ephemeral and HRN not in forged.text
    # A forged "I'm here" carries a meeting, never an organization: it checks Nosy in for their own.
    here = await forged_click(emulator, sg, nosy, opening, opening.button(HERE)["custom_id"])
    assert here.ephemeral and CRA in here.text and HRN not in here.text
    # Nor can a typed value that isn't on the list make them represent anything.
    bogus = await nosy.slash(guild, "organization set", organization="999999")
    assert bogus.ephemeral and "couldn't find that organization" in bogus.text


async def test_mydata_shows_and_erases_check_ins_and_affiliation(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    guild = sg.guild
    await add_organization(sg, HRN)
    voice = guild.create_voice_channel("monthly-coalition-meeting")
    opening = await start_meeting(sg, voice, "monthly")
    ana, ben = await person(emulator, sg, "Ana"), await person(emulator, sg, "Ben")
    for user in (ana, ben):
        await represent(user, sg, "harm")
        await user.click(opening, HERE)

    shown = await ana.slash(guild, "mydata show")
    await shown.wait_message(lambda m: bool(m.text))
    text = "\n".join(m.text for m in shown.messages)
    assert "You said which organization you represent" in text
    assert "pressed \"I'm here\" at 1 monthly Coalition meeting." in text

    asked = await ana.slash(guild, "mydata delete")
    prompt = await asked.wait_message()
    assert "check-ins" in prompt.text
    await ana.click(prompt, "Yes, delete my data")
    await emulator.wait_for(lambda: "Done." in prompt.text, description="the erasure reply")
    assert await db_rows(bot_in_process, AttendanceCheckIn, user_id=ana.id) == []
    assert await db_rows(bot_in_process, OrganizationAffiliation, user_id=ana.id) == []
    async with bot_in_process.bot.sessions() as session:
        assert await privacy_repo.tables_mentioning(session, ana.id) == []
    # Ben's check-in still counts for the organization.
    assert len(await db_rows(bot_in_process, AttendanceCheckIn, user_id=ben.id)) == 1
    report = await sg.moderator.slash(guild, "mod-attendance report")
    assert f"**{HRN}**: attended 1 of 1 monthly meeting — meets the 50% ask" in report.text


async def test_an_organizations_contact_says_it_cannot_participate(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    guild = sg.guild
    await add_organization(sg, HRN)
    ana, cy = await person(emulator, sg, "Ana"), await person(emulator, sg, "Cy")

    # Not representing an organization: told kindly, pointed to stepping back, their reason given back.
    refused = await cy.slash(guild, "organization cannot-participate", reason="we lost our grant")
    assert refused.ephemeral and "/organization set" in refused.text and "/membership step-back" in refused.text
    assert "we lost our grant" in refused.text
    assert mod_log_lines(sg, "can't participate") == []

    await represent(ana, sg, "harm")
    said = await ana.slash(guild, "organization cannot-participate")
    assert said.ephemeral and "not a punishment" in said.text and HRN in said.text
    await emulator.wait_for(lambda: mod_log_lines(sg, "can't participate") == [
        f"{ana.mention} says **{HRN}** can't participate at the agreed level right now "
        "(attending 50% of monthly Coalition meetings)"], description="one mod-log line")
    again = await ana.slash(guild, "organization cannot-participate", reason="@everyone [x](https://evil.example)")
    assert again.ephemeral and "a few minutes ago" in again.text
    assert len(mod_log_lines(sg, "can't participate")) == 1  # not posted twice
    assert (await db_rows(bot_in_process, Organization, name=HRN))  # nothing else changes


async def test_a_cannot_participate_reason_is_one_defused_line(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    await add_organization(sg, HRN)
    bo = await person(emulator, sg, "Bo")
    await represent(bo, sg, "harm")
    said = await bo.slash(sg.guild, "organization cannot-participate", reason="@everyone\n# [x](https://evil.example)")
    assert said.ephemeral and "not a punishment" in said.text
    (line,) = await emulator.wait_for(lambda: mod_log_lines(sg, "can't participate"), description="the line")
    assert line.startswith(f"{bo.mention} says **{HRN}** can't participate") and "Their reason: " in line
    assert "\n" not in line and "@everyone" not in line and "@\u200beveryone" in line
    assert "](" not in line.replace("\\](", "")
