"""Issue 16 on conflicts of interest: a member whose Discord client speaks Spanish (locale es-419) tags
their COI and reads every reply in Spanish, while the public announcement stays in the server's language
(English here): in the declarer's own language it would tell everyone something about them. The meeting
opening is public too; a volunteer's private thank-you is in their language."""

from __future__ import annotations

from bot.i18n import speaking, t
from cogs.coi import texts
from cogs.coi.views import TAG
from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message
from tests.emulator import interactions as I
from tests.emulator.users import InteractionResult

from .conftest import InProcessBot, RunBot

NO_FOLDING = {"coi": {"coalesce_roles_seconds": 0, "coalesce_announce_seconds": 0}}


def spanish(message: str, **values: object) -> str:
    with speaking("es"):
        return t(message, **values)


def coi_announcements(sg: StandardGuild) -> list[Message]:
    channel = sg.guild.find_channel("coi-declarations")
    return [m for m in channel.all_messages() if m.author.id == sg.bot.id] if channel else []


async def test_a_spanish_speaker_tags_in_spanish_and_the_announcement_is_in_the_servers_language(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config=NO_FOLDING)
    ana = emulator.create_user("Ana", locale="es-419")
    await ana.join(sg.guild, roles=[sg.guild.role("Member")])

    opened = await ana.slash(sg.guild, "coi tag")
    panel = await opened.wait_message()
    assert opened.ephemeral and panel.content == spanish(texts.TAG_INTRO)
    (select,) = panel.selects
    assert select["placeholder"] == spanish(texts.TAG_SELECT_PLACEHOLDER)

    result = await ana.select(panel, ["funders", "law_enforcement"])
    reply = await result.wait_message(lambda m: m.content.startswith("Guardado."))
    # The categories are the content's Spanish translation too.
    assert "Agregado: Entidades financiadoras y Fuerzas del orden (policía y similares)." in reply.content
    assert "Funders" not in reply.content
    assert spanish(texts.CHANGE_ANY_TIME) in reply.content and "Saved" not in reply.content

    await emulator.wait_for(lambda: coi_announcements(sg), description="the COI announcement")
    (note,) = coi_announcements(sg)
    assert note.content == f"{ana.mention} has declared a conflict of interest: Funders and Law enforcement."
    assert not note.pings_anyone

    cleared = await ana.slash(sg.guild, "coi clear")
    text = (await cleared.wait_message()).text
    assert text.startswith("Guardado. Quitado: Entidades financiadoras y Fuerzas del orden (policía y similares).")
    assert spanish(texts.NONE_HELD) in text
    await emulator.wait_for(lambda: len(coi_announcements(sg)) == 2, description="the withdrawal announcement")
    assert coi_announcements(sg)[-1].content.endswith("no longer declares a conflict of interest: "
                                                      "Funders and Law enforcement.")

    # Someone else's list: a modified client sends a select on Alex's panel (his ephemeral message, which
    # the emulator's click would refuse her) as Ana. Refused in her language; nothing of Alex's changes.
    other = emulator.create_user("Alex")
    await other.join(sg.guild, roles=[sg.guild.role("Member")])
    theirs = await (await other.slash(sg.guild, "coi tag")).wait_message()
    channel = emulator.world.channels[theirs.channel_id]
    forged = emulator.interactions.dispatch(
        emulator.world.bots[sg.bot.id], ana.user, sg.guild, channel, I.COMPONENT,
        {"custom_id": TAG.build(user=other.id), "component_type": 3, "values": ["pharma"]}, source=theirs)
    refused = await InteractionResult.wait(emulator, forged, None, True)
    assert refused.ephemeral and refused.text == spanish(texts.NOT_YOUR_LIST)
    assert not [name for name in sg.guild.member_role_names(other) if name.startswith("COI")]
    assert len(coi_announcements(sg)) == 2


async def test_the_meeting_opening_is_public_and_a_volunteers_thanks_private_in_their_language(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    sg.moderator.user.locale = "es-419"  # a Spanish-speaking moderator: the public opening stays English
    room = sg.guild.create_voice_channel("coalition-meeting")
    started = await sg.moderator.slash(sg.guild, "meeting start", channel=room, kind="other")
    assert (await started.wait_message()).text.startswith("The meeting opening is posted in")
    opening = await emulator.wait_for(lambda: [m for m in room.all_messages() if m.author.id == sg.bot.id],
                                      description="the meeting opening")
    assert "Introductions and conflicts of interest (COI)" in opening[0].text
    ana = emulator.create_user("Ana", locale="es-419")
    bo = emulator.create_user("Bo", locale="es-ES")
    for person in (ana, bo):
        await person.join(sg.guild, roles=[sg.guild.role("Member")])
    won = await ana.click(opening[0], "I'll take notes")
    assert won.message is not None and won.message.content == f"📝 Note-taker: {ana.mention} — thank you!"
    late = await bo.click(opening[0], "I'll take notes")
    assert late.ephemeral and (await late.wait_message()).text == spanish(texts.ALREADY_SOMEONE, name="Ana")
