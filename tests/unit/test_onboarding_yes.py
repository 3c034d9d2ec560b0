"""The clear-yes rule: a table of answers and properties that must always hold."""

from __future__ import annotations

import re

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


@pytest.mark.parametrize("answer", CLEAR_YES)
def test_clear_yes(answer: str) -> None:
    assert is_clear_yes(answer) is True


@pytest.mark.parametrize("answer", NOT_CLEAR_YES)
def test_not_clear_yes(answer: str) -> None:
    assert is_clear_yes(answer) is False


def test_table_is_big_enough() -> None:
    assert len(CLEAR_YES) + len(NOT_CLEAR_YES) >= 40


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


@given(SENTENCES | st.text(max_size=60))
def test_a_yes_always_starts_with_the_word_yes(text: str) -> None:
    if is_clear_yes(text):
        first_word = re.findall(r"[a-z0-9%']+", text.casefold().replace("’", "'"))[0]
        assert first_word == "yes"


@given(st.text(max_size=40))
def test_appending_but_breaks_any_yes(text: str) -> None:
    assert not is_clear_yes(f"{text} but")
    assert not is_clear_yes(f"yes {text} but maybe")
