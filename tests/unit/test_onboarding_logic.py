"""Onboarding's pure rules: steps from the content, rendering, moves, roles, batching, stats."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.content import load_content
from cogs.onboarding import logic

CONTENT = load_content()
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
EDITED_ITEMS = [*CONTENT.agreements.items[:2], "We agree to something new.", *CONTENT.agreements.items[3:]]


def squash(text: str) -> str:
    return " ".join(text.split())


def test_steps_follow_the_agreements_in_order() -> None:
    steps = logic.build_steps(CONTENT)
    kinds = [s.kind for s in steps]
    assert kinds[0] == "intro" and kinds[-1] == "commitment"
    assert CONTENT.values.items_per_step == len(CONTENT.values.items) == 4
    assert kinds.count("value") == 1  # the four short values share one step
    assert kinds.count("agreement") == len(CONTENT.agreements.items) == 8  # each agreement its own step
    sections = [f"action:{s.key}" for s in CONTENT.actions.sections]
    assert [s.key for s in steps if s.kind == "action" and not s.continued] == sections
    # every value, agreement and action item appears whole, in order, in its step(s)
    everything = squash("\n".join(s.body for s in steps))
    for item in [*CONTENT.values.items, *CONTENT.agreements.items,
                 *(i for section in CONTENT.actions.sections for i in section.items)]:
        assert squash(item) in everything


def test_values_can_each_have_a_step() -> None:
    one_each = CONTENT.model_copy(update={"values": CONTENT.values.model_copy(update={"items_per_step": 1})})
    steps = logic.build_steps(one_each)
    assert [s.key for s in steps if s.kind == "value"] == ["value:1", "value:2", "value:3", "value:4"]
    assert CONTENT.values.description in steps[1].body and CONTENT.values.description not in steps[2].body


def test_without_intro() -> None:
    steps = logic.build_steps(CONTENT, include_intro=False)
    assert steps[0].key == "value:1" and len(steps) == len(logic.build_steps(CONTENT)) - 1


def test_intro_says_what_matters() -> None:
    body = logic.intro_step(CONTENT).body
    assert CONTENT.community.name in body
    assert "free" in body.lower()
    assert f"{CONTENT.community.minutes_to_complete} minutes" in body
    assert "Privacy" in body


def test_transparency_step_lists_coi_categories_and_offers_tagging() -> None:
    steps = logic.build_steps(CONTENT)
    coi = [s for s in steps if s.offers_coi]
    # the section is long: the list of groups and the prompt come with the select, on its last part
    assert [s.key for s in coi] == ["action:transparency:part2"] and coi[0].continued
    for category in CONTENT.coi_categories:
        assert category.label in coi[0].body
    assert "pick them below" in coi[0].body


def test_commitment_step_is_verbatim_with_core_values() -> None:
    step = logic.build_steps(CONTENT)[-1]
    assert CONTENT.commitment.question in step.body
    for value in CONTENT.commitment.core_values:
        assert value in step.body


def test_every_rendered_step_fits_a_discord_message_with_progress_once_in_words() -> None:
    steps = logic.build_steps(CONTENT)
    labels = [c.display for c in CONTENT.coi_categories]
    for i in range(len(steps)):
        text = logic.render_step(steps, i, note="n" * 200, reaffirm_version="2", coi_labels=labels)
        assert len(text) <= 2000 and not text.endswith("…")
        assert len(re.findall(r"Step \d+ of \d+", text)) == 1 and f"Step {i + 1} of {len(steps)}" in text
        assert "▓" not in text and "░" not in text


def test_a_long_item_is_split_into_continued_steps_never_cut() -> None:
    sentence = "Harm reduction meets people where they are, with dignity and care. "
    long_item = (sentence * 45).strip()  # about 3,000 characters
    agreements = CONTENT.agreements.model_copy(update={"items": [*CONTENT.agreements.items[:8], long_item]})
    steps = logic.build_steps(CONTENT.model_copy(update={"agreements": agreements}))
    parts = [s for s in steps if s.key.startswith("agreement:9")]
    assert len(parts) == 3 and [p.continued for p in parts] == [False, True, True]
    assert squash(" ".join(p.body for p in parts)) == squash(long_item)
    for i, step in enumerate(steps):
        text = logic.render_step(steps, i)
        assert len(text) <= 2000 and "…" not in text
        assert ("(continued)" in text) == step.continued
    index = steps.index(parts[1])
    assert f"**Step {index + 1} of {len(steps)} (continued)**" in logic.render_step(steps, index)
    assert "continues on the next step" in logic.render_step(steps, index - 1)
    assert "continues on the next step" not in logic.render_step(steps, index + 1)
    report = logic.split_items(CONTENT.model_copy(update={"agreements": agreements}))
    assert any("agreement:9" in line and "3 steps" in line for line in report)


def test_split_text_cuts_at_natural_breaks() -> None:
    text = "First paragraph here.\n\nSecond one is a little longer. It has two sentences."
    assert logic.split_text(text, 40) == ["First paragraph here.", "Second one is a little longer.",
                                          "It has two sentences."]
    assert logic.split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert logic.split_text("short", 10) == ["short"]


def test_acronyms_are_explained_where_first_used() -> None:
    steps = logic.build_steps(CONTENT)
    values = next(s for s in steps if s.kind == "value")
    assert "**PLE**: People with lived/living experience/expertise" in values.explains
    assert "**SAMHSA**" in values.explains
    # explained once, in the first step that uses it
    assert sum("**PLE**" in s.explains for s in steps) == 1
    # a step that already spells the acronym out adds nothing (the intro names the IHRRC in full)
    assert "IHRRC" not in "".join(s.explains for s in steps)
    assert "Acronyms in this step" in logic.render_step(steps, steps.index(values))


def test_render_shows_coi_pick_only_on_the_coi_step() -> None:
    steps = logic.build_steps(CONTENT)
    coi_index = next(i for i, s in enumerate(steps) if s.offers_coi)
    assert "Your pick: **Funders, Lobbyists**" in logic.render_step(steps, coi_index, coi_labels=["Funders",
                                                                                                       "Lobbyists"])
    assert "Your pick: **none apply**" in logic.render_step(steps, coi_index, coi_labels=[])
    assert "Your pick" not in logic.render_step(steps, coi_index, coi_labels=None)
    assert "Your pick" not in logic.render_step(steps, 1, coi_labels=["Funders"])


def test_reaffirm_note_only_on_first_step() -> None:
    steps = logic.build_steps(CONTENT)
    assert "updated (version 9)" in logic.render_step(steps, 0, reaffirm_version="9")
    assert "updated" not in logic.render_step(steps, 1, reaffirm_version="9")


def test_hashes_change_only_with_text() -> None:
    a = logic.step_hashes(logic.build_steps(CONTENT))
    assert "intro" not in a and "commitment" in a
    assert a == logic.step_hashes(logic.build_steps(CONTENT))
    edited = CONTENT.model_copy(update={"agreements": CONTENT.agreements.model_copy(
        update={"items": EDITED_ITEMS})})
    b = logic.step_hashes(logic.build_steps(edited))
    assert {k for k in a if a[k] != b[k]} == {"agreement:3"}


def test_reaffirm_steps_are_changed_steps_plus_commitment() -> None:
    accepted = logic.step_hashes(logic.build_steps(CONTENT))
    edited = CONTENT.model_copy(update={"version": "2", "agreements": CONTENT.agreements.model_copy(
        update={"items": EDITED_ITEMS})})
    steps = logic.reaffirm_steps(edited, accepted)
    assert [s.key for s in steps] == ["agreement:3", "commitment"]
    assert logic.reaffirm_steps(CONTENT, accepted)[-1].key == "commitment"
    assert [s.key for s in logic.reaffirm_steps(CONTENT, accepted)] == ["commitment"]
    # unknown history: every content step again
    assert len(logic.reaffirm_steps(CONTENT, None)) == len(logic.build_steps(CONTENT)) - 1  # all but the intro
    assert logic.steps_for(CONTENT, False, accepted)[0].kind == "intro"


@pytest.mark.parametrize(("saved", "clicked", "action", "expected"), [
    (0, 0, "next", (1, "advance")),
    (3, 3, "back", (2, "back")),
    (0, 0, "back", (0, "stay")),
    (19, 19, "next", (19, "stay")),
    (4, 3, "next", (4, "stay")),  # double click: second click is stale
    (4, 9, "back", (4, "stay")),  # button from an old message
    (2, 2, "yes", (2, "stay")),
])
def test_next_index(saved: int, clicked: int, action: str, expected: tuple[int, str]) -> None:
    assert logic.next_index(saved, clicked, action, 20) == expected


IP, NO = logic.IN_PROGRESS, logic.DECLINED


@pytest.mark.parametrize(("status", "saved", "declined", "action", "clicked", "expected"), [
    (IP, 3, 0, "next", 3, (IP, 4, 0)),
    (IP, 3, 0, "back", 3, (IP, 2, 0)),
    (IP, 3, 0, "next", 2, None),  # stale: the full path re-renders the saved step
    (IP, 0, 0, "back", 0, None),  # nothing before the first step
    (IP, 19, 0, "next", 19, None),  # the question moves only by an answer
    (IP, 19, 0, "notyet", 19, (NO, 19, 1)),
    (NO, 19, 1, "notyet", 19, None),  # already declined: counted once
    (IP, 5, 0, "notyet", 5, None),
    (NO, 19, 1, "resume", 19, (IP, 19, 1)),
    (IP, 19, 0, "resume", 19, None),
    (NO, 19, 2, "back", 19, (IP, 18, 2)),  # reading again after a "not yet"
    (IP, 19, 0, "yes", 19, None),  # completing needs the full path (membership, roles)
    (logic.COMPLETED, 19, 0, "next", 19, None),
    (IP, 40, 0, "back", 19, (IP, 18, 0)),  # a saved index past a shortened flow is clamped first
])
def test_click_move(status: str, saved: int, declined: int, action: str, clicked: int,
                    expected: tuple[str, int, int] | None) -> None:
    flow = logic.Flow(status, saved, declined, ("funders",), "", revision=7)
    moved = logic.click_move(flow, action, clicked, 20)
    if expected is None:
        assert moved is None
    else:
        assert moved is not None
        assert (moved.status, moved.step_index, moved.declined_count) == expected
        assert (moved.coi_selection, moved.revision) == (("funders",), 7), "a move keeps the rest of the flow"


def test_clamp() -> None:
    assert logic.clamp_step(30, 5) == 4
    assert logic.clamp_step(-1, 5) == 0


def test_final_roles_one_list() -> None:
    assert logic.final_roles([1, 2, 3], member_role=9, newcomer_role=2, coi_roles=[7, 3]) == [1, 3, 9, 7]
    assert logic.final_roles([9], member_role=9, newcomer_role=None, coi_roles=[]) == [9]


def test_normalise_coi_pick() -> None:
    keys = [c.key for c in CONTENT.coi_categories]
    assert logic.normalise_coi_pick(["lobbyists", "funders", "bogus"], keys) == ["funders", "lobbyists"]
    assert logic.normalise_coi_pick(["funders", logic.NONE_APPLY], keys) == []
    assert logic.normalise_coi_pick([], keys) == []


def test_welcome_batch_is_due_after_ten_seconds() -> None:
    batch = logic.WelcomeBatch()
    assert not batch.due(NOW)
    batch.add(1, NOW)
    batch.add(2, NOW + timedelta(seconds=3))
    batch.add(1, NOW + timedelta(seconds=4))
    assert not batch.due(NOW + timedelta(seconds=9))
    assert batch.due(NOW + timedelta(seconds=10))
    assert batch.take() == [1, 2]
    assert not batch.due(NOW + timedelta(seconds=60)) and batch.user_ids == []


def test_welcome_notes_split_under_the_limit() -> None:
    ids = list(range(10**17, 10**17 + 200))
    notes = logic.welcome_notes(ids)
    assert len(notes) > 1
    assert all(len(n) <= 2000 for n in notes)
    assert sum(n.count("<@") for n in notes) == 200
    assert logic.welcome_notes([5]) == ["Welcome to our new members (onboarding completed): <@5>"]
    assert logic.welcome_notes([]) == []


def test_reminder_due_only_once_and_only_when_stalled() -> None:
    old = NOW - timedelta(hours=49)
    assert logic.reminder_due("in_progress", old, None, NOW, 48)
    assert not logic.reminder_due("in_progress", old, NOW - timedelta(hours=1), NOW, 48)
    assert not logic.reminder_due("in_progress", NOW - timedelta(hours=47), None, NOW, 48)
    assert not logic.reminder_due("completed", old, None, NOW, 48)
    assert not logic.reminder_due("declined", old, None, NOW, 48)


def test_stats() -> None:
    facts = [
        logic.ProgressFacts("completed", NOW, 0, False),
        logic.ProgressFacts("declined", NOW, 1, False),
        logic.ProgressFacts("in_progress", NOW - timedelta(days=8), 0, False),
        logic.ProgressFacts("in_progress", NOW - timedelta(days=1), 0, False),
        logic.ProgressFacts("in_progress", NOW - timedelta(days=30), 0, True),  # reaffirmation: not counted
    ]
    members = [("1", "2"), ("2", None), ("1", None)]
    stats = logic.compute_stats(facts, members, "2", NOW, 7)
    assert stats == logic.Stats(started=4, completed=1, declined=1, stalled=1, pending_reaffirmation=1,
                                members_on_current_version=1)
    text = logic.render_stats(stats, "2", 7)
    assert "Pending reaffirmation: 1" in text and "Stalled more than 7 days: 1" in text
