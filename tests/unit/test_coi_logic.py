"""Pure COI rules: tag changes, paging, category parsing, overwrite arithmetic, texts. No mocks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.content import load_content
from cogs.coi import logic

CATEGORIES = [logic.Category(c.key, c.label, c.display) for c in load_content().coi_categories]
BY_KEY = {c.key: c for c in CATEGORIES}


# --- tags ------------------------------------------------------------------------------


def test_diff_tags() -> None:
    change = logic.diff_tags({"funders", "pharma"}, {"pharma", "lobbyists"})
    assert change.added == {"lobbyists"} and change.removed == {"funders"} and change.changed
    assert not logic.diff_tags({"a"}, {"a"}).changed


def test_confirmation_says_what_changed_in_content_order() -> None:
    change = logic.diff_tags({"lobbyists"}, {"law_enforcement", "funders"})
    text = logic.tag_confirmation(change, {"law_enforcement", "funders"}, CATEGORIES)
    assert "Added: Funders and Law enforcement." in text
    assert "Removed: Lobbyists." in text
    assert "You now have these conflicts of interest (COI): Funders and Law enforcement." in text


def test_confirmation_when_nothing_changed_or_nothing_held() -> None:
    assert logic.tag_confirmation(logic.TagChange(), {"pharma"}, CATEGORIES).startswith("Nothing changed")
    text = logic.tag_confirmation(logic.diff_tags({"pharma"}, set()), set(), CATEGORIES)
    assert "Removed: Pharmaceutical Representatives." in text and "no conflicts of interest" in text


def test_announcement_wording() -> None:
    m = "<@1>"
    assert logic.announcement(m, logic.diff_tags(set(), {"funders", "pharma"}), CATEGORIES) == (
        "<@1> has declared a conflict of interest: Funders and Pharmaceutical Representatives.")
    assert logic.announcement(m, logic.diff_tags({"funders"}, set()), CATEGORIES) == (
        "<@1> no longer declares a conflict of interest: Funders.")
    both = logic.announcement(m, logic.diff_tags({"funders"}, {"lobbyists"}), CATEGORIES)
    assert both is not None and both.startswith("<@1> has declared a conflict of interest: Lobbyists")
    assert "no longer declares: Funders" in both
    assert logic.announcement(m, logic.TagChange(), CATEGORIES) is None


def test_new_role_ids_keeps_other_roles_and_sets_coi_exactly() -> None:
    assert logic.new_role_ids([5, 10, 11], [10, 11, 12], [12]) == [5, 12]
    assert logic.new_role_ids([5, 10], [10, 11], [10, 11]) == [5, 10, 11]
    assert logic.new_role_ids([5], [10], []) == [5]


def test_select_option_labels_and_descriptions_fit() -> None:
    long = BY_KEY["settlement_non_ssp"]
    assert len(long.label) > 100
    assert len(long.display) <= 100
    description = logic.option_description(long)
    assert description is not None and len(description) <= 100 and description.endswith("…")
    assert logic.option_description(BY_KEY["funders"]) is None
    short = logic.Category("x", "A fairly short full label", "Short")
    assert logic.option_description(short) == "A fairly short full label"


# --- the moderators' list --------------------------------------------------------------------


def member_lines(n: int, start: int = 0) -> list[str]:
    return [f"• Member number {i:04d} with a longer display name — <@{100000000000000000 + i}>"
            for i in range(start, start + n)]


@pytest.mark.parametrize("count", [0, 1, 30, 300, 1000])
def test_pages_fit_discord_and_contain_everyone_once(count: int) -> None:
    groups = [("Funders", member_lines(count)), ("Lobbyists", member_lines(count // 3, 5000)),
              ("Pharmaceutical Representatives", [])]
    pages = logic.holder_pages(groups)
    assert all(len(p) <= logic.MESSAGE_LIMIT for p in pages)
    text = "\n".join(pages)
    for line in groups[0][1] + groups[1][1]:
        assert text.count(line) == 1
    assert f"**Funders** ({count})" in text and "**Pharmaceutical Representatives** (0)" in text
    if len(pages) > 1:
        assert [re.search(r"Page (\d+) of (\d+)$", p).groups() for p in pages] == [  # type: ignore[union-attr]
            (str(i), str(len(pages))) for i in range(1, len(pages) + 1)]
        assert "**Funders** (continued)" in text
    else:
        assert "Page" not in pages[0]


def test_many_members_need_many_pages() -> None:
    pages = logic.holder_pages([("Funders", member_lines(500))])
    assert len(pages) >= 500 * len(member_lines(1)[0]) // logic.PAGE_LIMIT
    # a continued page starts with the repeated heading
    assert pages[1].startswith("**Funders** (continued)")


def test_no_orphan_heading_at_a_page_end() -> None:
    # Try every fill level of the first page so a heading lands right at its end at least once.
    for n in range(15, 30):
        for page in logic.holder_pages([("A", member_lines(n)), ("B", member_lines(3, 900))], limit=1900):
            body = page.split("\n\nPage")[0]
            assert not body.splitlines()[-1].startswith("**"), (n, body[-200:])


def test_empty_list_message() -> None:
    assert logic.holder_pages([]) == ["Nobody has declared a conflict of interest (COI) yet."]


def test_clamp_page() -> None:
    assert logic.clamp_page(-1, 3) == 0 and logic.clamp_page(5, 3) == 2 and logic.clamp_page(1, 3) == 1


# --- categories ---------------------------------------------------------------------------------


def test_parse_keys_labels_and_case() -> None:
    assert logic.parse_categories("law_enforcement, Funders", CATEGORIES) == ["funders", "law_enforcement"]
    assert logic.parse_categories("  LOBBYISTS ;hospital exec ", CATEGORIES) == ["lobbyists", "hospital_exec"]
    assert logic.parse_categories("Opioid settlement funds (not an SSP)", CATEGORIES) == ["settlement_non_ssp"]
    assert logic.parse_categories("funders, funders", CATEGORIES) == ["funders"]
    assert logic.parse_categories("all", CATEGORIES) == [c.key for c in CATEGORIES]


def test_parse_refuses_unknown_and_empty() -> None:
    with pytest.raises(logic.UnknownCategories) as exc:
        logic.parse_categories("cops, funders, feds", CATEGORIES)
    assert '"cops", "feds"' in str(exc.value) and "`law_enforcement`" in str(exc.value)
    with pytest.raises(logic.UnknownCategories, match="at least one"):
        logic.parse_categories(" , ", CATEGORIES)


def test_suggestions_complete_the_last_part() -> None:
    assert logic.suggest_categories("funders, pha", CATEGORIES) == [
        ("Funders + Pharmaceutical Representatives", "funders, pharma")]
    first = logic.suggest_categories("", CATEGORIES)
    assert first[0] == ("All categories", "all") and len(first) == 1 + len(CATEGORIES)
    assert all(len(n) <= 100 and len(v) <= 100 for n, v in first)
    already = logic.suggest_categories("funders, ", CATEGORIES)
    assert all(not v.endswith(", funders") for _, v in already) and len(already) == len(CATEGORIES) - 1
    assert logic.suggest_categories("zzz", CATEGORIES) == []
    everything = ", ".join(c.key for c in CATEGORIES[:-1]) + ", "
    long = logic.suggest_categories(everything, CATEGORIES)
    assert all(len(n) <= 100 and len(v) <= 100 for n, v in long)


# --- waiting room --------------------------------------------------------------------------------


def test_restricted_merges_with_an_existing_overwrite() -> None:
    stream, vad = 1 << 9, 1 << 25
    allow, deny = logic.restricted((logic.SPEAK | vad, stream))
    assert deny == stream | logic.WAITING_ROOM_DENY
    assert allow == vad  # an allowed Speak must not win over the denial
    assert logic.restricted(None) == (0, logic.WAITING_ROOM_DENY)


def test_previous_overwrites_round_trip_including_none() -> None:
    previous: dict[int, logic.Pair | None] = {111: (1, 2), 222: None}
    stored = logic.encode_previous(previous)
    assert stored == {"111": {"allow": 1, "deny": 2}, "222": None}
    assert logic.decode_previous(stored) == previous


def test_minutes_and_expiry() -> None:
    assert logic.validate_minutes(None, 60) == 60
    assert logic.validate_minutes(15, 60) == 15
    for bad in (0, -5, 24 * 60 + 1):
        with pytest.raises(logic.CoiError, match="Nothing was changed"):
            logic.validate_minutes(bad, 60)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    end = logic.expiry(now, 30)
    assert end == now + timedelta(minutes=30)
    assert not logic.is_due(end, now + timedelta(minutes=29)) and logic.is_due(end, end)


def test_notice_has_no_names_and_says_when_it_ends() -> None:
    text = logic.waiting_room_notice(["Funders", "Lobbyists"], 45)
    assert "Funders and Lobbyists" in text and "45 minutes" in text and "<@" not in text
    assert "<@" not in logic.waiting_room_ended_notice()


def test_hierarchy() -> None:
    assert logic.unmanageable([("COI: Funders", 5), ("COI: Pharma", 2)], 5) == ["COI: Funders"]
    assert logic.unmanageable([("COI: Funders", 1)], 5) == []
    text = logic.hierarchy_message(["COI: Funders"], "Coalition Bot")
    assert "'COI: Funders'" in text and "dragging 'Coalition Bot' above 'COI: Funders'" in text
    assert "Nothing was changed" in text
    assert "roles 'A' and 'B'" in logic.hierarchy_message(["A", "B"], "Bot")


# --- meeting -----------------------------------------------------------------------------------------


def test_opening_contains_every_part_and_fits_an_embed() -> None:
    content = load_content()
    text = logic.meeting_opening(content.meeting.introductions, content.meeting.notetaker,
                                 content.confidential.title, content.confidential.reminders)
    assert content.meeting.introductions in text and content.meeting.notetaker in text
    for reminder in content.confidential.reminders:
        assert reminder in text
    assert "/acronym lookup" in text and len(text) <= 4096
    assert "**4. Acronyms**" not in text  # the default reminders already explain acronyms


def test_opening_adds_the_acronym_reminder_when_missing_and_truncates() -> None:
    text = logic.meeting_opening("Hi", "Notes?", "Norms", ["Be kind"])
    assert "**4. Acronyms**" in text and "/acronym lookup" in text
    long = logic.meeting_opening("x" * 5000, "n", "t", ["r"], limit=4000)
    assert len(long) == 4000 and long.endswith("…")


def test_notetaker_texts() -> None:
    assert "still needed" in logic.notetaker_line(None)
    assert logic.notetaker_line("<@5>") == "📝 Note-taker: <@5> — thank you!"
    assert "Ana is already taking notes" in logic.notetaker_taken("Ana", False)
    assert "You're already" in logic.notetaker_taken("Ana", True)
    assert "nobody volunteered" in logic.meeting_closed(None)
    assert "<@5> took notes" in logic.meeting_closed("<@5>")
