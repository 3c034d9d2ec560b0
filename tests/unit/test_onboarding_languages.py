"""Onboarding's steps in each language (issue 16): the same steps everywhere, and reaffirmation by
meaning per item — a fixed typo in the Spanish asks nobody again, a changed item asks everyone."""

from __future__ import annotations

from pathlib import Path

from bot.content import default_content_text, load_content
from bot.plaintext import MESSAGE_LIMIT
from cogs.onboarding import logic

CONTENT = load_content()
SPANISH_ITEM = "Acordamos abordar los desacuerdos con curiosidad, humildad y disposición a aprender."
ENGLISH_ITEM = "We agree to approach disagreements with curiosity, humility, and a willingness to learn."


def _content(folder: Path, english: str, spanish: str):  # type: ignore[no-untyped-def]
    (folder / "content.toml").write_text(english, encoding="utf-8")
    (folder / "content.es.toml").write_text(spanish, encoding="utf-8")
    return load_content(folder / "content.toml")


def test_every_language_has_the_same_steps_each_fitting_a_message() -> None:
    steps = logic.build_languages(CONTENT)
    assert set(steps) == {"en", "es"}
    assert [s.key for s in steps["en"]] == [s.key for s in steps["es"]]
    assert [s.meaning for s in steps["en"]] == [s.meaning for s in steps["es"]]
    assert steps["es"][-1].kind == "commitment" and "¿Te comprometes" in steps["es"][-1].body
    for language, found in steps.items():
        for index in range(len(found)):
            text = logic.render_step(found, index, note="x" * 200, reaffirm_version="2099.1",
                                     coi_labels=[c.display for c in CONTENT.localized(language).coi_categories])
            assert len(text) <= MESSAGE_LIMIT and "…" not in text[-5:], (language, index)


def test_a_fixed_spanish_typo_asks_nobody_to_reaffirm(tmp_path: Path) -> None:
    accepted_en = logic.step_hashes(logic.build_steps(CONTENT, language="en"))
    accepted_es = logic.step_hashes(logic.build_steps(CONTENT, language="es"))
    assert accepted_en == accepted_es  # what someone accepted is the same whichever language they read
    typo = default_content_text("es").replace(SPANISH_ITEM, SPANISH_ITEM.replace("curiosidad", "curiosiad"))
    fixed = _content(tmp_path, default_content_text(), typo)
    assert "curiosiad" in logic.build_steps(fixed, language="es")[4].body
    for language in ("en", "es"):
        for accepted in (accepted_en, accepted_es):
            assert [s.key for s in logic.reaffirm_steps(fixed, accepted, language)] == ["commitment"]


def test_a_changed_item_asks_everyone_in_their_language(tmp_path: Path) -> None:
    accepted = logic.step_hashes(logic.build_steps(CONTENT, language="es"))
    english = default_content_text().replace(ENGLISH_ITEM, ENGLISH_ITEM.replace("humility,", "humility, patience,"))
    spanish = default_content_text("es").replace(SPANISH_ITEM,
                                                 SPANISH_ITEM.replace("humildad y", "humildad, paciencia y"))
    changed = _content(tmp_path, english, spanish)
    for language, word in (("en", "patience"), ("es", "paciencia")):
        steps = logic.reaffirm_steps(changed, accepted, language)
        assert [s.key for s in steps] == ["agreement:3", "commitment"]
        assert word in steps[0].body
