"""Repair & justice requests, end to end: the real bot against the emulated Discord."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.languages import LANGUAGES
from db.models import AuditEntry, RepairCase, RepairEvent
from tests.conftest import GuildBuilder, StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser
from tests.emulator import permissions as P

from .conftest import InProcessBot, RunBot

WHAT = "At the March meeting someone talked over me repeatedly and dismissed my lived experience."
WHO = "A member from the policy working group."
HELP = "An acknowledgement, and a conversation about how we share the floor."
CW = "mentions of stigma around drug use"


# --- helpers (also used by test_repair_restart.py) ------------------------------------------


# What a requester reads, in each language the bot speaks (issue 16): the tests file and follow a case
# in either, while what moderators read stays in the server's language (English here).
WORDS: dict[str, dict[str, str]] = {
    "en": {"named": "File with my name", "anonymous": "File anonymously", "case": "case #",
           "given_back": "Here is what you wrote", "describe": "describe what happened",
           "reply": "A message from the moderators", "closed": "What was done", "passed": "Passed on",
           "text_only": "only pass on text", "option": "Case #{number} — {server}", "erase": "Yes, delete my data",
           "erased": "Done."},
    "es": {"named": "Presentar con mi nombre", "anonymous": "Presentar de forma anónima", "case": "caso n.º ",
           "given_back": "Aquí tienes lo que escribiste", "describe": "describe qué pasó",
           "reply": "Un mensaje de los moderadores", "closed": "Qué se hizo", "passed": "Se lo pasé",
           "text_only": "Solo puedo pasarles texto", "option": "Caso n.º {number} — {server}",
           "erase": "Sí, borra mis datos", "erased": "Listo."},
}
LOCALES = {"en": "en-US", "es": "es-419"}


def speaks(handle: InProcessBot, user: ScriptedUser, language: str) -> ScriptedUser:
    """`user`'s Discord app speaks `language` (every interaction carries its locale), and they chose it,
    so DMs sent to them outside their own interactions (a moderator's reply) are in it too."""
    user.user.locale = LOCALES[language]
    handle.bot.services[LANGUAGES].remember(user.id, language)
    return user


def case_number(receipt: Message) -> int | None:
    found = re.search(r"(?:case #|caso n\.º )(\d+)", receipt.text)
    return int(found.group(1)) if found else None


async def file_request(user: ScriptedUser, guild: Any, *, anonymous: bool = False, exclude: list[Any] = (),  # type: ignore[assignment]
                       what: str = WHAT, who: str | None = WHO, help: str | None = HELP,
                       cw: str | None = CW, language: str = "en") -> Message:
    """Run /repair request (guild=None: in the DM) through to the receipt; return the receipt.
    `language`: the one the requester reads (see `speaks`)."""
    words = WORDS[language]
    started = await user.slash(guild, "repair request")
    step = started.message
    assert step is not None and step.ephemeral, started
    if exclude:
        await user.select(step, [str(getattr(m, "id", m)) for m in exclude], custom_id=step.selects[0]["custom_id"])
    chosen = await user.click(step, words["anonymous"] if anonymous else words["named"])
    assert chosen.modal is not None, chosen.text
    values = {"what": what}
    values.update({k: v for k, v in (("who", who), ("help", help), ("cw", cw)) if v is not None})
    submitted = await chosen.modal.submit(values)
    return await submitted.wait_message(lambda m: words["case"] in m.text or words["given_back"] in m.text)


async def case_place(emu: Emulator, sg: StandardGuild, number: int = 1) -> Channel:
    name = f"case-{number}"
    return await emu.wait_for(lambda: sg.guild.find_channel(name), description=f"#{name} to be created")  # type: ignore[no-any-return]


async def summary_of(emu: Emulator, place: Channel) -> Message:
    def find() -> Message | None:
        return next((m for m in place.all_messages() if m.embeds and m.buttons), None)
    return await emu.wait_for(find, description="the case summary")  # type: ignore[no-any-return]


def field(msg: Message, name: str) -> str:
    embed = msg.embeds[0]
    return next(f["value"] for f in embed.get("fields", []) if f["name"] == name)


async def make_moderator(sg: StandardGuild, name: str) -> ScriptedUser:
    assert sg.moderator_role is not None
    user = sg.emu.create_user(name)
    await user.join(sg.guild, roles=[sg.moderator_role])
    return user


async def db_rows(bot: InProcessBot, model: Any) -> list[Any]:
    async with bot.bot.sessions() as session:
        return list((await session.execute(select(model))).scalars())


@pytest.fixture
async def member(standard_guild: StandardGuild) -> ScriptedUser:
    alex = standard_guild.emu.create_user("Alex Member")
    await alex.join(standard_guild.guild)
    return alex


# --- filing ---------------------------------------------------------------------------------------


async def test_named_filing_in_server_routes_thread_with_summary(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg = standard_guild
    receipt = await file_request(member, sg.guild)
    assert "case #1" in receipt.text and "What happens next" in receipt.text
    assert "Transformative Justice" in receipt.text  # content.repair.resource
    # saved before the receipt: the row exists, with the text encrypted
    cases = await db_rows(bot_in_process, RepairCase)
    assert [c.number for c in cases] == [1]
    assert WHAT.encode() not in cases[0].what_happened_enc

    thread = await case_place(emulator, sg)
    assert thread.type == 12 and thread.parent_id == sg.moderators.id  # type: ignore[union-attr]
    summary = await summary_of(emulator, thread)
    text = summary.text
    assert "Repair case #1" in text and member.mention in field(summary, "Requester")
    description = summary.embeds[0]["description"]
    assert description.index(CW) < description.index(WHAT), "content warning comes first"
    assert WHO in text and HELP in text
    assert [b["label"] for b in summary.buttons] == ["Acknowledge", "Assign to me", "Reply to requester",
                                                     "Add note", "Close with resolution", "Reopen"]
    assert sg.moderator.id in thread.thread_members
    assert sg.moderator.can_view(thread) and not member.can_view(thread)
    assert not summary.pings_anyone


async def test_anonymous_filing_from_dm_never_shows_identity(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg = standard_guild
    receipt = await file_request(member, None, anonymous=True)
    assert "case #1" in receipt.text and "anonymous" in receipt.text
    assert receipt.channel_id == member.dm_channel().id  # type: ignore[union-attr]
    thread = await case_place(emulator, sg)
    summary = await summary_of(emulator, thread)
    assert field(summary, "Requester") == "Anonymous requester"
    # nowhere in the server: no message, embed or channel name carries the requester's identity
    for channel in sg.guild.channels.values():
        assert str(member.id) not in channel.name and member.name not in channel.name
        for msg in channel.all_messages(include_ephemeral=True):
            assert str(member.id) not in msg.text and member.name not in msg.text, msg.text
    case = (await db_rows(bot_in_process, RepairCase))[0]
    assert case.anonymous and str(member.id).encode() not in (case.requester_enc or b"")
    filed = [e for e in await db_rows(bot_in_process, RepairEvent) if e.kind == "filed"]
    assert filed and filed[0].actor_id is None


# --- case buttons and the status workflow ---------------------------------------------------------


async def test_each_button_and_transition_with_refusals(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg, mod = standard_guild, standard_guild.moderator
    await file_request(member, sg.guild)
    thread = await case_place(emulator, sg)
    summary = await summary_of(emulator, thread)

    acked = await mod.click(summary, "Acknowledge")
    assert acked.type == 7 and field(summary, "Status") == "Acknowledged"
    dm = await member.wait_dm(lambda m: "acknowledged" in m.text)
    assert "the moderators" in dm.text and mod.name not in dm.text

    again = await mod.click(summary, "Acknowledge")
    assert again.ephemeral and "already been acknowledged" in again.text
    assert field(summary, "Status") == "Acknowledged"

    await mod.click(summary, "Assign to me")
    assert field(summary, "Status") == "In progress" and mod.mention in field(summary, "Assigned to")

    opened = await mod.click(summary, "Reply to requester")
    assert opened.modal is not None
    before = member.last_dm()
    await opened.modal.submit({"text": "Thank you for telling us. Could we talk on Thursday?"})
    reply = await member.wait_dm(lambda m: "Thursday" in m.text, after=before)
    assert "— the moderators" in reply.text and mod.name not in reply.text and str(mod.id) not in reply.text

    noted = await mod.click(summary, "Add note")
    assert noted.modal is not None
    before = member.last_dm()
    await noted.modal.submit({"text": "Spoke with the facilitator."})
    await emulator.wait_for(lambda: any("Spoke with the facilitator" in m.text for m in thread.all_messages()))
    assert member.last_dm() is before, "notes are for moderators only"

    closing = await mod.click(summary, "Close with resolution")
    assert closing.modal is not None
    await closing.modal.submit({"outcome": ["resolved"], "text": "We met and agreed on meeting norms."})
    await emulator.wait_for(lambda: field(summary, "Status") == "Resolved")
    closed_dm = await member.wait_dm(lambda m: "resolved" in m.text)
    assert "agreed on meeting norms" in closed_dm.text

    twice = await mod.click(summary, "Close with resolution")
    assert twice.modal is None and twice.ephemeral and "already closed" in twice.text

    await mod.click(summary, "Reopen")
    assert field(summary, "Status") == "Reopened"
    again_open = await mod.click(summary, "Reopen")
    assert "still open" in again_open.text

    outsider = emulator.create_user("Not A Mod")
    await outsider.join(sg.guild)
    refused = await outsider.click(summary, "Acknowledge")
    assert refused.ephemeral and "Only moderators" in refused.text

    events = [e.kind for e in await db_rows(bot_in_process, RepairEvent)]
    assert events == ["filed", "routed", "ack", "assign", "reply", "note", "close", "reopen"]
    audits = [(a.action, a.subject) for a in await db_rows(bot_in_process, AuditEntry)
              if a.action.startswith("repair.")]
    assert audits == [(f"repair.{k}", "case:1") for k in ("ack", "assign", "reply", "note", "close", "reopen")]
    assert all(a.actor_id == mod.id for a in await db_rows(bot_in_process, AuditEntry)
               if a.action.startswith("repair."))


# --- relay both ways ------------------------------------------------------------------------------


async def test_relay_both_ways_and_case_picker(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot, member: ScriptedUser) -> None:
    sg = standard_guild
    await run_bot(sg, config={"repair": {"cooldown_minutes": 0}})
    await file_request(member, sg.guild, anonymous=True)
    first = await case_place(emulator, sg, 1)
    await summary_of(emulator, first)

    await member.send_dm(sg.bot, "One more thing: it happened twice.")
    relayed = await emulator.wait_for(lambda: next((m for m in first.all_messages() if "happened twice" in m.text),
                                                   None))
    assert "Anonymous requester" in relayed.text and member.name not in relayed.text
    assert str(member.id) not in relayed.text and not relayed.pings_anyone
    ack = await member.wait_dm(lambda m: "Passed on" in m.text)
    assert "case #1" in ack.text

    # moderator → requester goes through the Reply button (covered above); here: the second case and the picker
    await file_request(member, sg.guild, what="A second, separate matter.")
    second = await case_place(emulator, sg, 2)
    await summary_of(emulator, second)
    sent = await member.send_dm(sg.bot, "This is about the second matter.")
    picker = await member.wait_dm(lambda m: bool(m.selects), after=sent)
    picked = await member.select(picker, ["Case #2 — IHRRC"])
    assert picked.type == 6, "answered at once (deferred, the same for every pick), then edited into the receipt"
    await emulator.wait_for(lambda: any("second matter" in m.text for m in second.all_messages()))
    assert not any("second matter" in m.text for m in first.all_messages())
    await emulator.wait_for(lambda: "Passed on" in picker.text, description="the picker turned into the receipt")
    assert "case #2" in picker.text


# --- conflicted moderators ------------------------------------------------------------------------


async def test_excluded_moderator_not_added_to_thread_and_cannot_act(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    sg = build_guild()
    # Moderators here cannot see every private thread (no Manage Threads): a thread hides the case.
    assert sg.moderator_role is not None
    sg.moderator_role.permissions &= ~P.MANAGE_THREADS
    conflicted = await make_moderator(sg, "Casey Conflicted")
    bot = await run_bot(sg)
    alex = emulator.create_user("Alex Member")
    await alex.join(sg.guild)
    await file_request(alex, sg.guild, exclude=[conflicted])

    thread = await case_place(emulator, sg)
    assert thread.type == 12
    summary = await summary_of(emulator, thread)
    assert conflicted.id not in thread.thread_members and not conflicted.can_view(thread)
    assert sg.moderator.id in thread.thread_members and sg.moderator.can_view(thread)
    assert conflicted.mention in field(summary, "Kept away from this case")

    for label in ("Acknowledge", "Assign to me", "Reply to requester", "Close with resolution"):
        refused = await conflicted.click(summary, label)
        assert refused.ephemeral and "asked that you not handle it" in refused.text, label
        assert refused.modal is None
    listed = await conflicted.slash(sg.guild, "mod-repair cases", in_channel=sg.moderators)
    assert "#1" not in listed.text
    export = await conflicted.slash(sg.guild, "mod-repair export", case=1, in_channel=sg.moderators)
    assert "asked that you not handle it" in export.text and not export.message.attachments  # type: ignore[union-attr]
    assert field(summary, "Status").startswith("Submitted")
    assert [e.kind for e in await db_rows(bot, RepairEvent)] == ["filed", "routed"]


async def test_excluded_moderator_with_manage_threads_gets_a_private_channel_instead(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    """Discord shows every private thread to Manage Threads holders, so the case gets its own channel."""
    sg = standard_guild
    other = await make_moderator(sg, "Riley Reviewer")
    await file_request(member, sg.guild, exclude=[sg.moderator])
    place = await case_place(emulator, sg)
    assert place.type == 0, "a channel, not a thread"
    await summary_of(emulator, place)
    assert not sg.moderator.can_view(place)
    assert other.can_view(place) and not member.can_view(place)


async def test_everyone_excluded_goes_to_alternate_reviewers(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    sg = build_guild()
    reviewers = sg.guild.create_role("Alternate Reviewers")
    elder = emulator.create_user("Elder Reviewer")
    await elder.join(sg.guild, roles=[reviewers])
    alt_channel = sg.guild.create_text_channel("alternate-review", overwrites={
        sg.guild.id: (0, P.VIEW_CHANNEL), reviewers.id: (P.VIEW_CHANNEL, 0), sg.bot.id: (P.VIEW_CHANNEL, 0)})
    bot = await run_bot(sg, config={"guild": {"alternate_reviewers_role": "Alternate Reviewers",
                                              "alternate_reviewers_channel": "alternate-review"}})
    alex = emulator.create_user("Alex Member")
    await alex.join(sg.guild)
    # every moderator: Morgan (role) and the owner (Manage Server)
    receipt = await file_request(alex, sg.guild, exclude=[sg.moderator, sg.owner])
    assert "alternate reviewers" in receipt.text
    thread = await case_place(emulator, sg)
    assert thread.parent_id == alt_channel.id
    summary = await summary_of(emulator, thread)
    assert elder.id in thread.thread_members
    assert sg.moderator.id not in thread.thread_members and not sg.moderator.can_view(thread)
    # the alternate reviewer can act; the excluded moderator cannot
    await elder.click(summary, "Acknowledge")
    assert field(summary, "Status") == "Acknowledged"
    refused = await sg.moderator.click(summary, "Assign to me")
    assert "asked that you not handle it" in refused.text
    cases = await db_rows(bot, RepairCase)
    assert cases[0].routed_to_alternates


async def test_everyone_excluded_without_alternates_waits_honestly(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg = standard_guild
    receipt = await file_request(member, sg.guild, exclude=[sg.moderator, sg.owner])
    assert "no alternate reviewers set up yet" in receipt.text
    assert sg.mod_log is not None
    notice = await emulator.wait_for(lambda: next((m for m in sg.mod_log.all_messages()
                                                   if "alternate" in m.text), None))
    assert WHAT not in notice.text and member.name not in notice.text and str(member.id) not in notice.text
    await bot_in_process.bot.get_cog("RepairCog").run_due_jobs()
    assert sg.guild.find_channel("case-1") is None
    assert len([m for m in sg.mod_log.all_messages() if "alternate" in m.text]) == 1, "told once, not every minute"


# --- reminder, export, limits -----------------------------------------------------------------------


async def test_one_reminder_after_the_ack_deadline(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg, bot = standard_guild, bot_in_process.bot
    cog = bot.get_cog("RepairCog")
    await file_request(member, sg.guild)
    thread = await case_place(emulator, sg)
    await summary_of(emulator, thread)

    def reminders() -> list[Message]:
        return [m for m in thread.all_messages() if "Reminder" in m.text]

    bot.clock.advance(timedelta(hours=47))
    await cog.run_due_jobs()
    assert reminders() == []
    bot.clock.advance(timedelta(hours=2))
    await cog.run_due_jobs()
    await cog.run_due_jobs()
    assert len(reminders()) == 1
    reminder = reminders()[0]
    assert sg.moderator_role is not None
    assert reminder.pinged_role_ids == [sg.moderator_role.id]
    assert reminder.pinged_user_ids == [] and not reminder.pings_everyone
    bot.clock.advance(timedelta(hours=72))
    await cog.run_due_jobs()
    assert len(reminders()) == 1, "one reminder only"


async def test_acknowledged_case_gets_no_reminder(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg, bot = standard_guild, bot_in_process.bot
    await file_request(member, sg.guild)
    thread = await case_place(emulator, sg)
    await sg.moderator.click(await summary_of(emulator, thread), "Acknowledge")
    bot.clock.advance(timedelta(hours=100))
    await bot.get_cog("RepairCog").run_due_jobs()
    assert not [m for m in thread.all_messages() if "Reminder" in m.text]


async def test_export_transcript_keeps_anonymous_anonymous(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg, mod = standard_guild, standard_guild.moderator
    await file_request(member, sg.guild, anonymous=True)
    thread = await case_place(emulator, sg)
    summary = await summary_of(emulator, thread)
    await mod.click(summary, "Acknowledge")
    await member.send_dm(sg.bot, "Adding: it was at the March meeting.")
    await emulator.wait_for(lambda: any("March meeting." in m.text for m in thread.all_messages()))

    result = await mod.slash(sg.guild, "mod-repair export", case=1, in_channel=sg.moderators)
    reply = await result.wait_message(lambda m: bool(m.attachments))
    assert reply.ephemeral
    text = reply.attachments[0].data.decode()
    assert reply.attachments[0].filename == "case-1.txt"
    for expected in ("Repair case #1", WHAT, WHO, HELP, CW, "Anonymous requester", "acknowledged the case",
                     "Adding: it was at the March meeting."):
        assert expected in text, expected
    assert member.name not in text and str(member.id) not in text
    assert mod.name in text  # moderators' own actions are named in the internal record

    outsider = await mod.slash(sg.guild, "mod-repair export", case=7, in_channel=sg.moderators)
    assert "no case #7" in outsider.text
    nonmod = await member.slash(sg.guild, "mod-repair export", case=1)
    assert "Only moderators" in nonmod.text and not nonmod.message.attachments  # type: ignore[union-attr]


async def test_cases_list_for_moderators_only(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg = standard_guild
    await file_request(member, sg.guild)
    await case_place(emulator, sg)
    listed = await sg.moderator.slash(sg.guild, "mod-repair cases", in_channel=sg.moderators)
    assert listed.ephemeral and "#1" in listed.text and "Submitted" in listed.text
    closed = await sg.moderator.slash(sg.guild, "mod-repair cases", status="closed", in_channel=sg.moderators)
    assert "No cases" in closed.text
    refused = await member.slash(sg.guild, "mod-repair cases")
    assert "Only moderators" in refused.text


async def test_limits_cooldown_and_max_open(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot, member: ScriptedUser) -> None:
    sg = standard_guild
    handle = await run_bot(sg, config={"repair": {"max_open_per_member": 2, "cooldown_minutes": 10}})
    await file_request(member, sg.guild)
    cooled = await member.slash(sg.guild, "repair request")
    assert cooled.ephemeral and "pause of 10 minutes" in cooled.text and "<t:" in cooled.text
    assert not cooled.message.buttons  # type: ignore[union-attr]
    handle.bot.clock.advance(timedelta(minutes=11))
    await file_request(member, None, anonymous=True)  # anonymous cases count too (by blind index)
    handle.bot.clock.advance(timedelta(minutes=11))
    full = await member.slash(None, "repair request")
    assert "2 open repair requests" in full.text
    assert len(await db_rows(handle, RepairCase)) == 2


# --- mention injection and encryption at rest -------------------------------------------------------


def all_bot_messages(emu: Emulator, sg: StandardGuild, *people: ScriptedUser) -> list[Message]:
    msgs = [m for ch in sg.guild.channels.values() for m in ch.all_messages(include_ephemeral=True)]
    for person in people:
        msgs += person.dm_messages()
    return [m for m in msgs if m.author.id == sg.bot.id]


async def test_mention_injection_never_pings(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg, mod = standard_guild, standard_guild.moderator
    assert sg.moderator_role is not None
    bait = (f"@everyone @here <@&{sg.moderator_role.id}> <@{sg.owner.id}> <@!{sg.owner.id}> "
            f"<@&{sg.guild.id}> please look")
    await file_request(member, sg.guild, what=bait, who=bait, help=bait, cw=bait)
    thread = await case_place(emulator, sg)
    summary = await summary_of(emulator, thread)
    await member.send_dm(sg.bot, bait + " RELAYEDMARK")
    await emulator.wait_for(lambda: any("RELAYEDMARK" in m.text for m in thread.all_messages()))
    note = await mod.click(summary, "Add note")
    await note.modal.submit({"text": bait + " NOTEMARK"})  # type: ignore[union-attr]
    reply = await mod.click(summary, "Reply to requester")
    await reply.modal.submit({"text": bait + " REPLYMARK"})  # type: ignore[union-attr]
    await member.wait_dm(lambda m: "REPLYMARK" in m.text)
    close = await mod.click(summary, "Close with resolution")
    await close.modal.submit({"outcome": ["closed"], "text": bait + " RESOLUTIONMARK"})  # type: ignore[union-attr]
    await member.wait_dm(lambda m: "RESOLUTIONMARK" in m.text)
    await emulator.wait_for(lambda: any("RESOLUTIONMARK" in m.text for m in thread.all_messages()))

    sent = all_bot_messages(emulator, sg, member)
    carrying = [m for m in sent if "please look" in m.text]
    assert len(carrying) >= 6, [m.text[:40] for m in carrying]
    for msg in sent:
        assert not msg.pings_anyone, msg.text
        assert msg.allowed_mentions is not None and msg.allowed_mentions.get("parse") == [], msg.allowed_mentions
    # the REST log agrees: every message the bot sent carried allowed_mentions with nothing to parse
    posts = emulator.requests(route="POST /channels/{channel_id}/messages", bot=sg.bot)
    assert posts and all(r.body.get("allowed_mentions", {}).get("parse") == [] for r in posts)
    assert all(not r.body.get("allowed_mentions", {}).get("roles") for r in posts)


async def stored_bytes(handle: InProcessBot) -> bytes:
    """SQLite: the raw database files (main + WAL + shared memory). PostgreSQL (CI's second run): the
    repair and audit rows as text (integers there print as digits, so other features' member rows are
    left out; bytea prints as hex, which the caller also searches)."""
    files = sorted(handle.directory.glob("bot.db*"))
    if files:
        return b"".join(p.read_bytes() for p in files)
    from sqlalchemy import text

    out = []
    async with handle.bot.sessions() as session:
        for table in ("repair_case", "repair_event", "audit_log"):
            rows = await session.execute(text(f'SELECT t::text FROM "{table}" t'))
            out += [str(r[0]).encode() for r in rows]
    return b"\n".join(out)


async def test_database_file_holds_no_case_text_or_anonymous_identity(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg, mod = standard_guild, standard_guild.moderator
    secrets_ = {
        "what": "Zebra-quartz: the harm happened at the needle exchange.",
        "who": "Yellow-lantern person from the board.",
        "help": "Violet-harbor conversation with a facilitator.",
        "cw": "Umber-kettle warning about overdose.",
    }
    await file_request(member, sg.guild, anonymous=True, what=secrets_["what"], who=secrets_["who"],
                       help=secrets_["help"], cw=secrets_["cw"])
    thread = await case_place(emulator, sg)
    summary = await summary_of(emulator, thread)
    relay_text = "Saffron-meadow: one more detail."
    await member.send_dm(sg.bot, relay_text)
    await emulator.wait_for(lambda: any("Saffron-meadow" in m.text for m in thread.all_messages()))
    for label, text in (("Add note", "Teal-compass note."), ("Reply to requester", "Indigo-willow reply.")):
        opened = await mod.click(summary, label)
        await opened.modal.submit({"text": text})  # type: ignore[union-attr]
    await member.wait_dm(lambda m: "Indigo-willow" in m.text)
    closing = await mod.click(summary, "Close with resolution")
    await closing.modal.submit({"outcome": ["resolved"], "text": "Magenta-river resolution."})  # type: ignore[union-attr]
    await member.wait_dm(lambda m: "Magenta-river" in m.text)
    await emulator.wait_for(lambda: any("Magenta-river" in m.text for m in thread.all_messages()))

    blobs = await stored_bytes(bot_in_process)
    assert b"repair.close" in blobs, "control: the audit entry written last is readable in the files"
    needles = [*secrets_.values(), relay_text, "Teal-compass", "Indigo-willow", "Magenta-river"]
    for needle in needles:
        marker = needle.split()[0].rstrip(":.")  # e.g. "Zebra-quartz": unique to this test
        for piece in (needle, marker):
            assert piece.encode() not in blobs, piece
            assert piece.encode("utf-16-le") not in blobs, piece
            assert piece.encode().hex().encode() not in blobs, piece
    assert str(member.id).encode() not in blobs, "the anonymous requester's ID never appears as text"
    async with bot_in_process.bot.sessions() as session:
        case = (await session.execute(select(RepairCase))).scalar_one()
        events = list((await session.execute(select(RepairEvent))).scalars())
    assert member.id not in {case.assignee_id, case.thread_id, case.summary_message_id}
    assert all(e.actor_id != member.id for e in events)
    assert case.requester_index != str(member.id) and len(case.requester_index or "") == 64


# --- more filing paths --------------------------------------------------------------------------------


@pytest.mark.parametrize(("in_dm", "anonymous"), [(False, True), (True, False)])
async def test_other_filing_combinations(emulator: Emulator, standard_guild: StandardGuild,
                                         bot_in_process: InProcessBot, member: ScriptedUser,
                                         in_dm: bool, anonymous: bool) -> None:
    sg = standard_guild
    receipt = await file_request(member, None if in_dm else sg.guild, anonymous=anonymous)
    assert "case #1" in receipt.text and receipt.ephemeral
    summary = await summary_of(emulator, await case_place(emulator, sg))
    requester = field(summary, "Requester")
    assert requester == ("Anonymous requester" if anonymous else member.mention)
    case = (await db_rows(bot_in_process, RepairCase))[0]
    assert case.anonymous is anonymous and case.guild_id == sg.guild.id


async def test_dm_filing_asks_which_server_when_several(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    first = build_guild()
    second = build_guild(name="Peer Support Circle")
    await run_bot(first)
    await emulator.wait_bot_ready(first.bot, second.guild)
    alex = emulator.create_user("Alex Member")
    await alex.join(first.guild)
    await alex.join(second.guild)
    asked = await alex.slash(None, "repair request")
    assert "Which server" in asked.text
    step = asked.message
    assert step is not None
    await alex.select(step, ["Peer Support Circle"])
    assert "Peer Support Circle" in step.text and step.button("File with my name")
    chosen = await alex.click(step, "File with my name")
    submitted = await chosen.modal.submit({"what": WHAT})  # type: ignore[union-attr]
    await submitted.wait_message(lambda m: "case #1" in m.text)
    place = await case_place(emulator, second)
    assert place.parent_id == second.moderators.id  # type: ignore[union-attr]
    assert first.guild.find_channel("case-1") is None


async def test_modal_opened_before_a_restart_is_still_filed(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    """Nothing typed is lost: the filing modal is handled by custom_id, not by in-memory state."""
    sg = standard_guild
    started = await member.slash(sg.guild, "repair request")
    chosen = await member.click(started.message, "File anonymously")  # type: ignore[arg-type]
    assert chosen.modal is not None
    await bot_in_process.restart()
    submitted = await chosen.modal.submit({"what": WHAT})
    receipt = await submitted.wait_message(lambda m: "case #1" in m.text)
    assert "anonymous" in receipt.text
    await summary_of(emulator, await case_place(emulator, sg))
    await bot_in_process.bot.get_cog("RepairCog").run_due_jobs()  # waits for the in-flight routing to finish


async def test_reply_to_requester_with_closed_dms_is_reported(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    shy = emulator.create_user("Shy Member", dms_open=False)
    await shy.join(sg.guild)
    await file_request(shy, sg.guild)
    thread = await case_place(emulator, sg)
    summary = await summary_of(emulator, thread)
    opened = await sg.moderator.click(summary, "Reply to requester")
    await opened.modal.submit({"text": "Can we talk?"})  # type: ignore[union-attr]
    warning = await emulator.wait_for(lambda: next((m for m in thread.all_messages()
                                                    if "couldn't reach the requester" in m.text), None))
    assert "Can we talk?" in warning.text
    events = [e.kind for e in await db_rows(bot_in_process, RepairEvent)]
    assert events[-1] == "reply", "the reply is kept in the case log even when it couldn't be delivered"


async def test_without_private_threads_the_case_gets_a_private_channel(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    sg = build_guild()
    assert sg.moderators is not None
    sg.guild.set_overwrite(sg.moderators, sg.bot.id, allow=P.VIEW_CHANNEL | P.SEND_MESSAGES,
                           deny=P.CREATE_PRIVATE_THREADS)
    await run_bot(sg)
    alex = emulator.create_user("Alex Member")
    await alex.join(sg.guild)
    await file_request(alex, sg.guild)
    place = await case_place(emulator, sg)
    assert place.type == 0
    summary = await summary_of(emulator, place)
    assert sg.moderator.can_view(place) and not alex.can_view(place)
    await sg.moderator.click(summary, "Acknowledge")
    assert field(summary, "Status") == "Acknowledged"


async def test_case_waits_for_a_moderators_channel_and_keeps_early_messages(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot, member: ScriptedUser) -> None:
    sg = standard_guild
    handle = await run_bot(sg, config={"guild": {"moderators_channel": "case-reviews", "auto_provision": False}})
    await file_request(member, sg.guild, anonymous=True)
    assert sg.mod_log is not None
    await emulator.wait_for(lambda: any("moderators' channel" in m.text for m in sg.mod_log.all_messages()))
    await member.send_dm(sg.bot, "Sent while the case was waiting.")
    await member.wait_dm(lambda m: "Passed on" in m.text)
    assert sg.moderator_role is not None and sg.guild.find_channel("case-1") is None
    reviews = sg.guild.create_text_channel("case-reviews", overwrites={
        sg.guild.id: (0, P.VIEW_CHANNEL), sg.moderator_role.id: (P.VIEW_CHANNEL, 0), sg.bot.id: (P.VIEW_CHANNEL, 0)})
    await emulator.wait_for(lambda: handle.bot.get_channel(reviews.id) is not None)
    await handle.bot.get_cog("RepairCog").run_due_jobs()
    thread = await case_place(emulator, sg)
    assert thread.parent_id == reviews.id
    await summary_of(emulator, thread)
    early = await emulator.wait_for(lambda: next((m for m in thread.all_messages()
                                                  if "while the case was waiting" in m.text), None))
    assert "Anonymous requester" in early.text and member.name not in early.text
