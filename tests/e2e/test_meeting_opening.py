"""/meeting start and /meeting end, and the "I'll take notes" button (incl. the race)."""

from __future__ import annotations

import asyncio

import pytest

from db.repositories import audit
from db.repositories import coi as repo
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser

from .conftest import InProcessBot

NOTES = "I'll take notes"


async def open_meeting(sg: StandardGuild, channel: Channel, kind: str = "other") -> Message:
    result = await sg.moderator.slash(sg.guild, "meeting start", channel=channel, kind=kind)
    reply = await result.wait_message()
    assert result.ephemeral and "posted" in reply.content
    opening = channel.last_message()
    assert opening is not None and opening.buttons
    return opening


async def people(emulator: Emulator, sg: StandardGuild, *names: str) -> list[ScriptedUser]:
    out = []
    for name in names:
        user = emulator.create_user(name)
        await user.join(sg.guild)
        out.append(user)
    return out


async def test_opening_has_introductions_notetaker_norms_and_acronyms(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    voice = sg.guild.create_voice_channel("monthly-coalition-meeting")
    opening = await open_meeting(sg, voice)
    text = opening.text
    assert "introduce yourself in the chat" in text and "conflicts of interest (COI)" in text
    assert "volunteer note-taker" in text
    assert "Keep it confidential" in text and "No AI notetaking assistants" in text
    assert "/acronym lookup" in text
    assert "Note-taker: still needed" in opening.content
    assert opening.button(NOTES)["custom_id"].startswith("coi:notetaker:")
    assert not opening.pings_anyone
    async with bot_in_process.bot.sessions() as session:
        (entry,) = await audit.recent(session, sg.guild.id, action_prefix="coi.meeting")
    assert (entry.action, entry.actor_id, entry.subject) == ("coi.meeting.start", sg.moderator.id,
                                                             f"channel:{voice.id}")

    again = await sg.moderator.slash(sg.guild, "meeting start", channel=voice, kind="other")
    assert "already open" in (await again.wait_message()).content


async def test_two_volunteers_at_once_exactly_one_recorded(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    voice = sg.guild.create_voice_channel("advocacy-working-group")
    opening = await open_meeting(sg, voice)
    ana, ben, cy = await people(emulator, sg, "Ana", "Ben", "Cy")

    # Both clicks are dispatched before the bot answers either one.
    first, second = await asyncio.gather(ana.click(opening, NOTES), ben.click(opening, NOTES))
    answered = min(r.record.first_callback_at or 0 for r in (first, second))
    assert max(r.record.dispatched_at for r in (first, second)) < answered  # truly concurrent
    winners = [r for r in (first, second) if r.type == 7]
    losers = [r for r in (first, second) if r.type == 4]
    assert len(winners) == 1 and len(losers) == 1
    winner, loser = (ana, ben) if winners[0] is first else (ben, ana)
    assert loser.name not in opening.content
    assert opening.content == f"📝 Note-taker: {winner.mention} — thank you!"
    assert not opening.pings_anyone
    assert losers[0].ephemeral
    assert f"{winner.name} is already taking notes" in losers[0].text

    async with bot_in_process.bot.sessions() as session:
        meeting = await repo.active_meeting(session, sg.guild.id, voice.id)
    assert meeting is not None and meeting.notetaker_id == winner.id

    later = await cy.click(opening, NOTES)
    assert later.ephemeral and f"{winner.name} is already taking notes" in later.text
    mine = await winner.click(opening, NOTES)
    assert "You're already the note-taker" in mine.text


async def test_end_closes_the_meeting_and_the_button(emulator: Emulator, standard_guild: StandardGuild,
                                                     bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    voice = sg.guild.create_voice_channel("monthly-coalition-meeting")
    opening = await open_meeting(sg, voice)
    (dee,) = await people(emulator, sg, "Dee")
    await dee.click(opening, NOTES)
    result = await sg.moderator.slash(sg.guild, "meeting end", channel=voice)
    assert "is closed" in (await result.wait_message()).content
    await emulator.wait_for(lambda: opening.button(NOTES).get("disabled"), description="the button disabled")
    assert "This meeting has ended" in opening.content and dee.mention in opening.content
    assert opening.embeds  # the opening text stays readable
    async with bot_in_process.bot.sessions() as session:
        assert await repo.active_meeting(session, sg.guild.id, voice.id) is None
    again = await sg.moderator.slash(sg.guild, "meeting end", channel=voice)
    assert "no open meeting" in (await again.wait_message()).content


async def test_end_without_channel_uses_the_only_open_meeting_and_button_survives_restart(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    voice = sg.guild.create_voice_channel("monthly-coalition-meeting")
    opening = await open_meeting(sg, voice)
    await bot_in_process.restart()
    (eve,) = await people(emulator, sg, "Eve")
    click = await eve.click(opening, NOTES)  # a persistent button: handled by the new instance
    assert click.type == 7 and eve.mention in opening.content
    result = await sg.moderator.slash(sg.guild, "meeting end")  # run from #general: the only open meeting
    assert "is closed" in (await result.wait_message()).content
    await emulator.wait_for(lambda: opening.button(NOTES).get("disabled"), description="the button disabled")


async def test_text_channel_meeting_and_unsuitable_channels(emulator: Emulator, standard_guild: StandardGuild,
                                                            bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    category = sg.guild.create_category("Meetings")
    with pytest.raises(AssertionError, match="takes channel types"):  # Discord's picker doesn't offer it
        await sg.moderator.slash(sg.guild, "meeting start", channel=category, kind="other")
    thread = emulator.world.create_thread(sg.general, "side chat", sg.owner.user, private=False)
    with pytest.raises(AssertionError, match="takes channel types"):
        await sg.moderator.slash(sg.guild, "meeting end", channel=thread)
    opening = await open_meeting(sg, sg.general)
    assert opening.channel_id == sg.general.id
