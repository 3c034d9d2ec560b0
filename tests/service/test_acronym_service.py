"""The acronym glossary's service: lookups and suggestions from the real content file."""

from __future__ import annotations

from bot.content import Content
from cogs.acronyms.service import AcronymService


def test_lookup_and_suggestions(content: Content) -> None:
    service = AcronymService(content)
    first = content.glossary[0]
    found = service.lookup(first.term.lower())
    assert found.found and found.text == f"**{first.term}** — {first.meaning}"
    missing = service.lookup("  zz`zz  ")
    assert not missing.found and missing.text.startswith("`zz'zz` is not in the glossary yet.")
    assert "please tell a moderator" in missing.text
    assert (first.term, first.term) in [(value, value) for _, value in service.suggestions(first.term)]
    assert len(service.pages()) >= 1
