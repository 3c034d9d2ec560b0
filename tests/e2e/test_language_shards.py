"""A language chosen through another shard process reaches this one (issue 16 with shard processes).

DMs all reach shard 0, so a `/language` choice made in DMs is written there; the moderators' reply
to a case is relayed by the process that owns the server. Here the other process is played by a
write to the shared database; this process's language job picks it up and the relay speaks Spanish."""

from __future__ import annotations

from db.models import PersonLanguage
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot
from .test_repair_e2e import WHAT, case_place, summary_of


async def test_a_choice_written_by_another_process_reaches_the_relay_after_the_next_refresh(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    bot = bot_in_process.bot
    ben = emulator.create_user("Ben")  # his app speaks English
    await ben.join(sg.guild)
    step = (await ben.slash(sg.guild, "repair request")).message
    assert step is not None
    form = await ben.click(step, "File with my name")
    assert form.modal is not None
    await (await form.modal.submit({"what": WHAT})).wait_message(lambda m: "case #1" in m.text)
    summary = await summary_of(emulator, await case_place(emulator, sg))

    # Shard 0 saves his choice of Spanish (he used /idioma in his DMs).
    async with bot.sessions() as session, session.begin():
        session.add(PersonLanguage(user_id=ben.id, language="es", chosen=True))
    before = ben.last_dm()
    await sg.moderator.click(summary, "Acknowledge")
    ack = await ben.wait_dm(lambda m: "case #1" in m.content, after=before)
    assert ack.content.startswith("Your repair request (case #1) has been acknowledged"), "not seen here yet"

    await bot.get_cog("Language").run_due_jobs()  # the 30-second refresh
    opened = await sg.moderator.click(summary, "Reply to requester")
    assert opened.modal is not None
    before = ben.last_dm()
    await opened.modal.submit({"text": "Thank you for writing."})
    reply = await ben.wait_dm(lambda m: "Thank you for writing." in m.content, after=before)
    assert reply.content.startswith("**Un mensaje de los moderadores sobre tu solicitud de reparación (caso n.º 1):**")
