"""Pure glossary rules: exact lookup, autocomplete suggestions, closest matches, pages.

Entries are plain (term, meaning) pairs taken from the content file's `[[glossary]]`.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import t, t_server
from cogs.acronyms import texts

MAX_CHOICES = 25  # Discord's autocomplete limit
CHOICE_CHARS = 100  # Discord's limit for a choice's name and value
MAX_TERM_CHARS = 100


@dataclass(frozen=True)
class Entry:
    term: str
    meaning: str

    @property
    def line(self) -> str:
        return f"{self.term} — {self.meaning}"


def _key(text: str) -> str:
    """Compare ignoring case, spaces, dots and dashes ("I.H.R.R.C." finds "IHRRC")."""
    return "".join(ch for ch in text.casefold() if ch.isalnum() or ch == "&")


def find(entries: Sequence[Entry], term: str) -> Entry | None:
    wanted = _key(term)
    if not wanted:
        return None
    return next((e for e in entries if _key(e.term) == wanted), None)


def closest(entries: Sequence[Entry], term: str, limit: int = 3) -> list[Entry]:
    """The entries most like `term` (by acronym, then by words in the meaning)."""
    wanted = _key(term)
    if not wanted:
        return []
    by_key = {_key(e.term): e for e in entries}
    names = difflib.get_close_matches(wanted, list(by_key), n=limit, cutoff=0.5)
    found = [by_key[n] for n in names]
    if len(found) < limit:
        words = term.casefold().split()
        for e in entries:
            if e in found:
                continue
            meaning = e.meaning.casefold()
            if words and all(w in meaning for w in words):
                found.append(e)
            if len(found) >= limit:
                break
    if len(found) < limit:
        for e in entries:
            if e not in found and (wanted in _key(e.term) or _key(e.term) in wanted):
                found.append(e)
            if len(found) >= limit:
                break
    return found[:limit]


def suggest(entries: Sequence[Entry], current: str, limit: int = MAX_CHOICES) -> list[Entry]:
    """Autocomplete: prefix matches first, then terms containing it, then meanings, then fuzzy."""
    typed = _key(current)
    if not typed:
        return sorted(entries, key=lambda e: e.term.casefold())[:limit]
    ordered: list[Entry] = []

    def add(candidates: Sequence[Entry]) -> None:
        for e in candidates:
            if e not in ordered:
                ordered.append(e)

    by_term = sorted(entries, key=lambda e: e.term.casefold())
    add([e for e in by_term if _key(e.term).startswith(typed)])
    add([e for e in by_term if typed in _key(e.term)])
    words = current.casefold().split()
    add([e for e in by_term if words and all(w in e.meaning.casefold() for w in words)])
    add(closest(entries, current, limit=5))
    return ordered[:limit]


def choice_label(entry: Entry) -> str:
    """What the autocomplete list shows: "SSP — Syringe Service Provider/Program" (≤ 100 chars)."""
    line = entry.line
    return line if len(line) <= CHOICE_CHARS else line[: CHOICE_CHARS - 1] + "…"


def answer(entry: Entry, *, public: bool = False) -> str:
    """In the asker's language; `public` (shared in the channel): in the server's."""
    return (t_server if public else t)(texts.ANSWER, term=entry.term, meaning=entry.meaning)


def not_found(term: str, near: Sequence[Entry]) -> str:
    """A kind reply (to the asker only) for a term the glossary lacks; `term` is shown in code formatting."""
    shown = " ".join(term.split())[:MAX_TERM_CHARS].replace("`", "'") or t(texts.THAT)
    if near:
        text = t(texts.NOT_FOUND_NEAR, term=shown, near="\n".join(
            t(texts.GLOSSARY_LINE, answer=answer(e)) for e in near))
    else:
        text = t(texts.NOT_FOUND, term=shown)
    return f"{text}\n{t(texts.PLEASE_TELL)}"


def glossary_pages(entries: Sequence[Entry], page_chars: int = 4000) -> list[str]:
    """The whole glossary, alphabetical, split into pages that each fit an embed (the asker's language)."""
    pages: list[str] = []
    current = ""
    for e in sorted(entries, key=lambda e: e.term.casefold()):
        line = t(texts.GLOSSARY_LINE, answer=answer(e))[:page_chars]
        if current and len(current) + 1 + len(line) > page_chars:
            pages.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        pages.append(current)
    return pages
