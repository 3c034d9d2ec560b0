from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content import ContentError, load_content, parse_content

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "community-agreements.txt"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_default_content_loads() -> None:
    content = load_content()
    assert content.version
    assert len(content.values.items) == 4
    assert len(content.agreements.items) == 8
    assert [s.title for s in content.actions.sections] == [
        "Participation & Accountability",
        "Communication & Confidentiality",
        "Confidentiality & Accessibility",
        "Respect & Relational Practice",
        "Transparency",
        "Repair & Justice",
    ]
    assert len(content.coi_categories) == 8
    assert content.commitment.question == (
        "Are you committed to ending the harms caused by punitive treatment models and uphold harm reduction?"
    )
    for term in ["IHRRC", "PLE", "COI", "SSP", "SAMHSA", "TJ", "AI"]:
        assert content.glossary_lookup(term) is not None, term


@pytest.mark.skipif(not SEED.exists(), reason="seed agreements not beside the repo")
def test_default_content_reproduces_the_agreements_faithfully() -> None:
    """Every value, agreement, action item and COI category appears verbatim in the seed text."""
    seed = _normalise(SEED.read_text())
    content = load_content()
    texts = [*content.values.items, *content.agreements.items, content.commitment.question]
    for section in content.actions.sections:
        texts += section.items
        if section.intro:
            texts.append(section.intro)
    texts += [c.label for c in content.coi_categories]
    missing = [t for t in texts if _normalise(t) not in seed]
    assert missing == []
    # And nothing of substance in the seed's action lists is left out.
    seed_items = [_normalise(line) for line in SEED.read_text().splitlines() if len(line.strip()) > 40]
    all_content = _normalise(" ".join(texts))
    skipped = [line for line in seed_items if line not in all_content]
    # Only the page's own framing lines (not agreements) may be left out.
    assert all(
        any(word in line for word in ("scroll to the bottom", "carefully read", "Coalition Survey",
                                      "These are", "Interested"))
        for line in skipped
    ), skipped


def test_broken_content_file_names_file_and_key(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"custom\.toml: key 'version'"):
        parse_content('version = ""\n', "custom.toml")
    bad = tmp_path / "content.toml"
    bad.write_text("not [valid")
    with pytest.raises(ContentError, match=r"content\.toml: this is not valid TOML"):
        load_content(bad)


def test_coi_labels_fit_discord_limits() -> None:
    for category in load_content().coi_categories:
        assert len("COI: " + category.display) <= 100
        assert len(category.display) <= 100
