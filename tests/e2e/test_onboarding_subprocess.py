"""Onboarding with the bot as a real subprocess (`python -m bot`), including kill -9 mid-flow."""

from __future__ import annotations

import os
import random

import pytest

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import BotProcess
from .test_onboarding_flow import (
    COI_STEP,
    OPEN_DM,
    PATCH_MEMBER,
    POST_MESSAGE,
    TOTAL,
    advance,
    first_step,
    member_role_names,
    newcomer,
    start_from_welcome,
    step_no,
    walk_to_question,
)


async def test_subprocess_yes_no_and_closed_dms(emulator: Emulator, standard_guild: StandardGuild,
                                                bot_process: BotProcess) -> None:
    sg = standard_guild
    assert sg.mod_log is not None and sg.welcome is not None
    ada = await newcomer(emulator, sg, "Ada")
    ben = await newcomer(emulator, sg, "Ben")
    cy = await newcomer(emulator, sg, "Cy", dms_open=False)

    # Ada: join -> every step -> yes -> Member, not Newcomer
    question = await walk_to_question(ada, coi=["None apply"])
    assert step_no(question) == TOTAL
    await ada.click(question, "Yes")
    await emulator.wait_for(lambda: ada.has_role(sg.guild, "Member"), description="Ada's member role")
    assert member_role_names(ada, sg) == {"Member"}

    # Ben: "not yet", then typed non-yes answers -> no role
    question = await walk_to_question(ben)
    await ben.click(question, "Not yet / I have questions")
    assert "haven't made you a member" in question.content
    for answer in ["maybe", "yes but I'm not sure", "no"]:
        before = ben.last_dm()
        await ben.send_dm(sg.bot, answer)
        await ben.wait_dm(lambda m: "clear" in m.content, after=before)
    assert member_role_names(ben, sg) == {"Newcomer"}

    # Cy: DMs closed -> "Start here" in the welcome channel -> ephemeral steps -> yes
    step = await advance(cy, await start_from_welcome(emulator, sg, cy), TOTAL)
    assert not any(cy.mention in m.content for m in sg.welcome.messages())
    await cy.click(step, "Yes")
    await emulator.wait_for(lambda: cy.has_role(sg.guild, "Member"), description="Cy's member role")
    assert not cy.has_role(sg.guild, "Newcomer")
    assert not ben.has_role(sg.guild, "Member")

    # Ada's rate-limited calls: open DM, first DM, one member update
    dm = ada.dm_channel(sg.bot)
    assert dm is not None
    mine = [r.route for r in emulator.request_log if not r.exempt and (
        (r.route == OPEN_DM and str(r.body.get("recipient_id")) == str(ada.id))
        or str(dm.id) in r.path or f"/members/{ada.id}" in r.path)]
    assert mine == [OPEN_DM, POST_MESSAGE, PATCH_MEMBER]

    # the real background loop posts ONE batched, ping-free welcome note for Ada and Cy
    await emulator.wait_for(lambda: [m for m in sg.mod_log.messages() if "new members" in m.content], timeout=30,
                            description="the batched mod-log note")
    (note,) = [m for m in sg.mod_log.messages() if "new members" in m.content]
    assert set(note.mentioned_user_ids) == {ada.id, cy.id} and not note.pings_anyone


@pytest.mark.slow
async def test_kill9_at_a_random_step_then_finish_from_that_step(emulator: Emulator, standard_guild: StandardGuild,
                                                                 bot_process: BotProcess) -> None:
    sg = standard_guild
    seed = int(os.environ.get("ONBOARDING_KILL_SEED", random.randrange(10**6)))
    stop_at = random.Random(seed).randint(2, TOTAL - 1)
    print(f"kill -9 at step {stop_at} (ONBOARDING_KILL_SEED={seed})")
    zoe = await newcomer(emulator, sg, "Zoe")
    msg = await advance(zoe, await first_step(zoe), stop_at, coi=["Funders"])
    assert step_no(msg) == stop_at

    await bot_process.kill9()
    await bot_process.start()

    # the buttons on the message sent before the crash still work and continue from the saved step
    if stop_at == COI_STEP + 1:
        picked = await zoe.select(msg, ["Funders"])
        assert picked.type == 7 and "Your pick: **Funders**" in msg.content
    result = await zoe.click(msg, "I understand and agree")
    assert result.type == 7 and step_no(msg) == stop_at + 1
    msg = await advance(zoe, msg, TOTAL, coi=["Funders"])
    await zoe.click(msg, "Yes")
    assert "now a member" in msg.content and msg.buttons == []
    await emulator.wait_for(lambda: zoe.has_role(sg.guild, "Member"), description="member role")
    assert member_role_names(zoe, sg) == {"Member", "COI: Funders"}
    grants = [r for r in emulator.requests(route=PATCH_MEMBER) if f"/members/{zoe.id}" in r.path]
    assert len(grants) == 1, "exactly one role grant"
    dm = zoe.dm_channel(sg.bot)
    assert dm is not None
    assert len([r for r in emulator.requests(route=POST_MESSAGE) if str(dm.id) in r.path]) == 1, \
        "no new DM after the restart: the flow went on in the same message"
