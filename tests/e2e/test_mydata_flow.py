"""/mydata show, export and delete for a member with data in every feature, created through
the features' own screens: onboarding (with a question and a COI pick), a meeting note-taker
volunteer, a named and an anonymous repair case. After delete, no table holds their ID.

`member_with_everything` is reused by test_logs_clean.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from db.models import Meeting, RepairCase
from db.repositories import privacy as repo
from tests.conftest import GuildBuilder, StandardGuild
from tests.emulator import Emulator, ScriptedUser

from .conftest import InProcessBot, RunBot
from .test_onboarding_flow import TOTAL, advance, first_step, newcomer, step_no
from .test_repair_e2e import case_place, file_request, summary_of

QUESTION = "Is it safe to join if I am on probation? QMARK-4417"
NAMED_CASE = "Someone shared my story outside the meeting CASEMARK-9051"
ANON_CASE = "A facilitator mocked people who use ANONMARK-3302"
RELAY = "Adding one more detail for the moderators RELAYMARK-7710"
NOTES = "I'll take notes"
CONFIG = {"repair": {"cooldown_minutes": 0}}  # two cases in a row


@dataclass
class Everything:
    user: ScriptedUser
    named_case: int
    anonymous_case: int


async def member_with_everything(emulator: Emulator, sg: StandardGuild, name: str = "Riley",
                                 relay: bool = False) -> Everything:
    """A newcomer goes through onboarding (asks a question, picks a COI group, says yes),
    volunteers as note-taker and files a named case (in the server) and an anonymous one (in DM)."""
    assert sg.moderators is not None
    riley = await newcomer(emulator, sg, name)
    msg = await advance(riley, await first_step(riley), 3)
    opened = await riley.click(msg, "I have a question")
    assert opened.modal is not None
    await opened.modal.submit({"Your question": QUESTION})
    await emulator.wait_for(lambda: any(QUESTION in m.content for m in sg.moderators.messages()),  # type: ignore[union-attr]
                            description="the question to reach the moderators")
    msg = await advance(riley, msg, TOTAL, coi=["Funders"])
    assert step_no(msg) == TOTAL
    await riley.click(msg, "Yes")
    await emulator.wait_for(lambda: riley.has_role(sg.guild, "Member"), description="the Member role")
    assert riley.has_role(sg.guild, "COI: Funders")

    voice = sg.guild.create_voice_channel("coalition-call")
    started = await sg.moderator.slash(sg.guild, "meeting start", channel=voice, kind="other")
    await started.wait_message()
    opening = voice.last_message()
    assert opening is not None
    await riley.click(opening, NOTES)

    await file_request(riley, sg.guild, what=NAMED_CASE)
    await summary_of(emulator, await case_place(emulator, sg, 1))
    await file_request(riley, None, anonymous=True, what=ANON_CASE)
    second = await case_place(emulator, sg, 2)
    await summary_of(emulator, second)
    if relay:
        sent = await riley.send_dm(sg.bot, RELAY)
        # Two open cases: the bot asks which one the message is for.
        picker = await riley.wait_dm(lambda m: bool(m.selects), after=sent)
        await riley.select(picker, [f"Case #2 — {sg.guild.name}"])
        await emulator.wait_for(lambda: any("RELAYMARK" in m.text for m in second.all_messages()),
                                description="the relay to reach case #2")
    return Everything(riley, 1, 2)


async def show(user: ScriptedUser, guild: object) -> str:
    result = await user.slash(guild, "mydata show")  # type: ignore[arg-type]
    await result.wait_message(lambda m: bool(m.text))
    assert result.ephemeral or guild is None
    return "\n".join(m.text for m in result.messages)


async def test_show_export_delete_for_a_member_in_every_feature(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    bot_in_process = await run_bot(sg, config=CONFIG)
    everything = await member_with_everything(emulator, sg)
    riley = everything.user
    bot = bot_in_process.bot
    async with bot.sessions() as session:
        before = await repo.tables_mentioning(session, riley.id)
    assert {"membership.user_id", "onboarding_question.user_id", "coi_tag.user_id",
            "meeting.notetaker_id"} <= set(before), before

    # --- show: plain language, every feature, only for them -------------------------------
    text = await show(riley, sg.guild)
    assert "What I hold about you" in text
    assert "you said yes to the agreements" in text
    assert "Questions you asked during onboarding: 1" in text and "QMARK-4417" in text
    assert "Conflict of interest (COI) tags: Funders" in text
    assert "take notes at 1 meeting:" in text
    assert "Repair case #1 you filed" in text
    assert "Repair case #2 you filed (anonymous — only you can see this link)" in text
    # Asking again at once is answered kindly (one person repeating it must not slow everyone else).
    again = await riley.slash(sg.guild, "mydata show")
    assert again.ephemeral and "please ask again in about" in again.text
    bot.clock.advance(timedelta(seconds=11))
    dm_text = await show(riley, None)  # in the DM: every server we share
    assert "Repair case #2 you filed (anonymous" in dm_text and sg.guild.name in dm_text

    other = emulator.create_user("Sam")
    await other.join(sg.guild)
    sams = await show(other, sg.guild)
    assert "QMARK" not in sams and "Repair case" not in sams and "COI) tags" not in sams, "only their own data"

    # --- export: the same, as a JSON file only they can see ---------------------------------
    bot.clock.advance(timedelta(seconds=11))
    exported = await riley.slash(sg.guild, "mydata export")
    message = await exported.wait_message(lambda m: bool(m.attachments))
    assert exported.ephemeral and message.ephemeral_for == riley.id
    (attachment,) = message.attachments
    assert attachment.filename == "my-data.json"
    document = json.loads(attachment.data)
    assert document["user_id"] == str(riley.id)
    (server,) = document["servers"]
    tables = {r["table"] for r in server["records"]}
    assert {"membership", "onboarding_question", "coi_tag", "meeting"} <= tables
    cases = {c["number"]: c for c in server["repair_cases_you_filed"]}
    assert cases[1]["what_happened"] == NAMED_CASE and cases[2]["what_happened"] == ANON_CASE
    assert cases[2]["anonymous"] is True
    question = next(r for r in server["records"] if r["table"] == "onboarding_question")
    assert question["fields"]["question"] == QUESTION

    # --- delete: confirmation first; "keep" changes nothing --------------------------------
    asked = await riley.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    assert asked.ephemeral
    assert "remove your COI roles" in prompt.text and "not** remove your Member role" in prompt.text
    assert "former member" in prompt.text
    kept = await riley.click(prompt, "No, keep my data")
    assert kept.type == 7 and "nothing was deleted" in prompt.text
    async with bot.sessions() as session:
        assert await repo.tables_mentioning(session, riley.id) == before

    asked = await riley.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    await riley.click(prompt, "Yes, delete my data")
    done = await emulator.wait_for(lambda: "Done." in prompt.text and prompt, description="the erasure reply")
    assert "repair cases; they now show" in done.text and "1 COI role from you" in done.text and prompt.buttons == []

    # Every column of every table, searched for the ID as an integer and as text: nothing.
    async with bot.sessions() as session:
        assert await repo.tables_mentioning(session, riley.id) == []
        cases_left = (await session.execute(select(RepairCase).order_by(RepairCase.number))).scalars().all()
        meeting = (await session.execute(select(Meeting))).scalar_one()
    assert [c.number for c in cases_left] == [1, 2], "the cases stay with the moderators"
    assert all(c.requester_enc is None and c.requester_index is None for c in cases_left)
    assert meeting.notetaker_id is None
    # In Discord: the COI role is gone, the Member role stays.
    assert not riley.has_role(sg.guild, "COI: Funders") and riley.has_role(sg.guild, "Member")
    # Moderators now see "former member" on the named case.
    export = await sg.moderator.slash(sg.guild, "mod-repair export", case=1, in_channel=sg.moderators)
    transcript = await export.wait_message(lambda m: bool(m.attachments))
    body = transcript.attachments[0].data.decode()
    assert "Requester: Former member" in body and NAMED_CASE in body
    # The summary the bot posted in the case thread is re-rendered without their mention.

    def summary_requester() -> str | None:
        for thread in sg.guild.threads():
            for message in thread.messages():
                for embed in message.embeds:
                    if embed.get("title") == "Repair case #1":
                        return next(f["value"] for f in embed.get("fields", []) if f["name"] == "Requester")
        return None

    await emulator.wait_for(lambda: summary_requester() == "Former member", description="summary re-rendered")
    after = await show(riley, sg.guild)
    assert "Repair case" not in after and "QMARK" not in after and "COI) tags" not in after


async def test_delete_from_dm_covers_every_server_and_only_the_person(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    riley = emulator.create_user("Riley")
    sam = emulator.create_user("Sam")
    await riley.join(sg.guild)
    await sam.join(sg.guild)
    for person in (riley, sam):
        await file_request(person, None, anonymous=True, what=ANON_CASE)
    asked = await riley.slash(None, "mydata delete")
    prompt = await asked.wait_message()
    assert "every server we share" in prompt.text
    await riley.click(prompt, "Yes, delete my data")
    await emulator.wait_for(lambda: "Done." in prompt.text, description="the erasure reply")
    async with bot_in_process.bot.sessions() as session:
        cases = (await session.execute(select(RepairCase).order_by(RepairCase.number))).scalars().all()
        assert await repo.tables_mentioning(session, riley.id) == []
    cipher = bot_in_process.bot.cipher
    assert cases[0].requester_index is None
    assert cases[1].requester_index == cipher.blind_index(sg.guild.id, str(sam.id)), "Sam's link is untouched"
    assert "Repair case #2 you filed (anonymous" in await show(sam, sg.guild)


async def test_two_servers_dm_shows_both_and_a_server_delete_touches_only_that_server(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    first = build_guild()
    second = build_guild(name="Second Coalition")
    bot = await run_bot(first)
    await emulator.wait_bot_ready(first.bot, second.guild)
    riley = emulator.create_user("Riley")
    for sg in (first, second):
        await riley.join(sg.guild, roles=[sg.guild.role("Member")])
        panel = await (await riley.slash(sg.guild, "coi tag")).wait_message()
        await riley.select(panel, ["funders"])
        await emulator.wait_for(lambda sg=sg: riley.has_role(sg.guild, "COI: Funders"), description="COI role")

    both = await show(riley, None)
    assert "**IHRRC**" in both and "**Second Coalition**" in both
    assert both.count("Conflict of interest (COI) tags: Funders") == 2

    asked = await riley.slash(first.guild, "mydata delete")
    prompt = await asked.wait_message()
    assert "in **IHRRC**" in prompt.text
    await riley.click(prompt, "Yes, delete my data")
    await emulator.wait_for(lambda: "Done." in prompt.text, description="the erasure reply")
    assert not riley.has_role(first.guild, "COI: Funders") and riley.has_role(second.guild, "COI: Funders")
    async with bot.bot.sessions() as session:
        left = await repo.collect(session, bot.bot.cipher, riley.id, None)
    assert {(f.table, f.row["guild_id"]) for f in left.found if f.table == "coi_tag"} == {("coi_tag", second.guild.id)}
    assert not [f for f in left.found if f.row.get("guild_id") == first.guild.id]
