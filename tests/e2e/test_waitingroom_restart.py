"""A waiting room survives the bot restarting (or being killed) mid-meeting."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, ScriptedUser
from tests.emulator import permissions as P

from .conftest import InProcessBot, SpawnBot

DENIED = P.VIEW_CHANNEL | P.CONNECT | P.SPEAK


def snapshot(channel: Channel) -> dict[int, tuple[int, int, int]]:
    return {tid: (o.type, o.allow, o.deny) for tid, o in channel.overwrites.items()}


async def setup_meeting(emulator: Emulator, sg: StandardGuild) -> tuple[Channel, ScriptedUser, ScriptedUser]:
    meeting = sg.guild.create_voice_channel("coalition-meeting")
    pharma = sg.guild.role("COI: Pharmaceutical Representatives")
    emulator.world.set_overwrite(meeting, pharma, P.STREAM, 0)  # an existing overwrite to restore exactly
    rep = emulator.create_user("Rae Rep")
    await rep.join(sg.guild, roles=[pharma])
    peer = emulator.create_user("Pia Peer")
    await peer.join(sg.guild)
    await rep.join_voice(meeting)
    await peer.join_voice(meeting)
    return meeting, rep, peer


async def test_killed_subprocess_then_end_restores_everything(emulator: Emulator, standard_guild: StandardGuild,
                                                             spawn_bot: SpawnBot) -> None:
    sg = standard_guild
    proc = await spawn_bot(sg)
    await emulator.wait_for(lambda: sg.guild.has_role_named("COI: Pharmaceutical Representatives"),
                            description="COI roles provisioned")
    meeting, rep, peer = await setup_meeting(emulator, sg)
    before = snapshot(meeting)
    law = sg.guild.role("COI: Law enforcement")

    # Gateway events arrive in order, so the bot has seen Rae join voice before the command.
    result = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting,
                                      categories="pharma, law_enforcement")
    text = (await result.wait_message()).content
    assert "I moved 1 person" in text
    assert rep.voice_channel(sg.guild) is sg.waiting_room
    assert meeting.overwrites[law.id].deny == DENIED

    await proc.kill9()  # no clean shutdown
    await proc.start()
    result = await sg.moderator.slash(sg.guild, "waitingroom end", channel=meeting)
    done = await result.wait_message()
    assert "has ended" in done.content and "moved 1 person back" in done.content
    assert snapshot(meeting) == before  # incl. law enforcement's overwrite deleted again
    assert rep.voice_channel(sg.guild) is meeting
    assert peer.voice_channel(sg.guild) is meeting


async def test_restart_then_expiry_still_ends_it(emulator: Emulator, standard_guild: StandardGuild,
                                                 bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    meeting, rep, _ = await setup_meeting(emulator, sg)
    before = snapshot(meeting)
    guild = bot_in_process.bot.get_guild(sg.guild.id)
    await emulator.wait_for(lambda: (c := guild.get_channel(meeting.id)) is not None and len(c.members) == 2,
                            description="the bot to see both in voice")
    result = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting, categories="pharma",
                                      minutes=10)
    assert "I moved 1 person" in (await result.wait_message()).content

    await bot_in_process.restart()  # a new bot instance on the same database
    bot = bot_in_process.bot
    bot.clock.advance(timedelta(minutes=11))
    assert await bot.get_cog("WaitingRoomCog").run_due_jobs() == 1
    assert snapshot(meeting) == before
    assert rep.voice_channel(sg.guild) is meeting
