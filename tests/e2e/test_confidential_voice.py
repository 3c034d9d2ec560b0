"""Confidential voice channels on the emulator: meeting reminders, the quiet period, the bot guard."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from db.repositories import confidential as repo
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser
from tests.emulator import permissions as P

from .conftest import InProcessBot, RunBot

TITLE = "Before we begin: how we keep this space safe"
MOVE = "PATCH /guilds/{guild_id}/members/{user_id}"


def bot_messages(channel: Channel, sg: StandardGuild) -> list[Message]:
    return [m for m in channel.all_messages() if m.author.id == sg.bot.id]


def reminders_in(channel: Channel, sg: StandardGuild) -> list[Message]:
    return [m for m in bot_messages(channel, sg) if TITLE in m.text]


async def person(emu: Emulator, sg: StandardGuild, name: str) -> ScriptedUser:
    user = emu.create_user(name)
    await user.join(sg.guild)
    return user


async def outside_bot(emu: Emulator, sg: StandardGuild, name: str) -> ScriptedUser:
    """Another bot account (a recorder / AI notetaker), driven by the test."""
    user = emu.create_user(name, bot=True)
    await user.join(sg.guild)
    return user


async def mark(sg: StandardGuild, target: Channel) -> None:
    result = await sg.moderator.slash(sg.guild, "confidential add", target=target)
    reply = await result.wait_message()
    assert result.ephemeral and "now a confidential space" in reply.text


async def eventually(check: Callable[[], Awaitable[bool]], what: str, limit_s: float = 10.0) -> None:
    """Poll an async condition (e.g. a database row the bot writes) until it holds."""
    deadline = time.monotonic() + limit_s
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def emptied_recorded(handle: InProcessBot, room: Channel, since: datetime) -> None:
    """Wait until the bot has stored that the channel emptied at/after `since` (before moving the clock)."""
    async def check() -> bool:
        async with handle.bot.sessions() as session:
            row = await repo.get_voice_state(session, room.guild_id, room.id)
        return row is not None and row.emptied_at is not None and row.emptied_at >= since
    await eventually(check, f"the bot to record that {room.name} emptied")


async def start(run_bot: RunBot, sg: StandardGuild, **confidential: Any) -> InProcessBot:
    return await run_bot(sg, config={"confidential": confidential} if confidential else None)


async def test_first_join_posts_reminders_once_and_quiet_period_is_respected(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await start(run_bot, sg, voice_quiet_minutes=30)
    room = sg.guild.create_voice_channel("coalition-meeting")
    await mark(sg, room)
    alex, sam = await person(emulator, sg, "Alex"), await person(emulator, sg, "Sam")

    await alex.join_voice(room)
    await emulator.wait_for(lambda: len(reminders_in(room, sg)) == 1, description="reminders in the voice chat")
    msg = reminders_in(room, sg)[0]
    assert "No AI notetaking assistants" in msg.text and "No recording" in msg.text
    assert not msg.pings_anyone

    # A second person joining the same meeting gets no new reminder.
    await sam.join_voice(room)
    await alex.leave_voice(sg.guild)
    # Everyone leaves; someone comes back 10 minutes later: still the same meeting.
    clock = handle.bot.clock
    before = clock.now()
    await sam.leave_voice(sg.guild)
    await emptied_recorded(handle, room, before)
    clock.advance(timedelta(minutes=10))
    before = clock.now()
    await alex.join_voice(room)
    await alex.leave_voice(sg.guild)
    await emptied_recorded(handle, room, before)
    assert len(reminders_in(room, sg)) == 1

    # Empty for the full quiet period: the next join is a new meeting.
    clock.advance(timedelta(minutes=31))
    await sam.join_voice(room)
    await emulator.wait_for(lambda: len(reminders_in(room, sg)) == 2, description="reminders for the new meeting")
    assert len(bot_messages(room, sg)) == 2


async def test_unmarked_voice_channel_gets_nothing(emulator: Emulator, standard_guild: StandardGuild,
                                                   run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await start(run_bot, sg)
    room = sg.guild.create_voice_channel("hangout")
    marked_room = sg.guild.create_voice_channel("marked")
    await mark(sg, marked_room)
    recorder = await outside_bot(emulator, sg, "Music Bot")
    alex = await person(emulator, sg, "Alex")
    await alex.join_voice(room)
    await recorder.join_voice(room)
    # Control: the same steps in a marked channel do produce a reminder, so the listener is live.
    await alex.join_voice(marked_room)
    await emulator.wait_for(lambda: len(reminders_in(marked_room, sg)) == 1, description="control reminder")
    await emulator.wait_for(lambda: handle.bot.get_channel(marked_room.id).members, description="bot saw moves")
    assert bot_messages(room, sg) == []
    assert recorder.voice_channel(sg.guild) is room
    assert not emulator.requests("PATCH", MOVE, path_contains=str(recorder.id))


async def test_category_stage_channel_inherits(emulator: Emulator, standard_guild: StandardGuild,
                                               run_bot: RunBot) -> None:
    sg = standard_guild
    await start(run_bot, sg)
    category = sg.guild.create_category("Working groups")
    stage = sg.guild.create_stage_channel("town-hall", category=category)
    await mark(sg, category)
    alex = await person(emulator, sg, "Alex")
    await alex.join_voice(stage)
    await emulator.wait_for(lambda: len(reminders_in(stage, sg)) == 1, description="reminders on the stage chat")


async def test_foreign_bot_is_disconnected_and_reported(emulator: Emulator, standard_guild: StandardGuild,
                                                        run_bot: RunBot) -> None:
    sg = standard_guild
    await start(run_bot, sg)
    room = sg.guild.create_voice_channel("peer-circle")
    await mark(sg, room)
    alex = await person(emulator, sg, "Alex")
    await alex.join_voice(room)
    notetaker = await outside_bot(emulator, sg, "Otter Notetaker")
    await notetaker.join_voice(room)

    await emulator.wait_for(lambda: notetaker.voice_channel(sg.guild) is None, description="notetaker removed")
    assert sg.mod_log is not None
    report = await emulator.wait_for(
        lambda: next((m for m in sg.mod_log.all_messages() if "Otter Notetaker" in m.text), None),
        description="mod-log report")
    assert room.mention in report.text and str(notetaker.id) in report.text
    assert not report.pings_anyone
    # The person is untouched.
    assert alex.voice_channel(sg.guild) is room
    moves = emulator.requests("PATCH", MOVE, status=200)
    assert [r.path.rsplit("/", 1)[-1] for r in moves] == [str(notetaker.id)]


async def test_allow_listed_bot_is_left_alone(emulator: Emulator, standard_guild: StandardGuild,
                                              run_bot: RunBot) -> None:
    sg = standard_guild
    captions = await outside_bot(emulator, sg, "Caption Helper")
    await start(run_bot, sg, allowed_bot_ids=[captions.id])
    room = sg.guild.create_voice_channel("peer-circle")
    await mark(sg, room)
    intruder = await outside_bot(emulator, sg, "Fireflies")
    await captions.join_voice(room)
    await intruder.join_voice(room)
    # The intruder joined after the allow-listed bot: once it is gone, the bot has handled both.
    await emulator.wait_for(lambda: intruder.voice_channel(sg.guild) is None, description="intruder removed")
    assert captions.voice_channel(sg.guild) is room
    assert sg.mod_log is not None
    assert not [m for m in sg.mod_log.all_messages() if "Caption Helper" in m.text]
    assert not emulator.requests("PATCH", MOVE, path_contains=str(captions.id))


async def test_missing_move_members_gives_one_alert_and_no_flood(emulator: Emulator, build_guild: Any,
                                                                 run_bot: RunBot) -> None:
    sg = build_guild(bot_permissions=P.DEFAULT_BOT_PERMS & ~P.MOVE_MEMBERS)
    await start(run_bot, sg)
    room = sg.guild.create_voice_channel("peer-circle")
    await mark(sg, room)
    bots = [await outside_bot(emulator, sg, f"Recorder {i}") for i in range(4)]
    for b in bots:
        await b.join_voice(room)
    await emulator.wait_for(lambda: len(emulator.requests("PATCH", MOVE)) == 4,
                            description="four disconnect attempts")
    assert all(r.status == 403 for r in emulator.requests("PATCH", MOVE))
    assert sg.mod_log is not None
    alerts = await emulator.wait_for(
        lambda: [m for m in sg.mod_log.all_messages() if "Move Members" in m.text], description="permission alert")
    # Let the bot finish handling all four joins, then check that only one alert was posted.
    assert len(alerts) == 1
    assert "Recorder" in alerts[0].text and not alerts[0].pings_anyone
    # The bot is still healthy: a person joining still gets the reminders.
    alex = await person(emulator, sg, "Alex")
    await alex.join_voice(room)
    await emulator.wait_for(lambda: len(reminders_in(room, sg)) == 1, description="reminders still work")
    assert len([m for m in sg.mod_log.all_messages() if "Move Members" in m.text]) == 1


async def test_bot_already_present_at_start_up_is_removed(emulator: Emulator, standard_guild: StandardGuild,
                                                          run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await start(run_bot, sg)
    room = sg.guild.create_voice_channel("peer-circle")
    await mark(sg, room)
    await handle.stop()
    sneaky = await outside_bot(emulator, sg, "Sneaky Recorder")
    await sneaky.join_voice(room)  # while our bot is offline
    await handle.start()
    await emulator.wait_for(lambda: sneaky.voice_channel(sg.guild) is None, description="removed after start-up")
    assert sg.mod_log is not None
    report = await emulator.wait_for(
        lambda: next((m for m in sg.mod_log.all_messages() if "Sneaky Recorder" in m.text), None),
        description="mod-log report")
    assert "there when I started" in report.text


async def test_list_and_idempotent_add(emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await start(run_bot, sg)
    category = sg.guild.create_category("Working groups")
    room = sg.guild.create_voice_channel("peer-circle")
    await mark(sg, category)
    await mark(sg, room)
    again = await sg.moderator.slash(sg.guild, "confidential add", target=room)
    assert "already confidential" in (await again.wait_message()).text
    listing = await sg.moderator.slash(sg.guild, "confidential list")
    text = (await listing.wait_message()).text
    assert listing.ephemeral
    assert f"{category.mention} (category)" in text and f"{room.mention} (voice channel)" in text
    inner = sg.guild.create_text_channel("inner", category=category)
    inherited = await sg.moderator.slash(sg.guild, "confidential remove", target=inner)
    assert "through its category" in (await inherited.wait_message()).text


async def test_unmarking_forgets_meeting_state(emulator: Emulator, standard_guild: StandardGuild,
                                               run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await start(run_bot, sg)
    room = sg.guild.create_voice_channel("peer-circle")
    await mark(sg, room)
    alex = await person(emulator, sg, "Alex")
    await alex.join_voice(room)
    await emulator.wait_for(lambda: len(reminders_in(room, sg)) == 1, description="reminders")
    result = await sg.moderator.slash(sg.guild, "confidential remove", target=room)
    assert "no longer marked confidential" in (await result.wait_message()).text
    async with handle.bot.sessions() as session:
        assert await repo.get_voice_state(session, sg.guild.id, room.id) is None


VOICE_STATUS = "PUT /channels/{channel_id}/voice-status"


async def test_voice_status_is_set_while_confidential_and_removed_after(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    category = sg.guild.create_category("Meetings")
    room = sg.guild.create_voice_channel("coalition-meeting", category=category)
    hangout = sg.guild.create_voice_channel("hangout")
    await mark(sg, category)
    await emulator.wait_for(lambda: room.status == "Confidential — no recording", description="the voice status")
    assert hangout.status is None
    # someone cleared it meanwhile: the next meeting puts it back
    room.status = None
    alex = await person(emulator, sg, "Alex")
    await alex.join_voice(room)
    await emulator.wait_for(lambda: room.status == "Confidential — no recording", description="the status again")
    result = await sg.moderator.slash(sg.guild, "confidential remove", target=category)
    await result.wait_message()
    await emulator.wait_for(lambda: room.status is None, description="the status removed")
    assert {r.path.split("/")[2] for r in emulator.requests("PUT", VOICE_STATUS)} == {str(room.id)}


async def test_voice_status_needs_its_permission_and_nothing_breaks_without(
        emulator: Emulator, build_guild: Any, run_bot: RunBot) -> None:
    sg = build_guild(bot_permissions=P.DEFAULT_BOT_PERMS & ~P.SET_VOICE_CHANNEL_STATUS)
    await run_bot(sg)
    room = sg.guild.create_voice_channel("coalition-meeting")
    await mark(sg, room)
    alex = await person(emulator, sg, "Alex")
    await alex.join_voice(room)
    await emulator.wait_for(lambda: reminders_in(room, sg), description="the reminders, as always")
    assert room.status is None and emulator.requests("PUT", VOICE_STATUS) == []
