"""Step buttons: shared per server and step, never filed in discord.py's view store."""

from __future__ import annotations

import discord

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
