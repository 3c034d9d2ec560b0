"""Issue 14: anonymity, exclusion and erasure hold against a determined moderator.

Each test performs one attack that worked before (a curious or hostile moderator with Manage
Channels / Manage Roles, the member list and `/onboarding status`), and shows it fails now.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from db.models import DepartedMember, OnboardingProgress, RepairCase, RepairEvent
from tests.conftest import GuildBuilder, StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser
from tests.emulator import interactions as I
from tests.emulator import permissions as P
from tests.emulator.users import InteractionResult, ModalHandle

from .conftest import InProcessBot, RunBot
from .test_onboarding_flow import advance, first_step, newcomer, start_here_message, wait_db, walk_to_question
from .test_repair_e2e import WORDS, case_place, db_rows, field, file_request, make_moderator, speaks, summary_of

CONFIG = {"repair": {"cooldown_minutes": 0}}


def cog(handle: InProcessBot, name: str = "RepairCog") -> Any:
    found = handle.bot.get_cog(name)
    assert found is not None
    return found


async def member(emulator: Emulator, sg: StandardGuild, name: str) -> ScriptedUser:
    person = emulator.create_user(name)
    await person.join(sg.guild)
    return person


def places(sg: StandardGuild, number: int) -> list[Channel]:
    return [c for c in sg.guild.channels.values() if c.name == f"case-{number}"]


def reply_to(msg: Message) -> dict[str, str]:
    """A reply's message_reference, as Discord sends it."""
    return {"type": "0", "message_id": str(msg.id), "channel_id": str(msg.channel_id)}


async def forged_modal(modal: ModalHandle, custom_id: str, values: dict[str, Any]) -> InteractionResult:
    """What a modified client can send: a modal submission with any custom_id."""
    rec = modal.record
    data = {"custom_id": custom_id, "components": I.modal_submit_components(modal.data, values)}
    new = modal.emu.interactions.dispatch(rec.bot, rec.user, rec.guild, rec.channel, I.MODAL_SUBMIT, data,
                                          source=rec.source)
    return await InteractionResult.wait(modal.emu, new, None, True)


# --- 1. exports, /mydata show, /audit recent and /repair export carry no one else's fingerprint ----------


async def test_exports_hold_no_other_persons_fingerprint(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg, mod = standard_guild, standard_guild.moderator
    handle = await run_bot(sg, config=CONFIG)
    alex = await member(emulator, sg, "Alex Requester")
    await file_request(alex, sg.guild, what="Named case.")
    await file_request(alex, None, anonymous=True, what="Anonymous case.")
    for number in (1, 2):
        summary = await summary_of(emulator, await case_place(emulator, sg, number))
        await mod.click(summary, "Assign to me")
    sent = await alex.send_dm(sg.bot, "More for case 2")
    picker = await alex.wait_dm(lambda m: bool(m.selects), after=sent)
    await alex.select(picker, [f"Case #2 — {sg.guild.name}"])
    cases = await db_rows(handle, RepairCase)
    fingerprints = {c.requester_index for c in cases if c.requester_index}
    assert len(fingerprints) == 1, "control: both cases carry the same fingerprint"

    exported = await mod.slash(sg.guild, "mydata export", in_channel=sg.moderators)
    document = (await exported.wait_message(lambda m: bool(m.attachments))).attachments[0].data.decode()
    assert '"repair_case"' in document, "control: the moderator's export lists the cases assigned to them"
    handle.bot.clock.advance(timedelta(seconds=11))  # one look at one's data every 10 s (privacy)
    shown = await mod.slash(sg.guild, "mydata show", in_channel=sg.moderators)
    await shown.wait_message(lambda m: bool(m.text))
    audit = await mod.slash(sg.guild, "audit recent", in_channel=sg.moderators)
    transcript = await mod.slash(sg.guild, "mod-repair export", case=2, in_channel=sg.moderators)
    text = (await transcript.wait_message(lambda m: bool(m.attachments))).attachments[0].data.decode()
    seen = "\n".join([document, *(m.text for m in shown.messages), audit.text, text])
    for fingerprint in fingerprints:
        assert fingerprint not in seen
        assert fingerprint[:16] not in seen
    assert str(alex.id) not in seen and alex.name not in seen
    json.loads(document)  # still a valid export


# --- 2. one DM router: a DM to a case never answers onboarding, and gets a receipt -----------------------


async def test_dm_to_a_case_never_changes_onboarding(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await run_bot(sg, config=CONFIG)
    sam = await newcomer(emulator, sg, "Sam Suspect")
    await walk_to_question(sam)  # waits at the commitment question, where a typed "yes" counts
    await file_request(sam, None, anonymous=True, what="Something happened at intake.")
    place = await case_place(emulator, sg)
    await summary_of(emulator, place)

    async def onboarding() -> tuple[str, int]:
        (row,) = await db_rows(handle, OnboardingProgress)
        return row.status, row.declined_count

    before = await onboarding()
    sent = await sam.send_dm(sg.bot, "I also wanted to say: it was at the front desk.")
    picker = await sam.wait_dm(lambda m: bool(m.selects), after=sent)
    assert await onboarding() == before, "an ambiguous DM changes nothing until the person picks"
    options = [o["label"] for o in picker.selects[0]["options"]]
    assert options == ["My answer to the onboarding question", f"Case #1 — {sg.guild.name}"]
    picked = await sam.select(picker, [f"Case #1 — {sg.guild.name}"])
    assert picked.type == 6, "answered first (deferred, the same for every pick); the picker becomes the receipt"
    await emulator.wait_for(lambda: "nowhere else" in picker.text, description="the receipt")
    assert "case #1" in picker.text
    await emulator.wait_for(lambda: any("front desk" in m.text for m in place.all_messages()))
    assert await onboarding() == before, "relayed to the case: onboarding untouched"

    # A reply to the bot's DM about the case goes straight to the case.
    await sg.moderator.click(await summary_of(emulator, place), "Acknowledge")
    ack = await sam.wait_dm(lambda m: "acknowledged" in m.text)
    replied = await sam.send_dm(sg.bot, "no, not that", message_reference=reply_to(ack))
    receipt = await sam.wait_dm(lambda m: "Passed on" in m.text, after=replied)
    assert "case #1" in receipt.text
    await emulator.wait_for(lambda: any("not that" in m.text for m in place.all_messages()))
    assert await onboarding() == before, "'no' written to the case never declines onboarding"
    status = await sg.moderator.slash(sg.guild, "mod-onboarding status", member=sam, in_channel=sg.moderators)
    assert "not yet" not in status.text.lower()

    # And the onboarding answer still works when the person says that's what it is.
    sent = await sam.send_dm(sg.bot, "yes")
    picker = await sam.wait_dm(lambda m: bool(m.selects), after=sent)
    await sam.select(picker, ["My answer to the onboarding question"])
    await emulator.wait_for(lambda: sam.has_role(sg.guild, "Member"), description="the member role")
    assert not any(m.text.endswith("yes") for m in place.all_messages())


# --- 5. a moderator who files is never a reviewer of their own case -----------------------------------


async def test_moderator_requester_never_reviews_own_case(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    sg = build_guild()
    reviewers = sg.guild.create_role("Alternate Reviewers")
    elder = emulator.create_user("Elder Reviewer")
    await elder.join(sg.guild, roles=[reviewers])
    alt = sg.guild.create_text_channel("alternate-review", overwrites={
        sg.guild.id: (0, P.VIEW_CHANNEL), reviewers.id: (P.VIEW_CHANNEL, 0), sg.bot.id: (P.VIEW_CHANNEL, 0)})
    await run_bot(sg, config={**CONFIG, "guild": {"alternate_reviewers_role": "Alternate Reviewers",
                                                  "alternate_reviewers_channel": "alternate-review"}})
    riley = await make_moderator(sg, "Riley Moderator")
    # Riley files anonymously and keeps every *other* moderator away.
    receipt = await file_request(riley, sg.guild, anonymous=True, exclude=[sg.moderator, sg.owner])
    assert "alternate reviewers" in receipt.text
    place = await case_place(emulator, sg)
    assert place.parent_id == alt.id, "the case goes to the alternate reviewers, not to the requester"
    summary = await summary_of(emulator, place)
    assert riley.id not in place.thread_members and elder.id in place.thread_members
    # The summary names nobody kept away: "everyone but Riley" would name Riley.
    kept_away = field(summary, "Kept away from this case")
    assert "no current moderator" in kept_away and "<@" not in kept_away
    refused = await riley.click(summary, "Acknowledge")
    assert refused.ephemeral and "You filed this case" in refused.text

    # Filed without exclusions, Riley stays in the thread like every moderator, but can't act.
    await file_request(riley, sg.guild, anonymous=True, what="Second matter.")
    second = await case_place(emulator, sg, 2)
    summary = await summary_of(emulator, second)
    assert {sg.moderator.id, riley.id} <= set(second.thread_members), "nobody is conspicuously missing"
    refused = await riley.click(summary, "Assign to me")
    assert "You filed this case" in refused.text
    assert field(summary, "Status").startswith("Submitted")


# --- 8. a channel someone else named case-<n> is never adopted ------------------------------------------


async def test_precreated_case_channel_is_never_adopted(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config=CONFIG)
    excluded = sg.moderator  # has Manage Channels and Manage Threads
    trap = sg.guild.create_text_channel("case-1", overwrites={
        sg.guild.id: (0, P.VIEW_CHANNEL), excluded.id: (P.VIEW_CHANNEL, 0), sg.bot.id: (P.VIEW_CHANNEL, 0)})
    await make_moderator(sg, "Riley Reviewer")
    alex = await member(emulator, sg, "Alex Member")
    await file_request(alex, sg.guild, exclude=[excluded], what="Please keep this from Morgan.")

    def real() -> Channel | None:
        return next((c for c in places(sg, 1) if c.id != trap.id), None)

    place = await emulator.wait_for(real, description="the bot's own case channel")
    summary = await summary_of(emulator, place)
    assert not excluded.can_view(place)
    assert not any("keep this from Morgan" in m.text for m in trap.all_messages()), "nothing in the trap"
    assert summary.channel_id == place.id


# --- 9. purge then reuse: numbers and IDs never come back, places go, old buttons act on nothing -------


async def test_purged_case_number_place_and_buttons_are_never_reused(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await run_bot(sg, config={**CONFIG, "privacy": {"case_retention_days": 30}})
    reviewer = await make_moderator(sg, "Riley Reviewer")
    alex = await member(emulator, sg, "Alex Member")
    await file_request(alex, sg.guild, exclude=[sg.moderator], what="First case.")
    old_place = await case_place(emulator, sg)
    assert old_place.type == 0, "a private channel (the excluded moderator has Manage Threads)"
    old_summary = await summary_of(emulator, old_place)
    closing = await reviewer.click(old_summary, "Close with resolution")
    await closing.modal.submit({"outcome": ["resolved"], "text": "Done."})  # type: ignore[union-attr]
    old_id = (await db_rows(handle, RepairCase))[0].id

    handle.bot.clock.advance(timedelta(days=31))
    report = await cog(handle, "PrivacyCog").run_due_jobs()
    assert report.cases_purged == 1 and report.threads_deleted == 1
    assert old_place.id not in sg.guild.channels, "the purged case's channel is deleted"

    bo = await member(emulator, sg, "Bo Member")
    receipt = await file_request(bo, sg.guild, exclude=[reviewer], what="Second case, keep Riley away.")
    assert "case #2" in receipt.text, "case numbers are never reused"
    (new,) = await db_rows(handle, RepairCase)
    assert new.number == 2 and new.id > old_id
    place = await case_place(emulator, sg, 2)
    assert not reviewer.can_view(place)
    new_summary = await summary_of(emulator, place)

    # A modal submission is handled by its custom_id alone: a modified client opens "Add note" on
    # another case's summary and submits it with the new case's ID (as an old summary's modal of a
    # purged case would carry a reused ID). It acts on nothing.
    await file_request(bo, sg.guild, what="Third case.")
    other = await summary_of(emulator, await case_place(emulator, sg, 3))
    opened = await sg.moderator.click(other, "Add note")
    assert opened.modal is not None
    forged = await forged_modal(opened.modal, f"repair:notem:{new.id}", {"text": "Forged note FORGEMARK"})
    assert forged.ephemeral and "don't belong to this case" in forged.text
    assert not any("FORGEMARK" in m.text for m in place.all_messages())
    assert [e.kind for e in await db_rows(handle, RepairEvent) if e.case_id == new.id] == ["filed", "routed"]
    await sg.moderator.click(new_summary, "Acknowledge")
    assert field(new_summary, "Status") == "Acknowledged"


# --- 12 and 7. the purge and erasure take the person off what the bot showed ------------------------------


async def test_purge_and_erasure_remove_names_and_words_the_bot_posted(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    assert sg.moderators is not None
    handle = await run_bot(sg, config={**CONFIG, "privacy": {"retention_days_after_leave": 30}})
    lee = await member(emulator, sg, "Lee Leaver")
    await file_request(lee, sg.guild, what="Named case of Lee.")
    place = await case_place(emulator, sg)
    summary = await summary_of(emulator, place)
    await lee.send_dm(sg.bot, "Lee adds LEEMARK")
    relayed = await emulator.wait_for(lambda: next((m for m in place.all_messages() if "LEEMARK" in m.text), None))
    assert lee.mention in relayed.text and lee.mention in field(summary, "Requester")

    quinn = await newcomer(emulator, sg, "Quinn Asker")
    msg = await advance(quinn, await first_step(quinn), 3)
    opened = await quinn.click(msg, "I have a question")
    await opened.modal.submit({"Your question": "Is QMARK ok?"})  # type: ignore[union-attr]
    question = await emulator.wait_for(lambda: next((m for m in sg.moderators.messages()  # type: ignore[union-attr]
                                                     if "QMARK" in m.content), None))

    # Lee leaves; after retention_days_after_leave the purge erases exactly as /mydata delete does.
    await lee.leave(sg.guild)
    await wait_db(lambda: db_rows(handle, DepartedMember), lambda rows: len(rows) == 1, "the departure")
    handle.bot.clock.advance(timedelta(days=31))
    await cog(handle, "PrivacyCog").run_due_jobs()
    await emulator.wait_for(lambda: field(summary, "Requester") == "Former member",
                            description="the summary re-rendered without Lee")
    assert lee.mention not in relayed.text and "Former member wrote" in relayed.text
    assert "LEEMARK" in relayed.text, "the case's own words stay with the case"

    # Quinn erases their data: their question's post in #moderators goes with it.
    asked = await quinn.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    await quinn.click(prompt, "Yes, delete my data")
    await emulator.wait_for(lambda: question.id not in {m.id for m in sg.moderators.messages()},  # type: ignore[union-attr]
                            description="the question post to be deleted")


# --- 6. anonymous text shows as typed: no masked links, no headings ---------------------------------------

MASKED = re.compile(r"(?<!\\)\[[^\]\n]+(?<!\\)\]\(")
HEADING = re.compile(r"^\s*#{1,3} ", re.MULTILINE)
BAIT = "[https://discord.com/safety](https://elsewhere.example/steal)\n# URGENT\nsecond line"


async def test_masked_links_and_headings_render_as_plain_text(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    assert sg.moderators is not None
    await run_bot(sg, config=CONFIG)
    ana = await newcomer(emulator, sg, "Ana Nonymous")
    msg = await advance(ana, await first_step(ana), 3)
    opened = await ana.click(msg, "I have a question")
    await opened.modal.submit({"Your question": BAIT + " QUESTION"})  # type: ignore[union-attr]
    await file_request(ana, None, anonymous=True, what=BAIT, who=BAIT, help=BAIT, cw="cw " + BAIT)
    place = await case_place(emulator, sg)
    summary = await summary_of(emulator, place)
    await ana.send_dm(sg.bot, BAIT + " RELAYED")
    await emulator.wait_for(lambda: any("RELAYED" in m.text for m in place.all_messages()))
    await emulator.wait_for(lambda: any("QUESTION" in m.content for m in sg.moderators.messages()))  # type: ignore[union-attr]

    shown = [m for m in [*place.all_messages(), *sg.moderators.messages()] if "elsewhere.example" in m.text]
    assert len(shown) >= 3 and summary in shown
    for m in shown:
        texts = [m.content, *(e.get("description", "") for e in m.embeds),
                 *(f["value"] for e in m.embeds for f in e.get("fields", []))]
        for text in texts:
            assert not MASKED.search(text), text
            assert not HEADING.search(text), text
    assert any("\nsecond line" in t or "\n\\# URGENT\nsecond line" in t
               for m in shown for t in [m.content, *(e.get("description", "") for e in m.embeds)])


# --- 3. erasure makes no visible change on an anonymous case -----------------------------------------------


async def test_erasure_does_not_touch_anonymous_cases(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config=CONFIG)
    ana = await member(emulator, sg, "Ana Nonymous")
    await file_request(ana, sg.guild, anonymous=True)
    place = await case_place(emulator, sg)
    summary = await summary_of(emulator, place)
    edits_before = len(emulator.requests("PATCH", bot=sg.bot))
    messages_before = len(place.all_messages())

    asked = await ana.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    await ana.click(prompt, "Yes, delete my data")
    # The erasure's edits to the bot's messages happen before its "Done." reply.
    await emulator.wait_for(lambda: "Done." in prompt.text, description="the erasure reply")
    patched = [r for r in emulator.requests("PATCH", bot=sg.bot)[edits_before:] if str(summary.id) in r.path]
    assert patched == [], "the anonymous case's summary is not edited when its requester erases their data"
    assert len(place.all_messages()) == messages_before


# --- 4. deliverability on anonymous cases tells moderators nothing ----------------------------------------


async def test_anonymous_delivery_failure_is_invisible_and_waits(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config=CONFIG)
    ana = await member(emulator, sg, "Ana Nonymous")
    await file_request(ana, sg.guild, anonymous=True)
    place = await case_place(emulator, sg)
    summary = await summary_of(emulator, place)

    ana.dms_open = False  # as if kicked, left, or DMs closed: the moderator's "test"
    opened = await sg.moderator.click(summary, "Reply to requester")
    await opened.modal.submit({"text": "Are you still there? WAITMARK"})  # type: ignore[union-attr]
    line = await emulator.wait_for(lambda: next((m for m in place.all_messages() if "WAITMARK" in m.text), None))
    assert "couldn't reach" not in line.text and "⚠" not in line.text
    assert line.text.startswith("↩️"), "the same line as when the reply was delivered"
    assert not any("WAITMARK" in m.text for m in ana.dm_messages())

    ana.dms_open = True
    await ana.send_dm(sg.bot, "hello again")
    waited = await ana.wait_dm(lambda m: "WAITMARK" in m.text)
    intro = next(m for m in ana.dm_messages() if "While I couldn't reach you" in m.text)
    assert intro.id < waited.id and "case #1" in intro.text


async def test_waiting_messages_show_in_repair_mine(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config=CONFIG)
    ana = await member(emulator, sg, "Ana Nonymous")
    await file_request(ana, sg.guild, anonymous=True)
    place = await case_place(emulator, sg)
    summary = await summary_of(emulator, place)
    ana.dms_open = False
    await sg.moderator.click(summary, "Acknowledge")
    opened = await sg.moderator.click(summary, "Reply to requester")
    await opened.modal.submit({"text": "Still with us? MINEMARK"})  # type: ignore[union-attr]
    await emulator.wait_for(lambda: any("MINEMARK" in m.text for m in place.all_messages()))

    mine = await ana.slash(sg.guild, "repair mine")
    assert mine.ephemeral and "Case #1 in IHRRC (anonymous): Acknowledged" in mine.text
    assert "2 messages that I couldn't deliver" in mine.text
    reply = await mine.wait_message(lambda m: "MINEMARK" in m.text)
    assert reply.ephemeral
    await mine.wait_message(lambda m: "has been acknowledged" in m.text)
    again = await ana.slash(sg.guild, "repair mine")
    assert "couldn't deliver" not in again.text, "shown once, then marked delivered"
    ana.dms_open = True
    sent = await ana.send_dm(sg.bot, "thanks")
    await ana.wait_dm(lambda m: "Passed on" in m.text, after=sent)
    assert not any("While I couldn't reach you" in m.text for m in ana.dm_messages())
    nobody = await member(emulator, sg, "No Cases")
    assert "You have no repair requests" in (await nobody.slash(sg.guild, "repair mine")).text


# --- 10. look-alike moderators are told apart by username ---------------------------------------------------


async def test_exclusion_list_shows_usernames(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config=CONFIG)
    twin = emulator.create_user("morgan_lookalike")
    twin.user.global_name = "Morgan Moderator"  # copies the real moderator's display name
    assert sg.moderator_role is not None
    await twin.join(sg.guild, roles=[sg.moderator_role])
    alex = await member(emulator, sg, "Alex Member")
    started = await alex.slash(sg.guild, "repair request")
    step = started.message
    assert step is not None
    options = step.selects[0]["options"]
    twins = [o for o in options if o["label"] == "Morgan Moderator"]
    assert len(twins) == 2
    assert {o.get("description") for o in twins} == {f"@{sg.moderator.name}", "@morgan_lookalike"}
    await alex.select(step, [str(sg.moderator.id)], custom_id=step.selects[0]["custom_id"])
    assert f"@{sg.moderator.name}" in step.text and "usernames" in step.text


# --- issue 18, item 6: a DM flood is held, moderators see one line ---------------------------------------


async def test_relay_flood_is_held_with_one_line_for_moderators(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await run_bot(sg, config=CONFIG)
    ana = await member(emulator, sg, "Ana Flood")
    await file_request(ana, sg.guild, anonymous=True)
    place = await case_place(emulator, sg)
    await summary_of(emulator, place)
    for i in range(12):
        sent = await ana.send_dm(sg.bot, f"flood {i} FLOODMARK")
        await ana.wait_dm(lambda m: "case #1" in m.text, after=sent)
    relayed = [m for m in place.all_messages() if "FLOODMARK" in m.text]
    assert len(relayed) == 5, "a burst of five reaches the thread"
    held = [m for m in place.all_messages() if "more message" in m.text]
    assert len(held) == 1 and "(7 more messages held" in held[0].text
    assert any("saved this one in the case record" in m.text for m in ana.dm_messages())
    stored = [e for e in await db_rows(handle, RepairEvent) if e.kind == "requester_message"]
    assert len(stored) == 12, "nothing is lost: every message is in the case log"
    transcript = await sg.moderator.slash(sg.guild, "mod-repair export", case=1, in_channel=sg.moderators)
    text = (await transcript.wait_message(lambda m: bool(m.attachments))).attachments[0].data.decode()
    assert all(f"flood {i} FLOODMARK" in text for i in range(12))


# --- Done when: two runs with different requesters look identical to moderators -------------------------

CANDIDATES = ("Avery Candidate", "Blake Candidate")
SPEAKS = ("es", "en")  # Avery reads Spanish, Blake English: the language must not tell them apart either


async def moderator_view(emulator: Emulator, sg: StandardGuild, run_bot: RunBot, requester_index: int) -> str:
    """Run one anonymous case from start to erasure with one of two candidates as the requester, and
    return everything a moderator can reach, with IDs, times and numbers normalised away."""
    handle = await run_bot(sg, config=CONFIG)
    # The bot's start-up work ends with its "Start here" post, paced as background work so it may land
    # well after "ready" on a busy machine. It has nothing to do with any requester, but it must not fall
    # into the erasure windows watched below: wait for it first.
    await start_here_message(emulator, sg)
    mod = sg.moderator
    people = [speaks(handle, await member(emulator, sg, name), language) for name, language in zip(CANDIDATES, SPEAKS,
                                                                                                    strict=True)]
    requester, words = people[requester_index], WORDS[SPEAKS[requester_index]]
    await file_request(requester, None, anonymous=True, what="The same words in both runs.",
                       language=SPEAKS[requester_index])
    place = await case_place(emulator, sg)
    summary = await summary_of(emulator, place)
    await requester.send_dm(sg.bot, "A follow-up, the same in both runs.")
    await requester.wait_dm(lambda m: words["passed"] in m.text)
    await mod.click(summary, "Acknowledge")
    await mod.click(summary, "Assign to me")
    reply = await mod.click(summary, "Reply to requester")
    await reply.modal.submit({"text": "Thank you. What would help?"})  # type: ignore[union-attr]
    await requester.wait_dm(lambda m: "What would help?" in m.text)
    await emulator.wait_for(lambda: any("What would help?" in m.text for m in place.all_messages()),
                            description="the reply's line in the thread")
    # Both candidates erase their data (an erasure itself is visible: the person's records are gone).
    # What must not show is which of them filed the case.
    # Moderators watch the server while each erases: what the bot changes there, and when, is seen too.
    timeline = []
    for person, language in zip(people, SPEAKS, strict=True):
        start = len(emulator.request_log)
        asked = await person.slash(sg.guild, "mydata delete")
        prompt = await asked.wait_message()
        await person.click(prompt, WORDS[language]["erase"])
        await emulator.wait_for(lambda p=prompt, w=WORDS[language]["erased"]: w in p.text,
                                description="the erasure reply")
        timeline.append([r.route for r in emulator.request_log[start:] if r.bot_id == sg.bot.id
                         and any(f"/channels/{c}/" in r.path or f"/guilds/{sg.guild.id}/" in r.path
                                 for c in sg.guild.channels)])
    closing = await mod.click(summary, "Close with resolution")
    await closing.modal.submit({"outcome": ["resolved"], "text": "We talked it through."})  # type: ignore[union-attr]
    await emulator.wait_for(lambda: field(summary, "Status") == "Resolved")
    # the closing line in the case's place comes after the summary's edit: wait for it too (a race)
    await emulator.wait_for(lambda: any("closed case" in m.text for m in place.all_messages()),
                            description="the closing line in the case's place")

    names = {p.id: p.name for p in (mod, sg.owner, *people)}
    seen: list[str] = [f"while each erased: {timeline}"]
    for channel in sorted(sg.guild.channels.values(), key=lambda c: c.name):
        if not mod.can_view(channel):
            continue
        members = sorted(names.get(uid, "someone") for uid in channel.thread_members)
        seen.append(f"#{channel.name} {channel.topic or ''} members={members}")
        for m in channel.all_messages(visible_to=mod):
            seen.append(json.dumps([m.content, m.embeds, m.components], sort_keys=True))
    shown = await mod.slash(sg.guild, "mydata show", in_channel=sg.moderators)
    await shown.wait_message(lambda m: bool(m.text))
    seen += [m.text for m in shown.messages]
    for command, options in (("audit recent", {}), ("mod-repair cases", {"status": "all"}),
                             *(("mod-onboarding status", {"member": p}) for p in people)):
        result = await mod.slash(sg.guild, command, in_channel=sg.moderators, **options)
        seen.append(f"/{command}: {result.text}")
    exported = await mod.slash(sg.guild, "mod-repair export", case=1, in_channel=sg.moderators)
    seen.append((await exported.wait_message(lambda m: bool(m.attachments))).attachments[0].data.decode())
    handle.bot.clock.advance(timedelta(seconds=11))  # one look at one's data every 10 s (privacy)
    mine = await mod.slash(sg.guild, "mydata export", in_channel=sg.moderators)
    document = json.loads((await mine.wait_message(lambda m: bool(m.attachments))).attachments[0].data)
    document.pop("generated_at", None)
    seen.append(json.dumps(document, sort_keys=True))
    await handle.stop()
    text = "\n".join(seen)
    for uid, name in names.items():  # a person's ID reads as their name, so it can be compared
        text = text.replace(str(uid), name)
    return re.sub(r"\d+", "#", text)


async def test_two_requesters_look_identical_to_moderators(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    """The first run's requester reads Spanish, the second's English: nothing moderators see differs."""
    first = await moderator_view(emulator, build_guild(name="IHRRC"), run_bot, 0)
    second = await moderator_view(emulator, build_guild(name="IHRRC"), run_bot, 1)  # same bot, fresh database
    assert "The same words in both runs" in first and "A follow-up" in first, "control: the view holds the case"
    assert "Avery Candidate" in first and "Blake Candidate" in first, "control: both candidates are visible"
    if first != second:
        import difflib
        diff = "\n".join(difflib.unified_diff(first.splitlines(), second.splitlines(), lineterm="", n=0))
        raise AssertionError(f"moderators can tell the requesters apart:\n{diff[:4000]}")


# --- forged filing custom_ids: someone else's server, made-up exclusions ------------------------------------


async def test_forged_filing_ids_show_no_moderators_and_record_no_made_up_exclusion(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    from cogs.repair import ids as repair_ids
    from cogs.repair import views as repair_views
    from cogs.repair.filing import filing_values
    from cogs.repair.logic import Filing

    sg = standard_guild
    handle = await run_bot(sg, config=CONFIG)
    alex = await member(emulator, sg, "Alex Member")
    step = (await alex.slash(sg.guild, "repair request")).message
    assert step is not None
    select = step.selects[0]
    # Someone outside the server replays the exclusion select from their DMs, naming the server.
    outsider = emulator.create_user("outside_prober")
    await outsider.send_dm(sg.bot, "hello")
    dm = outsider.dm_channel(sg.bot)
    assert dm is not None
    bot = emulator.world.bots[sg.bot.id]
    data = {"custom_id": select["custom_id"], "component_type": select["type"], "values": [str(sg.moderator.id)]}
    rec = emulator.interactions.dispatch(bot, outsider.user, None, dm, I.COMPONENT, data, source=step)
    probed = await InteractionResult.wait(emulator, rec, None, True)
    assert "can't find you" in probed.text
    assert sg.moderator.name not in probed.text and "Morgan" not in probed.text

    # A member files with a custom_id whose exclusion list names a non-moderator.
    bystander = await member(emulator, sg, "Bystander Member")
    opened = await alex.click(step, "File with my name")
    assert opened.modal is not None
    forged_id = repair_ids.FILING_FORM.build(**filing_values(Filing(sg.guild.id, False, (bystander.id,))))
    await forged_modal(opened.modal, forged_id, {repair_views.F_WHAT: "Forged exclusion."})
    summary = await summary_of(emulator, await case_place(emulator, sg))
    assert "Bystander" not in summary.text
    cases = await db_rows(handle, RepairCase)
    assert [c.excluded_moderator_ids for c in cases] == [[]]


# --- forged picks: a value that is no server ---------------------------------------------------------------


async def test_a_forged_server_pick_gets_a_kind_reply(
        emulator: Emulator, build_guild: GuildBuilder, run_bot: RunBot) -> None:
    first = build_guild()
    second = build_guild(name="Peer Support Circle")
    await run_bot(first)
    await emulator.wait_bot_ready(first.bot, second.guild)
    alex = emulator.create_user("Alex Member")
    await alex.join(first.guild)
    await alex.join(second.guild)
    await alex.send_dm(first.bot, "hello")  # no case: the DM is left alone
    step = (await alex.slash(None, "repair request")).message
    assert step is not None and "Which server" in step.text
    dm = alex.dm_channel(first.bot)
    assert dm is not None
    bot = emulator.world.bots[first.bot.id]

    async def pick(custom_id: str, values: list[str]) -> InteractionResult:
        data = {"custom_id": custom_id, "component_type": 3, "values": values}
        rec = emulator.interactions.dispatch(bot, alex.user, None, dm, I.COMPONENT, data, source=step)
        return await InteractionResult.wait(emulator, rec, None, True)

    # A modified client sends a value that is no server ID (it used to fail inside int(), unanswered).
    for values in (["not-a-server"], [], ["1", "2"]):
        refused = await pick(step.selects[0]["custom_id"], values)
        assert "pick the server" in refused.text and refused.ephemeral
    assert "Which server" in step.text, "nothing changed"
