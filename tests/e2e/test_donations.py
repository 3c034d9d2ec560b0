"""The optional donation line (the agreements: "we do ask that those in a place of financial stability kindly
consider making a recurring monthly donation"): once at the end of onboarding and in /about, from the content
file, never a condition; no line at all when the content file has none."""

from __future__ import annotations

from bot.content import load_content
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot
from .test_onboarding_flow import newcomer, walk_to_question

CONTENT = load_content()
DONATION = CONTENT.community.donation


async def test_the_welcome_and_about_carry_one_gentle_line(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    assert DONATION and "donation" in DONATION
    nia = await newcomer(emulator, sg, "Nia")
    question = await walk_to_question(nia)
    assert await nia.click(question, "Yes")
    assert "you are now a member" in question.content
    assert question.content.count(DONATION) == 1  # the membership_free step text aside: once, here
    assert question.content.rstrip().endswith(f"💛 {DONATION}")  # after the welcome, not before it
    about = await nia.slash(sg.guild, "about")
    assert about.ephemeral and about.text.count(f"💛 {DONATION}") == 1


async def test_no_donation_in_the_content_file_means_no_line(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    bot = bot_in_process.bot
    community = bot.content.community.model_copy(update={"donation": "", "donation_url": ""})
    bot.content = bot.content.model_copy(update={"community": community})
    about = await standard_guild.owner.slash(standard_guild.guild, "about")
    assert about.ephemeral and "💛" not in about.text and "donation" not in about.text
    with_link = community.model_copy(update={"donation": "Chip in if you can.", "donation_url": "https://example.org/give"})
    bot.content = bot.content.model_copy(update={"community": with_link})
    about = await standard_guild.owner.slash(standard_guild.guild, "about")
    assert "💛 Chip in if you can. <https://example.org/give>" in about.text
