"""The acronym glossary's use cases, on plain values (no discord import): the entries come from
the content file, so the service needs nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from bot import i18n
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
        # Each language's glossary, read once; the terms are the same, the meanings are translated.
        self._by_language: dict[str, list[Entry]] = {
            language: [Entry(g.term, g.meaning) for g in content.localized(language).glossary]
            for language in content.languages}

    def entries(self, language: str | None = None) -> list[Entry]:
        """The glossary in `language` (default: the current reader's); English when it has none."""
        wanted = language or i18n.current()
        return self._by_language.get(wanted, self._by_language[i18n.SOURCE_LANGUAGE])

    def lookup(self, term: str, *, share: bool = False) -> Lookup:
        """The answer in the asker's language; a shared one in the server's (it is public)."""
        entries = self.entries(i18n.server_language() if share else None)
        entry = logic.find(entries, term)
        if entry is None:
            return Lookup(logic.not_found(term, logic.closest(self.entries(), term)), found=False)
        return Lookup(logic.answer(entry, public=share), found=True, shared=share)

    def suggestions(self, current: str) -> list[tuple[str, str]]:
        """(shown, value) pairs for the autocomplete."""
        return [(logic.choice_label(e), e.term[: logic.CHOICE_CHARS]) for e in logic.suggest(self.entries(), current)]

    def pages(self) -> list[str]:
        return logic.glossary_pages(self.entries())
