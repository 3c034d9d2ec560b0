"""Issue 16: a typed DM is answered in the writer's language. A typed DM is no interaction, so the
pipeline sets no language for it; the DM router sets it from the person's language book entry (here:
the Spanish noted behind her es-419 clicks; she never chose one) before it asks the features where
the DM may go. Her picker, the note when the place she picked closed meanwhile, and the receipt are
Spanish; an English speaker's are English."""

from __future__ import annotations

from bot import texts
from bot.i18n import speaking, t
from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message, ScriptedUser

from .conftest import RunBot
from .test_repair_e2e import WORDS, case_place, field, file_request, summary_of


def said(language: str, message: str) -> str:
    with speaking(language):
        return t(message)


async def two_open_cases(emulator: Emulator, sg: StandardGuild, person: ScriptedUser, language: str,
                         first: int) -> list[Message]:
    """`person` files two requests (case numbers `first` and `first + 1`); returns their summaries."""
    summaries = []
    for number in (first, first + 1):
        await file_request(person, sg.guild, what=f"Separate matter number {number}.", language=language)
        summaries.append(await summary_of(emulator, await case_place(emulator, sg, number)))
    return summaries


async def test_a_typed_dm_is_answered_in_the_writers_language(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config={"repair": {"cooldown_minutes": 0}})
    ana = emulator.create_user("Ana", locale="es-419")  # the bot notes her app's Spanish behind her clicks
    await ana.join(sg.guild)
    bo = emulator.create_user("Bo", locale="en-US")
    await bo.join(sg.guild)
    ana_summaries = await two_open_cases(emulator, sg, ana, "es", 1)
    await two_open_cases(emulator, sg, bo, "en", 3)

    # --- Ana types a DM: two open cases, so the router asks where it goes, in Spanish ----------------
    sent = await ana.send_dm(sg.bot, "Una cosa más sobre lo que pasó.")
    picker = await ana.wait_dm(lambda m: bool(m.selects), after=sent)
    assert picker.content == said("es", texts.DM_PICK_PROMPT) != texts.DM_PICK_PROMPT
    assert picker.selects[0]["placeholder"] == said("es", texts.DM_PICK_PLACEHOLDER) != texts.DM_PICK_PLACEHOLDER
    options = [o["label"] for o in picker.selects[0]["options"]]
    assert options == [WORDS["es"]["option"].format(number=n, server=sg.guild.name) for n in (1, 2)]

    # Case 2 closes before she picks it: the router's note says so in Spanish, and the picker stays.
    closing = await sg.moderator.click(ana_summaries[1], "Close with resolution")
    assert closing.modal is not None
    await closing.modal.submit({"outcome": ["resolved"], "text": "We talked it through."})
    await emulator.wait_for(lambda: field(ana_summaries[1], "Status") == "Resolved")
    refused = await ana.select(picker, [options[1]])
    note = await refused.wait_message(lambda m: m.id != picker.id)
    assert note.text == said("es", texts.DM_GONE) != texts.DM_GONE

    # With only case 1 open, her next DM goes straight there; the receipt is Spanish.
    sent = await ana.send_dm(sg.bot, "Sobre el caso uno.")
    receipt = await ana.wait_dm(lambda m: WORDS["es"]["passed"] in m.text, after=sent)
    assert WORDS["es"]["case"] + "1" in receipt.text and not receipt.selects

    # --- Bo, whose app speaks English, reads the same router in English ------------------------------
    sent = await bo.send_dm(sg.bot, "One more thing about what happened.")
    picker = await bo.wait_dm(lambda m: bool(m.selects), after=sent)
    assert picker.content == texts.DM_PICK_PROMPT and picker.selects[0]["placeholder"] == texts.DM_PICK_PLACEHOLDER
    picked = await bo.select(picker, [WORDS["en"]["option"].format(number=4, server=sg.guild.name)])
    assert picked.type == 6
    await emulator.wait_for(lambda: WORDS["en"]["passed"] in picker.text, description="Bo's receipt")
    assert WORDS["en"]["case"] + "4" in picker.text
