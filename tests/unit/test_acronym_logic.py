"""Pure glossary rules: lookup, autocomplete, closest matches, pages."""

from __future__ import annotations

from bot.content import load_content
from bot.i18n import speaking
from cogs.acronyms import logic
from cogs.acronyms.logic import Entry

GLOSSARY = [Entry(g.term, g.meaning) for g in load_content().glossary]


def terms(entries: list[Entry]) -> list[str]:
    return [e.term for e in entries]


def test_exact_lookup_ignores_case_spaces_and_dots() -> None:
    for typed in ("IHRRC", "ihrrc", " I.H.R.R.C. "):
        found = logic.find(GLOSSARY, typed)
        assert found is not None and found.meaning == "Illinois Harm Reduction & Recovery Coalition"


def test_unknown_term_is_not_found() -> None:
    assert logic.find(GLOSSARY, "NARCAN") is None
    assert logic.find(GLOSSARY, "...") is None


def test_answer_reads_term_dash_meaning() -> None:
    entry = logic.find(GLOSSARY, "IHRRC")
    assert entry is not None
    assert logic.answer(entry) == "**IHRRC** — Illinois Harm Reduction & Recovery Coalition"
    assert entry.line == "IHRRC — Illinois Harm Reduction & Recovery Coalition"


def test_closest_matches_for_a_typo() -> None:
    assert terms(logic.closest(GLOSSARY, "IHRC")) == ["IHRRC", "HRC"]
    assert terms(logic.closest(GLOSSARY, "COl")) == ["COI"]


def test_closest_matches_by_meaning() -> None:
    assert "SSP" in terms(logic.closest(GLOSSARY, "syringe"))


def test_closest_is_empty_for_nonsense() -> None:
    assert logic.closest(GLOSSARY, "zzzzzzzz") == []


def test_suggest_prefix_first() -> None:
    got = terms(logic.suggest(GLOSSARY, "IH"))
    assert got[0] == "IHRRC"


def test_suggest_contains_and_meaning() -> None:
    assert "IHRRC" in terms(logic.suggest(GLOSSARY, "HRR"))
    assert "SAMHSA" in terms(logic.suggest(GLOSSARY, "mental health"))


def test_suggest_fuzzy() -> None:
    assert "SAMHSA" in terms(logic.suggest(GLOSSARY, "SAMSHA"))


def test_suggest_empty_lists_everything_alphabetically() -> None:
    got = terms(logic.suggest(GLOSSARY, ""))
    assert got == sorted(got, key=str.casefold)
    assert len(got) == len(GLOSSARY)


def test_suggest_never_more_than_25() -> None:
    many = [Entry(f"A{i:03}", f"meaning {i}") for i in range(100)]
    assert len(logic.suggest(many, "A")) == 25
    assert len(logic.suggest(many, "")) == 25


def test_choice_label_fits_discord_limit() -> None:
    label = logic.choice_label(Entry("X", "y" * 300))
    assert len(label) == 100 and label.endswith("…")
    assert logic.choice_label(Entry("SSP", "Syringe")) == "SSP — Syringe"


def test_not_found_is_kind_and_offers_matches() -> None:
    text = logic.not_found("IHRC", logic.closest(GLOSSARY, "IHRC"))
    assert text.startswith("`IHRC` is not in the glossary yet.")
    assert "Did you mean" in text and "IHRRC" in text


def test_not_found_without_matches_points_to_list() -> None:
    text = logic.not_found("zzzz", [])
    assert "/acronym list" in text


def test_not_found_neutralises_backticks_and_length() -> None:
    text = logic.not_found("`@everyone`" + "x" * 500, [])
    first = text.split(" is not")[0]
    assert first.count("`") == 2
    assert len(first) <= logic.MAX_TERM_CHARS + 2


def test_glossary_pages_cover_everything_in_order() -> None:
    pages = logic.glossary_pages(GLOSSARY)
    assert len(pages) == 1
    lines = pages[0].split("\n")
    assert len(lines) == len(GLOSSARY)
    assert lines[0].startswith("• **AI**")


def test_glossary_pages_split_long_glossaries() -> None:
    many = [Entry(f"T{i:03}", "m" * 300) for i in range(40)]
    pages = logic.glossary_pages(many, page_chars=4000)
    assert len(pages) > 1
    assert all(len(p) <= 4000 for p in pages)
    assert sum(p.count("• ") for p in pages) == 40


def test_glossary_pages_empty() -> None:
    assert logic.glossary_pages([]) == []


def test_a_miss_is_in_the_askers_language_and_a_shared_answer_in_the_servers() -> None:
    entry = logic.find(GLOSSARY, "COI")
    assert entry is not None
    with speaking("es"):
        miss = logic.not_found("IHRC", logic.closest(GLOSSARY, "IHRC"))
        assert miss.startswith("`IHRC` todavía no está en el glosario.") and "**IHRRC**" in miss
        assert logic.glossary_pages([entry]) == ["• **COI** — Conflict of interest"]
        assert logic.answer(entry, public=True) == "**COI** — Conflict of interest"
    assert logic.not_found("  ", []).startswith("`that` is not in the glossary yet.")
