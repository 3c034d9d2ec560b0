"""Pure privacy logic: pages, retention dates, reports, scrubbing of IDs (no mocks)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.privacy import logic
from cogs.privacy import texts as privacy_texts
from cogs.privacy.inventory import (
    END_MARKER,
    INVENTORY,
    START_MARKER,
    extract_block,
    parse_markdown,
    render_markdown,
    replace_block,
)
from db.repositories.privacy import FORMER_MEMBER_ID, contains_id, scrub_json, scrub_text

UID = 412345678901234567
T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


# --- retention ---------------------------------------------------------------------------------

def test_leave_purge_is_due_exactly_at_retention() -> None:
    assert not logic.leave_purge_due(T0, T0 + timedelta(days=30) - timedelta(seconds=1), 30)
    assert logic.leave_purge_due(T0, T0 + timedelta(days=30), 30)
    assert logic.leave_purge_due(T0, T0, 0)
    assert logic.leave_cutoff(T0 + timedelta(days=30), 30) == T0


def test_closed_case_cutoff() -> None:
    assert logic.closed_case_cutoff(T0, 365) == T0 - timedelta(days=365)


# --- pages -----------------------------------------------------------------------------------

def test_split_pages_respects_the_limit_and_keeps_blocks_whole() -> None:
    blocks = ["a" * 50, "b" * 50, "c" * 50]
    pages = logic.split_pages(blocks, limit=120)
    assert pages == ["a" * 50 + "\n\n" + "b" * 50, "c" * 50]


@given(st.lists(st.text(min_size=0, max_size=300), max_size=20), st.integers(min_value=20, max_value=200))
def test_split_pages_never_exceeds_the_limit_and_loses_no_text(blocks: list[str], limit: int) -> None:
    pages = logic.split_pages(blocks, limit=limit)
    assert all(len(p) <= limit for p in pages)
    joined = "".join("".join(p.split()) for p in pages)
    assert joined == "".join("".join(b.split()) for b in blocks)


def test_inventory_pages_fit_an_embed_and_cover_every_table() -> None:
    pages = logic.inventory_pages(INVENTORY, 30, 365)
    assert len(pages) > 1 and all(len(p) <= 4096 for p in pages)
    text = "\n".join(pages)
    for table in INVENTORY:
        assert table.title in text
    assert "here: 30 days" in text and "here: 365 days" in text
    assert privacy_texts.LANGUAGE_NOTE in pages[0]


# --- inventory markdown ---------------------------------------------------------------------------

def test_inventory_markdown_round_trip() -> None:
    parsed = parse_markdown(render_markdown())
    assert parsed["repair_case"] >= {"requester_enc", "requester_index", "excluded_moderator_ids"}
    assert set(parsed) == {t.name for t in INVENTORY}


def test_replace_block_adds_markers_once_and_replaces_in_place() -> None:
    once = replace_block("# Title\n", "hello")
    assert once.count(START_MARKER) == 1 and extract_block(once) == "hello"
    twice = replace_block(once + "\nafter\n", "bye")
    assert extract_block(twice) == "bye" and twice.endswith("after\n") and twice.count(END_MARKER) == 1


# --- scrubbing ------------------------------------------------------------------------------------

def test_scrub_json_removes_the_id_as_int_and_text_everywhere() -> None:
    value = {"moved": [1, UID, str(UID)], str(UID): {"allow": 1}, "by": UID, "note": f"user:{UID}", "n": 5}
    new, changed = scrub_json(value, UID)
    assert changed
    assert new == {"moved": [1], "by": None, "note": "user:former", "n": 5}
    assert not contains_id(new, UID)


def test_scrub_json_leaves_other_ids_and_longer_numbers() -> None:
    value = [UID + 1, int(f"{UID}9"), True, "x"]
    assert scrub_json(value, UID) == (value, False)


def test_scrub_text_only_whole_numbers() -> None:
    assert scrub_text(f"<@{UID}> and {UID}9 and case:{UID}", UID) == f"<@former> and {UID}9 and case:former"


def test_contains_id_kinds() -> None:
    assert contains_id(UID, UID) and contains_id(str(UID), UID) and contains_id([{"a": UID}], UID)
    assert contains_id(f"user:{UID}".encode(), UID)
    assert not contains_id(FORMER_MEMBER_ID, UID) and not contains_id(None, UID) and not contains_id(True, 1)


# --- reports -----------------------------------------------------------------------------------

def server(records: tuple[logic.Record, ...] = (), cases: tuple[logic.FiledCase, ...] = (),
           purge_on: str | None = None) -> logic.ServerData:
    return logic.ServerData(1, "IHRRC", records, cases, purge_on)


def test_describe_server_in_plain_language() -> None:
    records = (
        logic.Record("membership", ("user_id",), {"content_version": "2025.1", "accepted_at": T0}),
        logic.Record("onboarding_question", ("user_id",), {"asked_at": "2026-01-09T10:00:00", "question": "Why?"}),
        logic.Record("coi_tag", ("user_id",), {"category_key": "funders"}),
        logic.Record("meeting", ("notetaker_id",), {"started_at": T0}),
        logic.Record("audit_log", ("actor_id",), {"action": "repair.close"}),
        logic.Record("brand_new_table", ("user_id",), {}),
    )
    cases = (logic.FiledCase(7, "in_progress", True, "2026-01-01T00:00:00", None),)
    text = logic.describe_server(server(records, cases, "2026-02-09"), {"funders": "Funders"})
    assert "(version 2025.1) on 2026-01-10" in text
    assert "Questions you asked during onboarding: 1" in text and '"Why?"' in text
    assert "COI) tags: Funders." in text
    assert "take notes at 1 meeting: 2026-01-10" in text
    assert "Repair case #7 you filed (anonymous" in text and "in progress" in text
    assert "Moderator actions in the audit log: 1." in text
    assert "Other records in `brand_new_table` (user_id): 1." in text
    assert "deleted on 2026-02-09 unless you rejoin" in text


def test_nothing_stored_says_so() -> None:
    blocks = logic.mydata_blocks([server()], {})
    assert blocks == ["**What I hold about you**\nNothing. I have no records about you in this server."]


def test_export_document_is_json_with_ids_as_text() -> None:
    records = (logic.Record("coi_tag", ("user_id",), {"user_id": UID, "declared_at": T0, "n": 3}),)
    cases = (logic.FiledCase(2, "closed", False, "2026-01-01", "2026-01-05", {"what_happened": "x"}),)
    doc = logic.export_document(UID, T0, [server(records, cases)])
    again = json.loads(json.dumps(doc))
    fields = again["servers"][0]["records"][0]["fields"]
    assert fields == {"user_id": str(UID), "declared_at": T0.isoformat(), "n": 3}
    assert again["servers"][0]["repair_cases_you_filed"][0]["what_happened"] == "x"
    assert again["user_id"] == str(UID)


def test_delete_texts_say_what_happens_in_discord() -> None:
    text = logic.delete_confirmation(False, "IHRRC")
    assert "COI roles" in text and "not** remove your Member role" in text and "former member" in text
    assert "every server" in logic.delete_confirmation(True, None)
    done = logic.delete_done(5, 1, 2, 0)
    assert "5 records about you" in done and "1 repair case;" in done and "2 COI roles" in done
    assert "could not remove 1" in logic.delete_done(1, 0, 0, 1)


def test_audit_blocks_and_filter() -> None:
    lines = [logic.AuditLine(T0, 99, "repair.close", "case:3"), logic.AuditLine(T0, None, "privacy.x", None)]
    (block,) = logic.audit_blocks(lines, "repair")
    assert "**repair.close** by <@99> · case:3" in block and "former member / the bot" in block
    assert "No entries yet" in logic.audit_blocks([], None)[0]
    assert logic.clean_action_filter("  Repair.Close ") == "repair.close"
    assert logic.clean_action_filter(" ") is None
    with pytest.raises(ValueError, match="letters, digits"):
        logic.clean_action_filter("drop table;")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from([UID, str(UID), f"user:{UID}"]) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["a", "b", str(UID)]), children, max_size=3),
    max_leaves=12)


@given(JSON_VALUES)
def test_scrubbed_json_never_holds_the_id(value: object) -> None:
    new, changed = scrub_json(value, UID)
    assert not contains_id(new, UID)
    assert changed == contains_id(value, UID)
