"""Which language each person is answered in (issue 16): their own choice, else their Discord client's.

Discord-free. The interaction pipeline asks `language_of(user, locale)` at the start of every
interaction and sets it as the current language (`bot.i18n.set_current`); code that writes to a
person outside their own interaction (a relayed reply, a reminder) renders inside
`with speaking(book.language_of(user))`.
"""

from __future__ import annotations

from bot import i18n
from bot.services import ServiceKey


class LanguageBook:
    """Each person's chosen language, kept in memory for the pipeline's lookup on every click."""

    def __init__(self) -> None:
        self._chosen: dict[int, str] = {}

    def language_of(self, user_id: int, locale: object = None) -> str:
        """The person's choice; else the language of their client's locale; else the server's."""
        return self._chosen.get(user_id) or i18n.from_locale(locale) or i18n.server_language()

    def remember(self, user_id: int, language: str) -> None:
        if language not in i18n.LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self._chosen[user_id] = language

    def forget(self, user_id: int) -> None:
        self._chosen.pop(user_id, None)


LANGUAGES = ServiceKey("languages", LanguageBook)
