"""The clear-yes rule: a table of answers and properties that must always hold."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.onboarding.logic import is_clear_yes

CLEAR_YES = [
    "yes",
    "Yes!",
    "YES",
    "yes, I am",
    "yes I'm committed",
    "yes I’m committed",  # curly apostrophe, as phones type it
    "Yes.",
    "  yes  ",
    "yes!!!",
    "Yes, absolutely.",
    "yes, I am committed",
    "Yes, definitely",
    "yes yes",
    "YES I AM",
    "yes 100%",
    "Yes, of course!",
    "yes, we are committed",
    "Yes 🙂",
    "yes\n",
    "Yes, wholeheartedly.",
    "yes, count me in",
]

NOT_CLEAR_YES = [
    "yes but…",
    "yes but I have questions",
    "yes, but",
    "no",
    "No.",
    "not yet",
    "maybe",
    "I guess",
    "sure?",
    "sure",
    "idk",
    "y",
    "Y",
    "",
    "   ",
    "yes?",
    "yes...",
    "yes…",
    "yes, I guess",
    "yes I think so",
    "yes, probably",
    "yes, mostly",
    "yeah",
    "yep",
    "ok",
    "I am committed",  # no "yes": the rule asks for a clear yes
    "yes I'm not sure",
    "yes I am not committed",
    "yes, I don't know",
    "yes I can't",
    "yes if I have time",
    "yes, although I disagree with part of it",
    "yes though",
    "yes, kind of",
    "yes sort of",
    "no, yes",
    "nope",
    "yesn't",
    "yes no",
    "not really, yes",
    "yes however",
    "Yes, except the part about meetings",
    "yes lol jk",
    "yes (maybe)",
    "noyes",
    "yess",
]


# Spanish (issue 16): clear yeses with or without accents and punctuation, and the unclear ones.
SPANISH_CLEAR_YES = [
    "sí",
    "si",
    "Sí.",
    "SÍ",
    "¡Sí!",
    "sí, me comprometo",
    "si me comprometo",
    "Sí, me comprometo.",
    "claro que sí",
    "Claro que si!",
    "¡Claro que sí, me comprometo!",
    "sí, estoy de acuerdo",
    "sí, por supuesto",
    "Sí, totalmente",
    "sí, absolutamente",
    "sí, estoy comprometida",
    "sí, estamos comprometidos",
    "sí, cuenten conmigo",
    "sí, acepto",
    "sí, lo acepto",
    "Sí, con todo mi corazón",
    "sí sí",
    "sí, gracias",
    "sí 100%",
    "  sí  ",
    "sí, y me comprometo",
]

SPANISH_NOT_CLEAR_YES = [
    "no sé",
    "no se",
    "sí pero…",
    "sí, pero tengo preguntas",
    "si pero",
    "tal vez",
    "creo que sí",
    "creo que si",
    "quizás",
    "quizas sí",
    "puede ser",
    "sí, supongo",
    "sí, más o menos",
    "sí, aunque no estoy de acuerdo con todo",
    "si tengo tiempo",
    "si puedo",
    "sí, si puedo",
    "¿sí?",
    "sí?",
    "sí…",
    "sí...",
    "no",
    "no, sí",
    "sí no",
    "todavía no",
    "aún no",
    "bueno",
    "vale",
    "claro",
    "por supuesto",
    "sí, creo",
    "sí, pienso que sí",
    "sí, a veces",
    "sí, casi",
    "seguro",
    "no estoy segura",
    "sí, no estoy de acuerdo",
]


@pytest.mark.parametrize("answer", CLEAR_YES)
def test_clear_yes(answer: str) -> None:
    assert is_clear_yes(answer) is True


@pytest.mark.parametrize("answer", NOT_CLEAR_YES)
def test_not_clear_yes(answer: str) -> None:
    assert is_clear_yes(answer) is False


def test_table_is_big_enough() -> None:
    assert len(CLEAR_YES) + len(NOT_CLEAR_YES) >= 40
    assert len(SPANISH_CLEAR_YES) + len(SPANISH_NOT_CLEAR_YES) >= 40


@pytest.mark.parametrize("answer", SPANISH_CLEAR_YES)
def test_clear_yes_in_spanish(answer: str) -> None:
    assert is_clear_yes(answer) is True


@pytest.mark.parametrize("answer", SPANISH_NOT_CLEAR_YES)
def test_not_clear_yes_in_spanish(answer: str) -> None:
    assert is_clear_yes(answer) is False


def test_none_is_not_yes() -> None:
    assert is_clear_yes(None) is False


WORDS = st.sampled_from(["yes", "I", "am", "committed", "but", "not", "n't", "maybe", "sure", "no", "absolutely",
                         "?", "!", ",", "don't", "guess", "of", "course", "100%"])
SENTENCES = st.lists(WORDS, min_size=0, max_size=8).map(" ".join)


@given(SENTENCES | st.text(max_size=60))
def test_negations_and_hedges_are_never_yes(text: str) -> None:
    lowered = text.casefold()
    words = lowered.replace(",", " ").split()
    if any(w in ("not", "but", "no", "maybe", "guess") for w in words) or "n't" in lowered or "?" in text:
        assert not is_clear_yes(text)


SPANISH_WORDS = st.sampled_from(["sí", "si", "me", "comprometo", "pero", "no", "creo", "que", "claro", "tal",
                                 "vez", "quizás", "estoy", "de", "acuerdo", "¿", "?", "!", ",", "supongo"])
SPANISH_SENTENCES = st.lists(SPANISH_WORDS, min_size=0, max_size=8).map(" ".join)


@given(SENTENCES | SPANISH_SENTENCES | st.text(max_size=60))
def test_a_yes_always_starts_with_yes_or_si(text: str) -> None:
    if is_clear_yes(text):
        plain = "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))
        words = re.findall(r"[a-z0-9%']+", plain.replace("’", "'"))
        assert words[0] in ("yes", "si") or words[:3] == ["claro", "que", "si"]


@given(SPANISH_SENTENCES)
def test_spanish_negations_and_hedges_are_never_yes(text: str) -> None:
    words = text.casefold().replace(",", " ").split()
    if any(w in ("no", "pero", "creo", "quizás", "tal", "supongo") for w in words) or "?" in text or "¿" in text:
        assert not is_clear_yes(text)


@given(st.text(max_size=40))
def test_appending_but_breaks_any_yes(text: str) -> None:
    assert not is_clear_yes(f"{text} but")
    assert not is_clear_yes(f"yes {text} but maybe")
    assert not is_clear_yes(f"{text} pero")
    assert not is_clear_yes(f"sí {text} pero")
