"""Access needs in two languages: the person asking reads their form and receipt in their own language;
the moderators' summary stays in the server's (a Spanish summary would point at the Spanish speaker)."""

from __future__ import annotations

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot
from .test_access import field, place_of, summary_in


async def test_a_spanish_speaker_asks_in_spanish_and_moderators_read_the_servers_language(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    lucia = emulator.create_user("Lucía", locale="es-419")
    await lucia.join(sg.guild)
    opened = await lucia.slash(sg.guild, "access request")
    assert opened.modal is not None
    assert opened.modal.title == "Necesidades de acceso para las reuniones"
    assert "¿Qué te ayudaría a participar?" in opened.modal.labels
    sent = await opened.modal.submit({"needs": ["spanish"], "detail": "Interpretación, por favor"})
    assert sent.ephemeral and "tu solicitud de acceso n.º 1 llegó a los moderadores" in sent.text
    summary = await summary_in(emulator, await place_of(emulator, sg, 1))
    assert summary.embeds[0]["title"] == "Access request #1"
    assert "Spanish interpretation" in field(summary, "Needs")
    assert field(summary, "In their words") == "Interpretación, por favor"
