"""Sticky reminders in confidential text channels, on the emulator with the real bot."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from db.repositories import confidential as repo
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser
from tests.emulator import permissions as P

from .conftest import InProcessBot, RunBot

TITLE = "Before we begin: how we keep this space safe"
POST = "POST /channels/{channel_id}/messages"
DELETE = "DELETE /channels/{channel_id}/messages/{message_id}"


def reminders(channel: Channel, sg: StandardGuild) -> list[Message]:
    return [m for m in channel.all_messages() if m.author.id == sg.bot.id and TITLE in m.text]


def cog(handle: InProcessBot) -> Any:
    found = handle.bot.get_cog("ConfidentialCog")
    assert found is not None
    return found


async def setup(emulator: Emulator, sg: StandardGuild, run_bot: RunBot, **confidential: Any
                ) -> tuple[InProcessBot, Channel, ScriptedUser]:
    handle = await run_bot(sg, config={"confidential": {"every_messages": 3, "every_hours": 24, **confidential}})
    channel = sg.guild.create_text_channel("peer-support")
    result = await sg.moderator.slash(sg.guild, "confidential add", target=channel)
    assert "now a confidential space" in (await result.wait_message()).text
    alex = emulator.create_user("Alex")
    await alex.join(sg.guild)
    return handle, channel, alex


async def say(emulator: Emulator, handle: InProcessBot, user: ScriptedUser, channel: Channel, n: int,
              expect_count: int) -> None:
    """Send `n` messages and wait until the bot has counted them (its count is `expect_count`)."""
    for i in range(n):
        await user.send(channel, f"message {i}")
    await emulator.wait_for(lambda: cog(handle).message_count(channel.guild_id, channel.id) == expect_count,
                            description=f"the bot to count to {expect_count}")


def never_two(emulator: Emulator, channel: Channel) -> list[str]:
    """The bot's POST/DELETE calls in this channel, in order; asserts at most one reminder at any time."""
    calls = [r.method for r in emulator.request_log
             if r.route in (POST, DELETE) and f"/channels/{channel.id}/" in r.path + "/" and r.status < 300]
    live = 0
    for method in calls:
        live += 1 if method == "POST" else -1
        assert 0 <= live <= 1, f"two reminders at once: {calls}"
    return calls


async def test_sticky_reminder_is_replaced_after_the_message_threshold(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle, channel, alex = await setup(emulator, sg, run_bot)

    await say(emulator, handle, alex, channel, 1, expect_count=0)  # the first message brings the first reminder
    first = await emulator.wait_for(lambda: reminders(channel, sg), description="the first reminder")
    assert len(first) == 1
    assert "I never read or store what you write" in first[0].text and not first[0].pings_anyone

    await say(emulator, handle, alex, channel, 2, expect_count=2)
    assert reminders(channel, sg) == first  # not yet: 2 of 3

    await say(emulator, handle, alex, channel, 1, expect_count=0)  # the third since the reminder
    await emulator.wait_for(lambda: reminders(channel, sg) and reminders(channel, sg) != first,
                            description="the reminder to be replaced")
    now = reminders(channel, sg)
    assert len(now) == 1 and first[0].deleted
    assert channel.last_message() is now[0]  # near the bottom
    assert never_two(emulator, channel) == ["POST", "DELETE", "POST"]


async def test_burst_of_messages_never_leaves_two_reminders(emulator: Emulator, standard_guild: StandardGuild,
                                                            run_bot: RunBot) -> None:
    sg = standard_guild
    handle, channel, alex = await setup(emulator, sg, run_bot)
    for i in range(20):
        await alex.send(channel, f"burst {i}")
    # 1 (first reminder) + 19 more messages at 3 per reminder: 6 replacements, 1 left over.
    await emulator.wait_for(lambda: cog(handle).message_count(channel.guild_id, channel.id) == 1,
                            description="all 20 messages counted")
    calls = never_two(emulator, channel)
    assert calls.count("POST") == 7 and calls.count("DELETE") == 6
    assert len(reminders(channel, sg)) == 1


async def test_reminder_replaced_after_hours_of_activity_but_not_in_silence(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle, channel, alex = await setup(emulator, sg, run_bot, every_messages=100)
    quiet = sg.guild.create_text_channel("quiet-corner")
    await sg.moderator.slash(sg.guild, "confidential add", target=quiet)

    await say(emulator, handle, alex, channel, 1, expect_count=0)
    first = await emulator.wait_for(lambda: reminders(channel, sg), description="the first reminder")
    handle.bot.clock.advance(timedelta(hours=25))
    await cog(handle).run_due_jobs()
    assert reminders(channel, sg) == first  # time alone does nothing: no activity, no repost

    await say(emulator, handle, alex, channel, 1, expect_count=0)
    await emulator.wait_for(lambda: first[0].deleted and len(reminders(channel, sg)) == 1,
                            description="the reminder refreshed after 24 hours")
    # The confidential channel nobody wrote in never got a reminder.
    assert [m for m in quiet.all_messages() if m.author.id == sg.bot.id] == []


async def test_threads_of_confidential_channels_get_reminders(emulator: Emulator, standard_guild: StandardGuild,
                                                              run_bot: RunBot) -> None:
    sg = standard_guild
    handle, channel, alex = await setup(emulator, sg, run_bot)
    thread = emulator.world.create_thread(channel, "follow-up", alex.user, private=False)
    ordinary = sg.general
    await alex.send(ordinary, "hello everyone")
    await say(emulator, handle, alex, thread, 1, expect_count=0)
    await emulator.wait_for(lambda: len(reminders(thread, sg)) == 1, description="a reminder in the thread")
    assert cog(handle).message_count(sg.guild.id, ordinary.id) is None  # not counted: not confidential
    assert reminders(ordinary, sg) == []


async def test_counts_survive_a_restart(emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle, channel, alex = await setup(emulator, sg, run_bot)
    await say(emulator, handle, alex, channel, 1, expect_count=0)
    first = await emulator.wait_for(lambda: reminders(channel, sg), description="the first reminder")
    await say(emulator, handle, alex, channel, 2, expect_count=2)
    assert await cog(handle).flush_counts() == 1  # the periodic job saves the count
    await handle.restart()

    await say(emulator, handle, alex, channel, 1, expect_count=0)  # 2 saved + 1 = the threshold
    await emulator.wait_for(lambda: first[0].deleted and len(reminders(channel, sg)) == 1,
                            description="the old reminder (known from the database) replaced after restart")


async def test_missing_send_permission_alerts_once_without_flood(emulator: Emulator, standard_guild: StandardGuild,
                                                                 run_bot: RunBot) -> None:
    sg = standard_guild
    handle, channel, alex = await setup(emulator, sg, run_bot, every_messages=1)
    sg.guild.set_overwrite(channel, sg.bot.user, deny=P.SEND_MESSAGES)
    for _ in range(5):
        await say(emulator, handle, alex, channel, 1, expect_count=0)
    await emulator.wait_for(lambda: len(emulator.requests("POST", POST, path_contains=str(channel.id))) == 5,
                            description="five attempts")
    assert all(r.status == 403 for r in emulator.requests("POST", POST, path_contains=str(channel.id)))
    assert sg.mod_log is not None
    alerts = [m for m in sg.mod_log.all_messages() if "Send Messages" in m.text]
    assert len(alerts) == 1 and channel.mention in alerts[0].text and not alerts[0].pings_anyone
    # Fix the permission: the next message brings the reminder.
    sg.guild.set_overwrite(channel, sg.bot.user, allow=P.SEND_MESSAGES)
    await say(emulator, handle, alex, channel, 1, expect_count=0)
    await emulator.wait_for(lambda: len(reminders(channel, sg)) == 1, description="reminder once allowed")
    assert len([m for m in sg.mod_log.all_messages() if "Send Messages" in m.text]) == 1


async def test_unmarking_removes_the_reminder(emulator: Emulator, standard_guild: StandardGuild,
                                              run_bot: RunBot) -> None:
    sg = standard_guild
    handle, channel, alex = await setup(emulator, sg, run_bot)
    await say(emulator, handle, alex, channel, 1, expect_count=0)
    first = await emulator.wait_for(lambda: reminders(channel, sg), description="the first reminder")
    result = await sg.moderator.slash(sg.guild, "confidential remove", target=channel)
    assert "no longer marked confidential" in (await result.wait_message()).text
    assert first[0].deleted  # removed before the bot answered
    async with handle.bot.sessions() as session:
        assert await repo.get_sticky(session, sg.guild.id, channel.id) is None
    assert cog(handle).message_count(sg.guild.id, channel.id) is None
