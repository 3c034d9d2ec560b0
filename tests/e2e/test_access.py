"""Access needs (/access request), end to end: the real bot against the emulated Discord.

A member tells staff privately what they need for meetings; the request becomes a small private case
for the moderators (not anonymous, their words encrypted); a moderator answers with a button checked
in the bot, and the person is told by direct message (or the moderator learns it couldn't reach them).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from db.models import AccessRequest, AuditEntry
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser
from tests.emulator import interactions as I
from tests.emulator import permissions as P
from tests.emulator.users import InteractionResult

from .conftest import InProcessBot

DETAIL = "I'm hard of hearing: captions for the monthly meeting, please. Spanish helps my colleague too."


async def ask(person: ScriptedUser, sg: StandardGuild, needs: list[str], detail: str | None = DETAIL
              ) -> InteractionResult:
    opened = await person.slash(sg.guild, "access request")
    assert opened.modal is not None, opened.text
    values: dict[str, Any] = {"needs": needs}
    if detail is not None:
        values["detail"] = detail
    return await opened.modal.submit(values)


async def place_of(emulator: Emulator, sg: StandardGuild, number: int) -> Channel:
    name = f"access-{number}"
    return await emulator.wait_for(lambda: sg.guild.find_channel(name),  # type: ignore[no-any-return]
                                   description=f"#{name} to be created")


async def summary_in(emulator: Emulator, place: Channel) -> Message:
    def find() -> Message | None:
        return next((m for m in place.all_messages() if m.embeds and m.buttons), None)
    return await emulator.wait_for(find, description="the request's summary")  # type: ignore[no-any-return]


def field(message: Message, name: str) -> str:
    return next(f["value"] for f in message.embeds[0].get("fields", []) if f["name"] == name)


async def stored(handle: InProcessBot) -> list[AccessRequest]:
    async with handle.bot.sessions() as session:
        return list((await session.execute(select(AccessRequest).order_by(AccessRequest.id))).scalars())


async def audit_actions(handle: InProcessBot) -> list[str]:
    async with handle.bot.sessions() as session:
        return list((await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars())


def press(emulator: Emulator, sg: StandardGuild, who: ScriptedUser, custom_id: str, source: Message
          ) -> I.InteractionRecord:
    """A click as a (modified) client sends it: any custom_id, from any message."""
    channel = emulator.world.channels[source.channel_id]
    return emulator.interactions.dispatch(emulator.world.bots[sg.bot.id], who.user, sg.guild, channel, I.COMPONENT,
                                          {"custom_id": custom_id, "component_type": 2}, source=source)


async def newcomer(emulator: Emulator, sg: StandardGuild, name: str, *, dms_open: bool = True) -> ScriptedUser:
    person = emulator.create_user(name, dms_open=dms_open)
    await person.join(sg.guild)
    return person


async def test_a_member_asks_privately_and_a_moderator_arranges_it(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    alex = await newcomer(emulator, sg, "Alex")
    opened = await alex.slash(sg.guild, "access request")
    assert opened.modal is not None
    assert "What would help you take part?" in opened.modal.labels
    sent = await opened.modal.submit({"needs": ["captions", "spanish"], "detail": DETAIL})
    assert sent.ephemeral and "access request #1" in sent.text and "Only they see it" in sent.text
    assert "direct message" in sent.text

    place = await place_of(emulator, sg, 1)
    assert place.type == 12  # a private thread of the moderators' channel
    assert sg.moderators is not None and place.parent_id == sg.moderators.id
    summary = await summary_in(emulator, place)
    assert field(summary, "From") == alex.mention  # not anonymous: moderators see who asks
    assert "Live captions" in field(summary, "Needs") and "Spanish interpretation" in field(summary, "Needs")
    assert field(summary, "In their words") == DETAIL.replace("'", "'")
    assert field(summary, "Status").startswith("Received")
    assert {b["label"] for b in summary.buttons} == {"Arranged", "Not possible"}  # no recording asked for
    assert not summary.pings_anyone
    (row,) = await stored(bot_in_process)
    assert row.requester_id == alex.id and row.needs == "captions,spanish"
    assert row.detail_enc is not None and DETAIL.encode() not in row.detail_enc  # encrypted at rest
    assert emulator.world.users[sg.moderator.id].id in {m for m in place.thread_members}

    # A member who can see the thread but is not a moderator (Manage Threads on the moderators' channel, e.g.
    # a helper): a real click. Then someone who can't even see it sends its custom_id (a modified client).
    # Both refused kindly; nothing changes and Alex is told nothing.
    helper = await newcomer(emulator, sg, "Helper")
    helpers = sg.guild.create_role("Helpers", permissions=0)
    await sg.guild.add_role(helper, helpers)
    sg.guild.set_overwrite(sg.moderators, helpers, allow=P.VIEW_CHANNEL | P.MANAGE_THREADS)
    assert helper.can_view(place) and not helper.has_role(sg.guild, "Moderator")
    refused = await helper.click(summary, "Arranged")
    assert refused.ephemeral and "Only moderators" in refused.text
    nosy = await newcomer(emulator, sg, "Nosy")
    assert not nosy.can_view(place)
    arranged_id = next(b["custom_id"] for b in summary.buttons if b["label"] == "Arranged")
    assert arranged_id == f"access:arranged:{row.id}"
    forged = await InteractionResult.wait(emulator, press(emulator, sg, nosy, arranged_id, summary), None, True)
    assert forged.ephemeral and forged.text == refused.text
    assert field(summary, "Status").startswith("Received") and len(summary.buttons) == 2
    assert not [m for m in alex.dm_messages() if "access request" in m.text]
    assert "access.arranged" not in await audit_actions(bot_in_process)

    # The moderator answers with a double click (both presses land together): the first changes the summary in
    # place, the second is refused kindly ("answering twice"); Alex is told once, by DM; the thread gets one line.
    presses = [press(emulator, sg, sg.moderator, arranged_id, summary) for _ in range(2)]
    results = [await InteractionResult.wait(emulator, rec, None, True) for rec in presses]
    done = next(r for r in results if r.type == 7)
    (twice,) = [r for r in results if r is not done]
    assert twice.ephemeral and "already has its answer" in twice.text and "Arranged" in twice.text
    assert field(summary, "Status") == f"Arranged, by {sg.moderator.mention}" and summary.buttons == []
    dm = await alex.wait_dm(lambda m: "access request #1" in m.text)
    assert "arranged" in dm.text and "IHRRC" in dm.text and "Live captions" in dm.text and not dm.pings_anyone
    await emulator.wait_for(lambda: any("told them by direct message" in m.text for m in place.all_messages()),
                            description="the answer's line in the thread")
    assert (await stored(bot_in_process))[0].status == "arranged"
    assert (await audit_actions(bot_in_process)).count("access.arranged") == 1

    await emulator.wait_for(lambda: len(alex.dm_messages()) >= 1, description="DMs to settle")
    assert len([m for m in alex.dm_messages() if "access request #1" in m.text]) == 1


async def test_closed_dms_are_handled_kindly_and_the_moderator_is_told(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    bo = await newcomer(emulator, sg, "Bo", dms_open=False)
    sent = await ask(bo, sg, ["notetaker"], detail=None)
    assert sent.ephemeral and "#1" in sent.text
    place = await place_of(emulator, sg, 1)
    summary = await summary_in(emulator, place)
    assert field(summary, "In their words") == "(nothing added)"
    answered = await sg.moderator.click(summary, "Not possible")
    assert answered.type == 7 and field(summary, "Status").startswith("Not possible")
    told = await answered.wait_message(lambda m: "couldn't send them a direct message" in m.text)
    assert told.ephemeral and "another way" in told.text
    await emulator.wait_for(lambda: any("couldn't reach them by direct message" in m.text
                                        for m in place.all_messages()), description="the thread's warning")
    assert (await stored(bot_in_process))[0].status == "not_possible"
    # Retention: an answered request goes case_retention_days after its answer, with its private thread.
    privacy = bot_in_process.bot.get_cog("PrivacyCog")
    assert privacy is not None
    days = bot_in_process.bot.settings.privacy.case_retention_days
    bot_in_process.bot.clock.advance(timedelta(days=days - 1))
    assert (await privacy.run_due_jobs()).access_purged == 0  # type: ignore[attr-defined]
    bot_in_process.bot.clock.advance(timedelta(days=1, minutes=1))
    report = await privacy.run_due_jobs()  # type: ignore[attr-defined]
    assert report.access_purged == 1 and report.threads_deleted == 1
    assert await stored(bot_in_process) == [] and sg.guild.find_channel("access-1") is None


async def test_the_form_refuses_nothing_picked_and_gives_the_words_back(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    cy = await newcomer(emulator, sg, "Cy")
    opened = await cy.slash(sg.guild, "access request")
    assert opened.modal is not None
    # A modified client may send a form with an unknown need only: nothing is saved, the words come back.
    modal = opened.modal
    data = {"custom_id": modal.custom_id,
            "components": I.modal_submit_components(modal.data, {"needs": ["teleport"], "detail": "mine"})}
    rec = modal.record
    refused = await InteractionResult.wait(emulator, emulator.interactions.dispatch(
        rec.bot, rec.user, rec.guild, rec.channel, I.MODAL_SUBMIT, data, source=rec.source), None, True)
    assert refused.ephemeral and "pick at least one need" in refused.text and "mine" in refused.text
    assert await stored(bot_in_process) == []


async def test_mydata_shows_exports_and_erases_an_access_request(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    from db.repositories import privacy as repo

    sg = standard_guild
    bot = bot_in_process.bot
    dee = await newcomer(emulator, sg, "Dee")
    await ask(dee, sg, ["captions", "recording"], detail="ACCESSMARK-2210 captions, and a recording to review")
    place = await place_of(emulator, sg, 1)
    summary = await summary_in(emulator, place)

    shown = await dee.slash(sg.guild, "mydata show")
    await shown.wait_message(lambda m: bool(m.text))
    text = "\n".join(m.text for m in shown.messages)
    assert "Access request #1 you made (Live captions, A recording of the meeting" in text
    assert "Received" in text and "ACCESSMARK-2210" in text
    bot.clock.advance(timedelta(seconds=11))
    exported = await dee.slash(sg.guild, "mydata export")
    message = await exported.wait_message(lambda m: bool(m.attachments))
    (server,) = json.loads(message.attachments[0].data)["servers"]
    (record,) = [r for r in server["records"] if r["table"] == "access_request"]
    assert record["fields"]["detail"].startswith("ACCESSMARK-2210")
    assert record["fields"]["needs"] == "captions,recording"

    asked = await dee.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    assert "access requests" in prompt.text
    await dee.click(prompt, "Yes, delete my data")
    await emulator.wait_for(lambda: "Done." in prompt.text, description="the erasure reply")
    async with bot.sessions() as session:
        assert await repo.tables_mentioning(session, dee.id) == []
    (row,) = await stored(bot_in_process)
    assert row.requester_id is None and row.detail_enc is None and row.needs == "captions,recording"
    # The summary in the moderators' thread no longer names them nor shows their words.
    await emulator.wait_for(lambda: field(summary, "From").startswith("Former member"),
                            description="the summary re-rendered")
    assert field(summary, "In their words") == "(erased at their request)"
    assert "ACCESSMARK" not in json.dumps(summary.embeds) and str(dee.id) not in json.dumps(summary.embeds)
    # Moderators can still answer; nobody is told (there is nobody to tell).
    answered = await sg.moderator.click(summary, "Arranged")
    assert answered.type == 7
    await emulator.wait_for(lambda: any("nobody to tell" in m.text for m in place.all_messages()),
                            description="the thread's line")


def public_messages(sg: StandardGuild, member: ScriptedUser) -> list[Message]:
    """Every message an ordinary member can read: every channel, voice chat and thread they can see."""
    return [m for channel in sg.guild.channels.values() if member.can_view(channel)
            for m in channel.all_messages(visible_to=member)]


async def test_a_recording_for_an_access_need_is_allowed_in_one_step_without_naming_whose(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    from db.models import RecordingException

    sg = standard_guild
    room = sg.guild.create_voice_channel("coalition-meeting")
    marked = await sg.moderator.slash(sg.guild, "confidential add", target=room)
    assert "now a confidential space" in (await marked.wait_message()).text
    recorder = emulator.create_user("Scribe Recorder", bot=True)
    await recorder.join(sg.guild)
    quinn = await newcomer(emulator, sg, "Quinn Needsrecording")
    await ask(quinn, sg, ["recording", "materials"], detail="I process spoken words slowly; I review recordings")
    place = await place_of(emulator, sg, 1)
    summary = await summary_in(emulator, place)
    assert {b["label"] for b in summary.buttons} == {"Arranged", "Not possible", "Allow the recording…"}
    (request,) = await stored(bot_in_process)

    # Not a moderator: refused kindly, no form, nothing granted.
    helper = await newcomer(emulator, sg, "Helper")
    refused = await helper.click(summary, "Allow the recording…")
    assert refused.ephemeral and "Only moderators" in refused.text and refused.modal is None

    # The moderator: one button, one form (the meeting's channel, how long, which bot).
    opened = await sg.moderator.click(summary, "Allow the recording…")
    assert opened.modal is not None
    assert {"The meeting's voice channel", "For how long", "The recording bot (optional)"} <= set(opened.modal.labels)
    # Someone else sending the moderator's form (a forged submission) is refused; nothing is granted.
    modal = opened.modal
    values = {"channel": [str(room.id)], "minutes": ["120"], "bot": [str(recorder.id)]}
    forged = emulator.interactions.dispatch(modal.record.bot, helper.user, sg.guild, modal.record.channel,
                                            I.MODAL_SUBMIT, {"custom_id": modal.custom_id, "components":
                                                             I.modal_submit_components(modal.data, values)},
                                            source=modal.record.source)
    not_theirs = await InteractionResult.wait(emulator, forged, None, True)
    assert not_theirs.ephemeral and "opened for someone else" in not_theirs.text
    assert not [m for m in room.all_messages() if "being recorded" in m.text]
    sent = await opened.modal.submit({"channel": [str(room.id)], "minutes": ["120"], "bot": [str(recorder.id)]})
    reply = await sent.wait_message(lambda m: "may record" in m.text)
    assert sent.ephemeral and "Scribe Recorder" in reply.text and "2 hours" in reply.text

    # Stored: the exception names the request (the "discussed with staff" record), and the request the grant.
    async with bot_in_process.bot.sessions() as session:
        (exception,) = (await session.execute(select(RecordingException))).scalars().all()
    assert exception.access_request_id == request.id and exception.channel_id == room.id
    assert exception.bot_user_id == recorder.id
    (request,) = await stored(bot_in_process)
    assert request.recording_channel_id == room.id and request.recording_allowed_at is not None
    actions = await audit_actions(bot_in_process)
    assert "recording.allow" in actions and "access.recording" in actions
    await emulator.wait_for(lambda: "coalition-meeting" in field(summary, "Recording") or
                            f"<#{room.id}>" in field(summary, "Recording"), description="the summary's record")
    await emulator.wait_for(lambda: any("allowed a recording" in m.text for m in place.all_messages()),
                            description="the thread's line")
    assert request.status == "received"  # allowing the recording answers nothing by itself

    # The meeting: the announcement says a recording is made for an accessibility need, and the bot may stay.
    await recorder.join_voice(room)
    await quinn.join_voice(room)
    await emulator.wait_for(lambda: len([m for m in room.all_messages() if "being recorded" in m.text]) >= 2,
                            description="the announcement at the meeting's start")
    announcement = [m for m in room.all_messages() if "being recorded" in m.text][-1]
    assert "accessibility need" in announcement.text and "Scribe Recorder" in announcement.text
    assert recorder.voice_channel(sg.guild) is not None

    # Nothing an ordinary member can read names whose need it is: not the name, the mention nor the ID.
    reader = await newcomer(emulator, sg, "Reader")
    public = public_messages(sg, reader)
    assert any("being recorded" in m.text for m in public)
    assert not reader.can_view(place)
    for message in public:
        blob = message.text + json.dumps(message.embeds) + json.dumps(message.components)
        assert "Quinn" not in blob and "Needsrecording" not in blob and str(quinn.id) not in blob, message.text
