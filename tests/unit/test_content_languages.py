"""Content in two languages (issue 16): the Spanish file has the English file's shape, and a Spanish
file that misses an item (or adds one, or changes a key, the version or a COI category) is refused
with one line naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import ContentError, default_content_text, describe_languages, differences, load_content
from bot.i18n import speaking

ENGLISH = load_content()
SPANISH = ENGLISH.localized("es")


def test_the_default_content_ships_a_spanish_translation_marked_for_review() -> None:
    assert ENGLISH.languages == ["en", "es"]
    assert SPANISH is not ENGLISH and differences(ENGLISH, SPANISH) == []
    assert SPANISH.commitment.question.startswith("¿Te comprometes")
    assert "community translation, for the coalition to review" in SPANISH.translation
    assert "community translation" in default_content_text("es").splitlines()[1].lower()
    assert [c.key for c in SPANISH.coi_categories] == [c.key for c in ENGLISH.coi_categories]
    assert SPANISH.version == ENGLISH.version


def test_localized_follows_the_current_language() -> None:
    with speaking("es"):
        assert ENGLISH.localized() is SPANISH
    with speaking("en"):
        assert ENGLISH.localized() is ENGLISH
    assert ENGLISH.localized("fr") is ENGLISH  # a language without a file reads the English


def test_every_spanish_sentence_is_translated() -> None:
    """No English sentence was left in the Spanish file (names, addresses and acronyms aside)."""
    english = ENGLISH.model_dump(exclude={"glossary", "community"})
    spanish = SPANISH.model_dump(exclude={"glossary", "community"})

    def strings(value: object) -> list[str]:
        if isinstance(value, dict):
            return [s for k, v in value.items() if k not in ("key", "version") for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) and len(value) > 12 else []

    same = set(strings(english)) & set(strings(spanish))
    assert same == set(), same


def _write(folder: Path, english: str, spanish: str) -> Path:
    (folder / "content.toml").write_text(english, encoding="utf-8")
    (folder / "content.es.toml").write_text(spanish, encoding="utf-8")
    return folder / "content.toml"


AGREEMENT = "Acordamos esforzarnos por la transparencia y la rendición de cuentas mutua."


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace(f'  "{AGREEMENT}",\n', ""),
     r"content\.es\.toml: key 'agreements\.items' has 7 item\(s\) where the English has 8"),
    (lambda t: t.replace(f'  "{AGREEMENT}",\n', f'  "{AGREEMENT}",\n  "Uno más.",\n'),
     r"key 'agreements\.items' has 9 item\(s\) where the English has 8"),
    (lambda t: t.replace('key = "lobbyists"', 'key = "cabilderos"'),
     r"key 'coi_categories\[5\]\.key' is 'cabilderos' where the English has 'lobbyists'"),
    (lambda t: t.replace('[[coi_categories]]\nkey = "hospital_exec"\nlabel = "Personal ejecutivo de hospitales"\n', ""),
     r"key 'coi_categories' has 7 item\(s\) where the English has 8"),
    (lambda t: t.replace('version = "2025.1"', 'version = "2024.9"'),
     r"key 'version' is '2024\.9' where the English has '2025\.1'"),
    (lambda t: t.replace("offers_coi_tagging = true", "offers_coi_tagging = false"),
     r"key 'actions\.sections\[5\]\.offers_coi_tagging' is False where the English has True"),
])
def test_a_spanish_file_with_another_shape_is_refused(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    spanish = change(default_content_text("es"))
    assert spanish != default_content_text("es")
    path = _write(tmp_path, default_content_text(), spanish)
    with pytest.raises(ContentError, match=message):
        load_content(path)


def test_the_words_may_differ_freely(tmp_path: Path) -> None:
    """A fixed typo, a reworded sentence, an own glossary: all fine."""
    spanish = default_content_text("es").replace("Acordamos", "Nosotras y nosotros acordamos")
    spanish = spanish.replace('term = "RJ"', 'term = "JR"')
    content = load_content(_write(tmp_path, default_content_text(), spanish))
    assert content.localized("es").agreements.items[0].startswith("Nosotras y nosotros acordamos")


def test_a_deployment_without_a_spanish_file_reads_the_english(tmp_path: Path) -> None:
    (tmp_path / "content.toml").write_text(default_content_text(), encoding="utf-8")
    content = load_content(tmp_path / "content.toml")
    assert content.languages == ["en"] and content.localized("es") is content
    assert "no translation file for Español" in describe_languages(content)
