"""The acronym glossary's use cases, on plain values (no discord import): the entries come from
the content file, so the service needs nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import Content
from cogs.acronyms import logic
from cogs.acronyms.logic import Entry


@dataclass(frozen=True)
class Lookup:
    text: str
    found: bool
    shared: bool = False  # posted in the channel for everyone (only a found answer, when asked)


class AcronymService:
    def __init__(self, content: Content) -> None:
        self.entries: list[Entry] = [Entry(g.term, g.meaning) for g in content.glossary]

    def lookup(self, term: str, *, share: bool = False) -> Lookup:
        """The answer in the asker's language; a shared one in the server's (it is public)."""
        entry = logic.find(self.entries, term)
        if entry is None:
            return Lookup(logic.not_found(term, logic.closest(self.entries, term)), found=False)
        return Lookup(logic.answer(entry, public=share), found=True, shared=share)

    def suggestions(self, current: str) -> list[tuple[str, str]]:
        """(shown, value) pairs for the autocomplete."""
        return [(logic.choice_label(e), e.term[: logic.CHOICE_CHARS]) for e in logic.suggest(self.entries, current)]

    def pages(self) -> list[str]:
        return logic.glossary_pages(self.entries)
