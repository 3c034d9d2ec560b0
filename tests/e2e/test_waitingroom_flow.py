"""/waitingroom start and end with the real bot: exact overwrites, voice moves, expiry, rollback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import WaitingRoom
from db.repositories import audit
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, ScriptedUser
from tests.emulator import permissions as P

from .conftest import InProcessBot

PUT_OVERWRITE = "PUT /channels/{channel_id}/permissions/{target}"
DENIED = P.VIEW_CHANNEL | P.CONNECT | P.SPEAK


def snapshot(channel: Channel) -> dict[int, tuple[int, int, int]]:
    return {tid: (o.type, o.allow, o.deny) for tid, o in channel.overwrites.items()}


async def person(emulator: Emulator, sg: StandardGuild, name: str, *roles: str) -> ScriptedUser:
    user = emulator.create_user(name)
    await user.join(sg.guild, roles=[sg.guild.role(r) for r in roles])
    return user


async def in_voice(emulator: Emulator, bot: InProcessBot, channel: Channel, *users: ScriptedUser) -> None:
    for u in users:
        await u.join_voice(channel)
    guild = bot.bot.get_guild(channel.guild_id)
    ids = {u.id for u in users}

    def seen() -> bool:
        cached = guild.get_channel(channel.id)
        return cached is not None and ids <= {m.id for m in cached.members}
    await emulator.wait_for(seen, description="the bot to see everyone in voice")


async def meeting_setup(emulator: Emulator, sg: StandardGuild, bot: InProcessBot) -> tuple[Channel, dict]:
    """A meeting voice channel where @Funders already had an overwrite and law enforcement had none."""
    meeting = sg.guild.create_voice_channel("coalition-meeting")
    funders = sg.guild.role("COI: Funders")
    # Funders: an existing overwrite that ALLOWS speak and denies streaming — must come back exactly.
    emulator.world.set_overwrite(meeting, funders, P.SPEAK | P.USE_VAD, P.STREAM)
    people = {
        "fran": await person(emulator, sg, "Fran Funder", "COI: Funders"),
        "lee": await person(emulator, sg, "Lee Officer", "COI: Law enforcement"),
        "pat": await person(emulator, sg, "Pat Peer"),
        "gio": await person(emulator, sg, "Gio Government", "COI: Government Officials"),
    }
    await in_voice(emulator, bot, meeting, *people.values())
    guild = bot.bot.get_guild(sg.guild.id)
    await emulator.wait_for(lambda: guild.get_channel(meeting.id).overwrites_for(guild.get_role(funders.id)).speak,
                            description="the bot to see the existing overwrite")
    return meeting, people


async def test_start_and_end_restore_exact_overwrites_and_move_both_ways(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    assert sg.waiting_room is not None
    meeting, people = await meeting_setup(emulator, sg, bot_in_process)
    before = snapshot(meeting)
    funders, law = sg.guild.role("COI: Funders"), sg.guild.role("COI: Law enforcement")
    assert law.id not in before  # "no overwrite" before

    result = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting,
                                      categories="funders, law_enforcement", minutes=30, reason="guest speaker")
    reply = await result.wait_message(lambda m: "waiting room is on" in m.content)
    assert result.ephemeral and "I moved 2 people" in reply.content

    f_ow, l_ow = meeting.overwrites[funders.id], meeting.overwrites[law.id]
    assert f_ow.deny & DENIED == DENIED and not f_ow.allow & DENIED
    assert f_ow.allow & P.USE_VAD and f_ow.deny & P.STREAM  # merged with what was there
    assert (l_ow.allow, l_ow.deny) == (0, DENIED)
    assert not people["fran"].can_view(meeting) and not people["lee"].can_view(meeting)
    assert people["pat"].can_view(meeting)
    assert people["fran"].voice_channel(sg.guild) is sg.waiting_room
    assert people["lee"].voice_channel(sg.guild) is sg.waiting_room
    assert people["pat"].voice_channel(sg.guild) is meeting
    assert people["gio"].voice_channel(sg.guild) is meeting  # a category that was not chosen stays

    notice = meeting.last_message()
    assert notice is not None and "waiting room" in notice.content
    assert "Funders and Law enforcement" in notice.content
    for p in people.values():
        assert p.name not in notice.content and str(p.id) not in notice.content
    assert not notice.pings_anyone

    # Lee wanders off to another channel; only Fran is still in the waiting room at the end.
    lounge = sg.guild.create_voice_channel("lounge")
    await people["lee"].join_voice(lounge)
    end = await sg.moderator.slash(sg.guild, "waitingroom end", channel=meeting)
    done = await end.wait_message(lambda m: "has ended" in m.content)
    assert "moved 1 person back" in done.content
    assert snapshot(meeting) == before  # exact: Funders' old overwrite back, law enforcement's deleted
    assert emulator.requests("DELETE", "DELETE /channels/{channel_id}/permissions/{target}",
                             path_contains=str(law.id), status=204)
    assert people["fran"].voice_channel(sg.guild) is meeting
    assert people["lee"].voice_channel(sg.guild) is lounge  # left alone
    async with bot_in_process.bot.sessions() as session:
        actions = [e.action for e in await audit.recent(session, sg.guild.id, action_prefix="coi.waitingroom")]
        (room,) = (await session.execute(select(WaitingRoom))).scalars().all()
    assert actions == ["coi.waitingroom.end", "coi.waitingroom.start"]
    assert room.ended_at is not None and room.moved_member_ids == []  # who was moved is not kept


async def test_expiry_ends_it_by_itself(emulator: Emulator, standard_guild: StandardGuild,
                                        bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    meeting, people = await meeting_setup(emulator, sg, bot_in_process)
    before = snapshot(meeting)
    result = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting, categories="Funders")
    await result.wait_message(lambda m: "waiting room is on" in m.content)
    assert "60 minutes" in result.text  # the default length
    assert people["fran"].voice_channel(sg.guild) is sg.waiting_room
    cog = bot_in_process.bot.get_cog("WaitingRoomCog")

    bot_in_process.bot.clock.advance(timedelta(minutes=59))
    assert await cog.run_due_jobs() == 0
    assert snapshot(meeting) != before

    bot_in_process.bot.clock.advance(timedelta(minutes=2))
    assert await cog.run_due_jobs() == 1
    assert snapshot(meeting) == before
    assert people["fran"].voice_channel(sg.guild) is meeting
    assert "has ended" in (meeting.last_message().content if meeting.last_message() else "")
    assert await cog.run_due_jobs() == 0  # not ended twice
    async with bot_in_process.bot.sessions() as session:
        entries = await audit.recent(session, sg.guild.id, action_prefix="coi.waitingroom")
    assert [(e.action, e.actor_id) for e in entries] == [("coi.waitingroom.expire", None),
                                                         ("coi.waitingroom.start", sg.moderator.id)]
    again = await sg.moderator.slash(sg.guild, "waitingroom end", channel=meeting)
    assert "no waiting room" in (await again.wait_message()).content


async def test_overlapping_waiting_room_is_refused(emulator: Emulator, standard_guild: StandardGuild,
                                                   bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    meeting, _ = await meeting_setup(emulator, sg, bot_in_process)
    first = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting, categories="funders")
    await first.wait_message(lambda m: "waiting room is on" in m.content)
    during = snapshot(meeting)
    second = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting, categories="lobbyists")
    refusal = await second.wait_message()
    assert "already on" in refusal.content and "/waitingroom end" in refusal.content
    assert snapshot(meeting) == during


async def test_unrestrictable_channels_and_bad_categories_are_refused(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    # Discord's picker offers only the channel types the option takes: no categories, no threads
    category = sg.guild.create_category("Meetings")
    thread = emulator.world.create_thread(sg.general, "side chat", sg.owner.user, private=False)
    for unsuitable in (category, thread):
        with pytest.raises(AssertionError, match="takes channel types"):
            await sg.moderator.slash(sg.guild, "waitingroom start", channel=unsuitable, categories="funders")
    meeting = sg.guild.create_voice_channel("coalition-meeting")
    result = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting, categories="cops, funders")
    text = (await result.wait_message()).content
    assert '"cops"' in text and "`law_enforcement`" in text
    assert meeting.overwrites == {}
    assert emulator.requests(route=PUT_OVERWRITE) == []


async def test_autocomplete_completes_a_comma_separated_list(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    meeting = sg.guild.create_voice_channel("coalition-meeting")
    choices = await sg.moderator.autocomplete(sg.guild, "waitingroom start", channel=meeting,
                                              categories="funders, pha")
    assert choices == [{"name": "Funders + Pharmaceutical Representatives", "value": "funders, pharma"}]


async def test_failure_midway_rolls_everything_back(emulator: Emulator, standard_guild: StandardGuild,
                                                    bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    meeting, people = await meeting_setup(emulator, sg, bot_in_process)
    before = snapshot(meeting)
    law = sg.guild.role("COI: Law enforcement")
    # The second overwrite is refused by Discord (as if a permission was missing).
    emulator.failures.inject_500(1, route=PUT_OVERWRITE, path_contains=str(law.id), status=403)
    result = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting,
                                      categories="funders, law_enforcement")
    reply = await result.wait_message(lambda m: "couldn't set up" in m.content)
    assert "Manage Roles" in reply.content and "exactly as it was" in reply.content
    assert snapshot(meeting) == before
    assert people["fran"].voice_channel(sg.guild) is meeting
    from db.repositories import coi as repo
    async with bot_in_process.bot.sessions() as session:
        assert await repo.active_waiting_room(session, sg.guild.id, meeting.id) is None

    # A failure while moving people also undoes the overwrites and the moves already made.
    emulator.failures.inject_500(1, route="PATCH /guilds/{guild_id}/members/{user_id}",
                                 path_contains=str(people["lee"].id), status=403)
    result = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting,
                                      categories="funders, law_enforcement")
    reply = await result.wait_message(lambda m: "couldn't set up" in m.content)
    assert "move people" in reply.content
    assert snapshot(meeting) == before
    assert people["fran"].voice_channel(sg.guild) is meeting
    assert people["lee"].voice_channel(sg.guild) is meeting


async def test_missing_permissions_are_named(emulator: Emulator, build_guild, run_bot) -> None:
    sg = build_guild(bot_permissions=P.DEFAULT_BOT_PERMS & ~P.MANAGE_ROLES & ~P.MOVE_MEMBERS)
    sg.guild.create_role("COI: Funders")  # without Manage Roles the bot can't create it itself
    await run_bot(sg)
    meeting = sg.guild.create_voice_channel("coalition-meeting")
    result = await sg.moderator.slash(sg.guild, "waitingroom start", channel=meeting, categories="funders")
    text = (await result.wait_message()).content
    assert f"Manage Permissions (Manage Roles) in {meeting.mention}" in text
    assert f"Move Members in {meeting.mention}" in text and "Nothing was changed" in text
    assert meeting.overwrites == {}
    assert emulator.requests(route=PUT_OVERWRITE) == []
