"""Issue 16 on the glossary and confidential spaces: a person whose Discord client speaks Spanish (their
interactions carry locale es-419) is answered in Spanish; what is public (a shared answer, the reminders,
the recording announcement) and what moderators read stay in the server's language (English here), even
when a Spanish speaker caused it or is the moderator."""

from __future__ import annotations

from typing import Any

from bot.i18n import speaking, t
from cogs.acronyms import texts as glossary
from cogs.confidential import texts as confidential
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, Message

from .conftest import RunBot

REASON = "live captions for a member who is hard of hearing"


def spanish(message: str, **values: Any) -> str:
    with speaking("es"):
        return t(message, **values)


async def test_a_spanish_speaker_looks_up_acronyms_in_spanish(emulator: Emulator, standard_guild: StandardGuild,
                                                              run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg)
    ana = emulator.create_user("Ana", locale="es-419")
    alex = emulator.create_user("Alex")  # en-US
    for person in (ana, alex):
        await person.join(sg.guild)

    # A miss, with the closest terms: in Spanish for Ana, in English for Alex, at the same time.
    miss = await ana.slash(sg.guild, "acronym lookup", term="IHRC")
    text = (await miss.wait_message()).text
    assert miss.ephemeral
    assert text.startswith(spanish(glossary.NOT_FOUND_NEAR, term="IHRC", near="").rstrip())
    assert "todavía no está en el glosario" in text and "**IHRRC**" in text
    assert spanish(glossary.PLEASE_TELL) in text and "not in the glossary" not in text
    english = await alex.slash(sg.guild, "acronym lookup", term="IHRC")
    assert "`IHRC` is not in the glossary yet. Did you mean" in (await english.wait_message()).text

    # In a DM too (no server there: her client's language still decides).
    dm = await ana.slash(None, "acronym lookup", term="zzzz")
    assert (await dm.wait_message()).text.startswith(spanish(glossary.NOT_FOUND, term="zzzz"))

    # The whole glossary, for her eyes only: Spanish title and footer.
    listed = await ana.slash(sg.guild, "acronym list")
    page = await listed.wait_message()
    assert listed.ephemeral and page.embeds[0]["title"] == "Glosario"
    # The meanings are the content's Spanish translation, not only the frame around them.
    assert "Conflicto de interés" in page.embeds[0]["description"]
    assert "Conflict of interest" not in page.embeds[0]["description"]
    found = await ana.slash(sg.guild, "acronym lookup", term="coi")
    assert (await found.wait_message()).text == "**COI** — Conflicto de interés (conflict of interest)"
    assert spanish(glossary.GLOSSARY_FOOTER) == page.embeds[-1]["footer"]["text"]

    # Shared in the channel, the answer is public: the server's words, not hers.
    shared = await ana.slash(sg.guild, "acronym lookup", term="COI", share=True, in_channel=sg.general)
    public = await shared.wait_message()
    assert not shared.ephemeral and public.text == "**COI** — Conflict of interest"
    assert sg.general.last_message() is public


def bot_posts(channel: Channel, sg: StandardGuild) -> list[Message]:
    return [m for m in channel.all_messages() if m.author.id == sg.bot.id]


async def test_confidential_answers_a_spanish_member_in_spanish_and_keeps_shared_words_in_english(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg)
    sg.moderator.user.locale = "es-419"  # a Spanish-speaking moderator: moderators read the server's language
    room = sg.guild.create_voice_channel("coalition-meeting")
    chat = sg.guild.create_text_channel("peer-support")
    for target in (room, chat):
        marked = await sg.moderator.slash(sg.guild, "confidential add", target=target)
        assert "is now a confidential space" in (await marked.wait_message()).text
    ana = emulator.create_user("Ana", locale="es-419")
    await ana.join(sg.guild)

    # Nothing allowed yet: Ana is told so in Spanish.
    nothing = await ana.slash(sg.guild, "recording status")
    assert (await nothing.wait_message()).text == spanish(confidential.NO_RECORDING)

    # The (Spanish-speaking) moderator grants an exception: their reply and the announcement are English.
    granted = await sg.moderator.slash(sg.guild, "recording allow", channel=room, minutes=90, reason=REASON)
    reply = (await granted.wait_message()).text
    assert reply.startswith("Done: any bot may record in") and "for 1 hour 30 minutes" in reply
    announced = await emulator.wait_for(
        lambda: [m for m in bot_posts(room, sg) if "This meeting is being recorded" in m.text],
        description="the recording announcement in the meeting's chat")
    assert REASON not in announced[0].text

    # Ana sees that recording is allowed, in Spanish, without the private reason; the moderator sees it in
    # English with the reason.
    status = await ana.slash(sg.guild, "recording status")
    shown = (await status.wait_message()).text
    assert shown.startswith("**Grabación permitida por una necesidad de accesibilidad**")
    assert room.mention in shown and "hasta las" in shown and REASON not in shown
    mod_status = (await (await sg.moderator.slash(sg.guild, "recording status")).wait_message()).text
    assert mod_status.startswith("**Recording allowed for an accessibility need**") and REASON in mod_status

    # Ana's message in a confidential text channel brings the sticky reminder: a shared channel, the
    # server's language (what it says must not hint at who spoke).
    await ana.send(chat, "hola a todas")
    reminder = await emulator.wait_for(lambda: bot_posts(chat, sg), description="the sticky reminder")
    assert reminder[0].embeds[0]["footer"]["text"] == confidential.FOOTER
