"""Questions to the moderators: every form is one person's and survives a restart; one person can't flood.

Before: the "I have a question" modal's custom_id was shared per server and step, and discord.py keeps
open modals in memory by custom_id alone, so when two newcomers asked at once the second question was
lost ("This interaction failed"), and so was every question typed across a restart. One newcomer could
post 15 questions into #moderators in about a second, and someone who had left (or was banned) could still
post through the button of an old DM.
"""

from __future__ import annotations

import asyncio

from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message

from .conftest import RunBot
from .test_onboarding_flow import advance, first_step, newcomer


def questions_posted(sg: StandardGuild) -> list[Message]:
    assert sg.moderators is not None
    return [m for m in sg.moderators.messages() if "Onboarding question" in m.content]


async def test_two_newcomers_asking_at_once_both_arrive_and_a_form_survives_a_restart(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await run_bot(sg)
    ana, ben = await newcomer(emulator, sg, "Ana"), await newcomer(emulator, sg, "Ben")
    ana_step = await advance(ana, await first_step(ana), 2)
    ben_step = await advance(ben, await first_step(ben), 2)
    ana_form = (await ana.click(ana_step, "I have a question")).modal
    ben_form = (await ben.click(ben_step, "I have a question")).modal
    assert ana_form is not None and ben_form is not None
    await ana_form.submit({"Your question": "Ana asks: what is PLE?"})
    ben_sent = await ben_form.submit({"Your question": "Ben asks: can I bring a friend?"})
    assert "went privately to the moderators" in ben_sent.text
    await emulator.wait_for(lambda: len(questions_posted(sg)) == 2, description="both questions")
    texts = " ".join(m.content for m in questions_posted(sg))
    assert "Ana asks" in texts and "Ben asks" in texts
    assert ana_form.custom_id != ben_form.custom_id, "each person gets their own form"

    # A form opened before a restart is still delivered after it.
    cai = await newcomer(emulator, sg, "Cai")
    cai_form = (await cai.click(await first_step(cai), "I have a question")).modal
    assert cai_form is not None
    await handle.restart()
    sent = await cai_form.submit({"Your question": "Cai asks across a restart"})
    assert "went privately to the moderators" in sent.text
    await emulator.wait_for(lambda: any("Cai asks across a restart" in m.content for m in questions_posted(sg)),
                            description="the question typed across a restart")


async def test_one_newcomer_cannot_flood_the_moderators(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg)
    dee = await newcomer(emulator, sg, "Dee")
    form = (await dee.click(await first_step(dee), "I have a question")).modal
    assert form is not None
    # Fifteen submissions at once (a modified client can resend a form): one arrives, a short pause is asked.
    results = await asyncio.gather(*(form.submit({"Your question": f"flood {i}"}) for i in range(15)))
    refused = [r for r in results if "give them a moment" in r.text]
    assert len(refused) == 14 and all(r.ephemeral for r in refused)
    # Discord has closed each refused form: its text comes back to them, so nothing typed is lost.
    returned = sorted(r.message.attachments[0].data.decode() for r in refused)  # type: ignore[union-attr]
    sent_back = {f"flood {i}" for i in range(15)} - set(returned)
    assert len(returned) == 14 and len(sent_back) == 1
    await emulator.wait_for(lambda: len(questions_posted(sg)) == 1, description="one question")
    # The button itself answers kindly instead of opening a form that would be refused.
    again = await dee.click(await first_step(dee), "I have a question")
    assert again.modal is None and "give them a moment" in again.text

    # Someone who mirrors another person's form (a forged custom_id) gets nothing through.
    eve = await newcomer(emulator, sg, "Eve")
    eve_form = (await eve.click(await first_step(eve), "I have a question")).modal
    assert eve_form is not None
    eve_form.record.user = dee.user  # Dee submits the form the bot opened for Eve
    stolen = await eve_form.submit({"Your question": "in Eve's name"})
    assert "opened for someone else" in stolen.text
    assert not any("in Eve's name" in m.content for m in questions_posted(sg))


async def test_at_most_three_open_questions(emulator: Emulator, standard_guild: StandardGuild,
                                           run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg, config={"onboarding": {"question_cooldown_seconds": 0}})
    fay = await newcomer(emulator, sg, "Fay")
    form = (await fay.click(await first_step(fay), "I have a question")).modal
    assert form is not None
    results = await asyncio.gather(*(form.submit({"Your question": f"question {i}"}) for i in range(15)))
    waiting = [r for r in results if "3 questions waiting" in r.text]
    assert len(waiting) == 12
    await emulator.wait_for(lambda: len(questions_posted(sg)) == 3, description="three questions")


async def test_someone_who_left_cannot_post_through_an_old_dm(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    await run_bot(sg)
    gil = await newcomer(emulator, sg, "Gil")
    step = await first_step(gil)
    form = (await gil.click(step, "I have a question")).modal
    assert form is not None
    await gil.leave(sg.guild)  # or was banned: Discord removes them from the server either way
    sent = await form.submit({"Your question": "posted after leaving"})
    assert "people who are in the server" in sent.text
    pressed = await gil.click(step, "I have a question")
    assert pressed.modal is None and "people who are in the server" in pressed.text
    assert not questions_posted(sg)
