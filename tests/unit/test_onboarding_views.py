"""Step buttons: shared per server and step, never filed in discord.py's view store."""

from __future__ import annotations

import discord
import pytest

from bot.content import load_content
from cogs.onboarding import logic, views


async def test_a_steps_buttons_are_built_once_and_never_stored() -> None:
    steps = logic.build_steps(load_content())
    first = views.step_view(1, steps, 3)
    assert views.step_view(1, steps, 3) is first
    assert views.step_view(2, steps, 3) is not first  # another server: other custom_ids
    assert first.is_finished()  # discord.py stores only views that are not finished
    labels = [item.item.label for item in first.children]
    assert labels == ["I understand and agree", "Back", "I have a question"]
    assert all(isinstance(item, discord.ui.DynamicItem) for item in first.children)
    last = views.step_view(1, steps, len(steps) - 1)
    assert [item.item.label for item in last.children] == [
        "Yes", "Not yet / I have questions", "Back", "I have a question"]


async def test_the_conflict_of_interest_step_gets_a_fresh_view_for_each_persons_pick() -> None:
    steps = logic.build_steps(load_content())
    index = next(i for i, step in enumerate(steps) if step.offers_coi)
    options = [discord.SelectOption(label="Funder", value="funder", default=True)]
    picked = views.step_view(1, steps, index, options)
    assert views.step_view(1, steps, index, options) is not picked
    assert not picked.is_finished()
    assert any(isinstance(item, views.CoiSelect) for item in picked.children)


def test_custom_ids_round_trip_and_fit() -> None:
    big = 2**63
    specs = {views.STEP: {"action": "next", "guild": big, "step": 19}, views.COI: {"guild": big, "step": 17},
             views.START: {"guild": big, "user": big}, views.START_HERE: {"guild": big},
             views.REPLY: {"question": big}, views.INVITE: {"guild": big, "user": big},
             views.QUESTION_FORM: {"guild": big, "step": 999, "user": big},
             views.ANSWER_FORM: {"question": big, "user": big}}
    for spec, values in specs.items():
        custom_id = spec.build(**values)
        assert len(custom_id) < 100
        assert spec.parse(custom_id) == values
    assert views.STEP.parse("onboarding:notyet:42:7") == {"action": "notyet", "guild": 42, "step": 7}
    with pytest.raises(ValueError):
        views.STEP.build(action="explode", guild=1, step=1)


def test_no_two_specs_claim_the_same_custom_id() -> None:
    specs = [views.STEP, views.COI, views.START, views.START_HERE, views.REPLY, views.INVITE, views.QUESTION_FORM,
             views.ANSWER_FORM]
    examples = [views.STEP.build(action="ask", guild=1, step=2), views.QUESTION_FORM.build(guild=1, step=2, user=3),
                views.COI.build(guild=1, step=2), views.START.build(guild=1, user=2)]
    for custom_id in examples:
        assert sum(spec.match(custom_id) is not None for spec in specs) == 1, custom_id
