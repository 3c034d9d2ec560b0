"""Issue 16: a newcomer whose Discord client speaks Spanish (locale es-419) walks the whole onboarding
in Spanish — every step is the Spanish content, every button Spanish — and a typed "sí" makes them a
member. The welcome channel's shared post stays in the server's language."""

from __future__ import annotations

import re

from bot.content import load_content
from cogs.onboarding import logic
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import RunBot
from .test_onboarding_flow import newcomer, start_from_welcome

CONTENT = load_content()
SPANISH = CONTENT.localized("es")
STEPS = logic.build_steps(CONTENT, language="es")


def paso(text: str) -> int:
    found = re.search(r"\*\*Paso (\d+) de (\d+)", text)
    assert found, f"no 'Paso k de N' in {text[:200]!r}"
    assert int(found.group(2)) == len(STEPS)
    return int(found.group(1))


async def test_a_newcomer_with_a_spanish_client_walks_the_onboarding_in_spanish(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg)
    ana = await newcomer(emulator, sg, "Ana", locale="es-419")
    msg = await start_from_welcome(emulator, sg, ana)  # her click carries es-419
    for index, step in enumerate(STEPS):
        assert paso(msg.content) == index + 1
        assert step.heading in msg.content and step.body.split("\n")[-1][:80] in msg.content
        labels = {b.get("label") for b in msg.buttons}
        assert "Tengo una pregunta" in labels and not labels & {"I have a question", "Back", "Yes"}
        if step.offers_coi:
            (select,) = msg.selects
            options = [o["label"] for o in select["options"]]
            assert options == [*(c.display for c in SPANISH.coi_categories), "Ninguno aplica"]
            assert select["placeholder"] == "Conflictos de interés (COI): elige los que apliquen"
        if index == len(STEPS) - 1:
            assert SPANISH.commitment.question in msg.content
            assert {"Sí", "Todavía no / Tengo preguntas"} <= labels
            break
        result = await ana.click(msg, "Empecemos" if index == 0 else "Entiendo y estoy de acuerdo")
        assert result.type == 7 and result.message is not None
        msg = result.message
    # the whole walk said nothing in English to her
    assert "Step " not in msg.content and "I understand" not in msg.content

    await ana.send_dm(sg.bot, "¡Sí, me comprometo!")
    await emulator.wait_for(lambda: ana.has_role(sg.guild, "Member"), description="member role after a typed sí")
