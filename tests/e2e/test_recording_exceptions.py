"""/recording allow: a time-boxed exception for an accessibility need, on the emulator with the real bot."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from db.models import AuditEntry, RecordingException
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser

from .conftest import InProcessBot, RunBot

TITLE = "Before we begin: how we keep this space safe"
MOVE = "PATCH /guilds/{guild_id}/members/{user_id}"
REASON = "live captions for a member who is hard of hearing"


def bot_messages(channel: Channel, sg: StandardGuild) -> list[Message]:
    return [m for m in channel.all_messages() if m.author.id == sg.bot.id]


def announcements(channel: Channel, sg: StandardGuild) -> list[Message]:
    return [m for m in bot_messages(channel, sg) if "being recorded" in m.text]


def cog(handle: InProcessBot) -> Any:
    found = handle.bot.get_cog("ConfidentialCog")
    assert found is not None
    return found


async def world(emulator: Emulator, sg: StandardGuild, run_bot: RunBot
                ) -> tuple[InProcessBot, Channel, ScriptedUser, ScriptedUser]:
    handle = await run_bot(sg)
    room = sg.guild.create_voice_channel("coalition-meeting")
    result = await sg.moderator.slash(sg.guild, "confidential add", target=room)
    assert "now a confidential space" in (await result.wait_message()).text
    recorder = emulator.create_user("Scribe Recorder", bot=True)
    await recorder.join(sg.guild)
    alex = emulator.create_user("Alex")
    await alex.join(sg.guild)
    return handle, room, recorder, alex


async def audit_actions(handle: InProcessBot) -> list[str]:
    async with handle.bot.sessions() as session:
        return list((await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars())


async def stored_exceptions(handle: InProcessBot) -> list[RecordingException]:
    async with handle.bot.sessions() as session:
        return list((await session.execute(select(RecordingException))).scalars())


async def test_exception_lets_the_bot_stay_is_announced_and_expires(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle, room, recorder, alex = await world(emulator, sg, run_bot)

    result = await sg.moderator.slash(sg.guild, "recording allow", channel=room, minutes=60, reason=REASON,
                                      bot=recorder)
    reply = await result.wait_message()
    assert result.ephemeral and "may record" in reply.text and "1 hour" in reply.text
    # Announced in the channel's chat at once: who records and why in general terms, never the private reason.
    now = announcements(room, sg)
    assert len(now) == 1 and "Scribe Recorder" in now[0].text and "accessibility need" in now[0].text
    assert REASON not in now[0].text and not now[0].pings_anyone
    (row,) = await stored_exceptions(handle)
    assert REASON.encode() not in row.reason_enc  # encrypted at rest

    # The meeting starts: reminders and the recording announcement together.
    await alex.join_voice(room)
    await emulator.wait_for(lambda: len(announcements(room, sg)) == 2, description="announcement at meeting start")
    opening = announcements(room, sg)[-1]
    assert TITLE in opening.text and "Scribe Recorder" in opening.text

    # The recording bot may stay; another bot may not.
    await recorder.join_voice(room)
    other = emulator.create_user("Fireflies", bot=True)
    await other.join(sg.guild)
    await other.join_voice(room)
    await emulator.wait_for(lambda: other.voice_channel(sg.guild) is None, description="the other bot removed")
    assert recorder.voice_channel(sg.guild) is room
    assert not emulator.requests("PATCH", MOVE, path_contains=str(recorder.id))

    # Status: moderators see the reason, members see only that recording is allowed.
    mod_status = await sg.moderator.slash(sg.guild, "recording status")
    assert REASON in (await mod_status.wait_message()).text
    member_status = await alex.slash(sg.guild, "recording status")
    member_text = (await member_status.wait_message()).text
    assert room.mention in member_text and REASON not in member_text

    # Not yet expired after 59 minutes.
    handle.bot.clock.advance(timedelta(minutes=59))
    await cog(handle).run_due_jobs()
    assert recorder.voice_channel(sg.guild) is room and len(await stored_exceptions(handle)) == 1

    # Expired: the exception ends by itself, the channel is told, and the bot is removed.
    handle.bot.clock.advance(timedelta(minutes=2))
    await cog(handle).run_due_jobs()
    await emulator.wait_for(lambda: recorder.voice_channel(sg.guild) is None, description="recorder removed at end")
    assert any("has ended" in m.text for m in bot_messages(room, sg))
    assert await stored_exceptions(handle) == []
    actions = await audit_actions(handle)
    assert actions.count("recording.allow") == 1 and actions.count("recording.expired") == 1
    assert sg.mod_log is not None
    assert any("Scribe Recorder" in m.text and "exception ended" in m.text for m in sg.mod_log.all_messages())

    # And joining again now gets it disconnected.
    await recorder.join_voice(room)
    await emulator.wait_for(lambda: recorder.voice_channel(sg.guild) is None, description="recorder removed again")
    status = await alex.slash(sg.guild, "recording status")
    assert "No recording is allowed right now" in (await status.wait_message()).text


async def test_exception_survives_a_restart(emulator: Emulator, standard_guild: StandardGuild,
                                            run_bot: RunBot) -> None:
    sg = standard_guild
    handle, room, recorder, alex = await world(emulator, sg, run_bot)
    result = await sg.moderator.slash(sg.guild, "recording allow", channel=room, minutes=90, reason=REASON,
                                      bot=recorder)
    assert "may record" in (await result.wait_message()).text
    await handle.restart()

    await recorder.join_voice(room)
    control = emulator.create_user("Late Bot", bot=True)
    await control.join(sg.guild)
    await control.join_voice(room)  # joins after the recorder: handled after it
    await emulator.wait_for(lambda: control.voice_channel(sg.guild) is None, description="the control bot removed")
    assert recorder.voice_channel(sg.guild) is room
    assert not emulator.requests("PATCH", MOVE, path_contains=str(recorder.id))
    await alex.join_voice(room)
    await emulator.wait_for(lambda: len(announcements(room, sg)) == 2, description="announced after the restart")


async def test_only_moderators_can_grant_and_bad_input_is_explained(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle, room, recorder, alex = await world(emulator, sg, run_bot)

    refused = await alex.slash(sg.guild, "recording allow", channel=room, minutes=30, reason=REASON, bot=recorder)
    assert refused.ephemeral and "Only moderators" in (await refused.wait_message()).text
    refused_mark = await alex.slash(sg.guild, "confidential add", target=sg.general)
    assert "Only moderators" in (await refused_mark.wait_message()).text
    refused_list = await alex.slash(sg.guild, "confidential list")
    assert "Only moderators" in (await refused_list.wait_message()).text

    person = await sg.moderator.slash(sg.guild, "recording allow", channel=room, minutes=30, reason=REASON,
                                      bot=alex)
    assert "is a person, not a bot account" in (await person.wait_message()).text
    blank = await sg.moderator.slash(sg.guild, "recording allow", channel=room, minutes=30, reason="   ")
    assert "short reason" in (await blank.wait_message()).text

    assert await stored_exceptions(handle) == []
    assert "recording.allow" not in await audit_actions(handle)
    assert bot_messages(room, sg) == []
    assert "confidential.add" in await audit_actions(handle)  # the moderator's own mark, in world()


async def test_deleted_channel_is_cleaned_up(emulator: Emulator, standard_guild: StandardGuild,
                                             run_bot: RunBot) -> None:
    sg = standard_guild
    handle, room, _recorder, alex = await world(emulator, sg, run_bot)
    granted = await sg.moderator.slash(sg.guild, "recording allow", channel=room, minutes=30, reason=REASON)
    assert "may record" in (await granted.wait_message()).text
    await alex.join_voice(room)
    await emulator.wait_for(lambda: len(announcements(room, sg)) == 2, description="meeting started")
    sg.guild.delete_channel(room)

    deadline = time.monotonic() + 10
    while "confidential.channel_deleted" not in await audit_actions(handle):
        assert time.monotonic() < deadline, "the bot never cleaned up the deleted channel"
        await asyncio.sleep(0.02)
    assert await stored_exceptions(handle) == []
    listing = await sg.moderator.slash(sg.guild, "confidential list")
    assert "No confidential spaces yet" in (await listing.wait_message()).text
