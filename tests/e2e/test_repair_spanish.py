"""Repair in each reader's language (issue 16, Done when): a Spanish-speaking member (their Discord app
speaks Spanish: every interaction carries locale es-419; they never chose a language) files a repair
request and reads every step, the receipt, the moderators' acknowledgement and reply, and the relay's
answer in Spanish, while the moderators see the case, its buttons, their forms and every line in its
thread in English (the server's language)."""

from __future__ import annotations

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot
from .test_repair_e2e import WHAT, case_place, field, summary_of

REPLY = "Gracias por escribirnos. ¿Qué te ayudaría? Thank you for writing."


async def test_a_spanish_speaker_files_and_hears_back_in_spanish_while_moderators_read_english(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    mod = sg.moderator
    ana = emulator.create_user("Ana", locale="es-419")  # the bot notes her app's language behind her clicks
    await ana.join(sg.guild)

    # --- filing: every step in Spanish ------------------------------------------------------------
    started = await ana.slash(sg.guild, "repair request")
    step = started.message
    assert step is not None and step.ephemeral
    assert "**Pedir reparación — paso 1 de 2**" in step.text and "**Luego elige cómo presentarla:**" in step.text
    assert [b["label"] for b in step.buttons] == ["Presentar con mi nombre", "Presentar de forma anónima"]
    assert step.selects[0]["placeholder"] == "Moderadores que no deberían encargarse de esto (opcional)"
    chosen = await ana.click(step, "Presentar con mi nombre")
    assert chosen.modal is not None
    assert chosen.modal.title == "Pedir reparación (paso 2 de 2)"
    assert "¿Qué pasó?" in [f.get("label") for f in chosen.modal.fields] + chosen.modal.labels
    submitted = await chosen.modal.submit({"what": WHAT})
    receipt = await submitted.wait_message(lambda m: "caso n.º" in m.text)
    assert "Gracias. Tu solicitud quedó guardada como **caso n.º 1**." in receipt.text
    assert "**Qué pasa ahora:** llega en privado a los moderadores." in receipt.text
    assert "What happens next" not in receipt.text

    # --- the moderators: English, the same as for anyone ------------------------------------------
    place = await case_place(emulator, sg)
    summary = await summary_of(emulator, place)
    intro = next(m for m in place.all_messages() if m.id == summary.id)
    assert intro.content.startswith("**New repair request — case #1.**")
    assert summary.embeds[0]["title"] == "Repair case #1" and field(summary, "Status").startswith("Submitted")
    assert [b["label"] for b in summary.buttons] == ["Acknowledge", "Assign to me", "Reply to requester",
                                                     "Add note", "Close with resolution", "Reopen"]

    before = ana.last_dm()
    await mod.click(summary, "Acknowledge")
    ack = await ana.wait_dm(lambda m: "caso n.º 1" in m.content, after=before)
    assert ack.content.startswith("Los moderadores confirmaron que recibieron tu solicitud de reparación (caso n.º 1).")
    assert ack.content.endswith("— el equipo de moderación")
    await emulator.wait_for(lambda: any("acknowledged case #1" in m.text for m in place.all_messages()),
                            description="the English acknowledgement line")

    opened = await mod.click(summary, "Reply to requester")
    assert opened.modal is not None and opened.modal.title == "Reply to the requester (case #1)"
    before = ana.last_dm()
    await opened.modal.submit({"text": REPLY})
    reply = await ana.wait_dm(lambda m: REPLY[:20] in m.content, after=before)
    assert reply.content.startswith("**Un mensaje de los moderadores sobre tu solicitud de reparación (caso n.º 1):**")
    assert "— el equipo de moderación" in reply.content and "Para contestar" in reply.content
    line = await emulator.wait_for(
        lambda: next((m for m in place.all_messages() if "replied to the requester" in m.text), None),
        description="the English reply line")
    assert "signed “the moderators”" in line.text

    # --- her answer: relayed, acknowledged in Spanish, shown to moderators in English ----------------
    sent = await ana.send_dm(sg.bot, "Me ayudaría hablar con alguien.")
    passed = await ana.wait_dm(lambda m: "Se lo pasé" in m.content, after=sent)
    assert passed.content == f"Se lo pasé a los moderadores que atienden el caso n.º 1 en {sg.guild.name}. " \
                             "Llegó ahí y a ningún otro lugar."
    relayed = await emulator.wait_for(
        lambda: next((m for m in place.all_messages() if "Me ayudaría" in m.text), None), description="the relay")
    assert relayed.content == f"💬 <@{ana.id}> wrote (case #1):"

    # /repair mine: her own list, in Spanish
    mine = await ana.slash(sg.guild, "repair mine")
    assert mine.ephemeral and "**Tus solicitudes de reparación**" in mine.text and "Recibido" in mine.text
