"""/acronym lookup (with autocomplete) and /acronym list, on the emulator with the real bot."""

from __future__ import annotations

from bot.content import load_content
from tests.conftest import StandardGuild
from tests.emulator import Emulator, ScriptedUser

from .conftest import InProcessBot


async def member(emulator: Emulator, sg: StandardGuild) -> ScriptedUser:
    alex = emulator.create_user("Alex")
    await alex.join(sg.guild)
    return alex


async def test_lookup_answers_term_and_meaning(emulator: Emulator, standard_guild: StandardGuild,
                                               bot_in_process: InProcessBot) -> None:
    alex = await member(emulator, standard_guild)
    result = await alex.slash(standard_guild.guild, "acronym lookup", term="ihrrc")
    reply = await result.wait_message()
    assert result.ephemeral
    assert reply.text == "**IHRRC** — Illinois Harm Reduction & Recovery Coalition"


async def test_autocomplete_prefix_and_fuzzy(emulator: Emulator, standard_guild: StandardGuild,
                                             bot_in_process: InProcessBot) -> None:
    alex = await member(emulator, standard_guild)
    choices = await alex.autocomplete(standard_guild.guild, "acronym lookup", term="IH")
    assert choices[0] == {"name": "IHRRC — Illinois Harm Reduction & Recovery Coalition", "value": "IHRRC"}
    fuzzy = await alex.autocomplete(standard_guild.guild, "acronym lookup", term="SAMSHA")
    assert [c["value"] for c in fuzzy] == ["SAMHSA"]
    by_meaning = await alex.autocomplete(standard_guild.guild, "acronym lookup", term="syringe")
    assert [c["value"] for c in by_meaning] == ["SSP"]
    everything = await alex.autocomplete(standard_guild.guild, "acronym lookup", term="")
    assert len(everything) == len(load_content().glossary) <= 25
    assert all(len(c["name"]) <= 100 for c in everything)


async def test_unknown_term_is_friendly_with_closest_matches(emulator: Emulator, standard_guild: StandardGuild,
                                                             bot_in_process: InProcessBot) -> None:
    alex = await member(emulator, standard_guild)
    result = await alex.slash(standard_guild.guild, "acronym lookup", term="IHRC")
    text = (await result.wait_message()).text
    assert result.ephemeral
    assert "`IHRC` is not in the glossary yet" in text and "Did you mean" in text and "**IHRRC**" in text
    nothing = await alex.slash(standard_guild.guild, "acronym lookup", term="@everyone zzzz")
    msg = await nothing.wait_message()
    assert "not in the glossary yet" in msg.text and "/acronym list" in msg.text
    assert not msg.pings_anyone


async def test_share_posts_the_answer_in_the_channel(emulator: Emulator, standard_guild: StandardGuild,
                                                     bot_in_process: InProcessBot) -> None:
    alex = await member(emulator, standard_guild)
    result = await alex.slash(standard_guild.guild, "acronym lookup", term="COI", share=True,
                              in_channel=standard_guild.general)
    reply = await result.wait_message()
    assert not result.ephemeral and "**COI** — Conflict of interest" in reply.text
    assert standard_guild.general.last_message() is reply


async def test_list_shows_the_whole_glossary(emulator: Emulator, standard_guild: StandardGuild,
                                             bot_in_process: InProcessBot) -> None:
    alex = await member(emulator, standard_guild)
    result = await alex.slash(standard_guild.guild, "acronym list")
    text = (await result.wait_message()).text
    assert result.ephemeral
    for entry in load_content().glossary:
        assert f"**{entry.term}** — {entry.meaning}" in text


async def test_lookup_works_in_a_dm(emulator: Emulator, standard_guild: StandardGuild,
                                    bot_in_process: InProcessBot) -> None:
    alex = await member(emulator, standard_guild)
    result = await alex.slash(None, "acronym lookup", term="PLE")
    assert "People with lived/living experience/expertise" in (await result.wait_message()).text
