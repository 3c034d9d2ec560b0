"""Which language each person is answered in (issue 16): their own choice, else their Discord app's.

Discord-free. The interaction pipeline asks `observe(user, locale)` at the start of every
interaction and sets the answer as the current language (`bot.i18n.set_current`); code that writes
to a person outside their own interaction (a relayed reply, a reminder, a typed DM's answer)
renders inside `with speaking(book.language_of(user))`.

The book is the `person_language` table held in memory: read once at start-up, so no click ever
waits on a query for it (the onboarding walk answers hundreds of clicks a second in a join wave).
Its invariants:
- a choice (`choose`) is written to the database BEFORE the book changes and before the person is
  told it was saved; it always wins over the app's language;
- the app's language is remembered (not chosen) when it differs from what the book would say
  anyway, and written behind the click (`_flush`, a task of its own), so the click never waits;
  a person whose app speaks the server's language and who chose nothing has no row at all;
- an erasure deletes the row (privacy's registry) and then `forget`s the person here.
Each process keeps its own book. With several shard processes a choice made through one (DMs all
reach shard 0) must reach the process that relays a moderator's reply or sends a reminder:
`refresh` (the language cog runs it every 30 seconds) reads the rows changed since the last look,
and now and then the whole table, so a row erased through another process leaves this memory too.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import i18n
from bot.services import ServiceKey
from db.repositories import language as repo

log = logging.getLogger(__name__)

# Look back this far past the newest change already seen: a change committed a moment after a
# later-dated one (two processes writing at once) is still found.
LOOK_BACK = timedelta(seconds=60)
FULL_READ_EVERY = 20  # refreshes (about 10 minutes): the whole table, so erasures elsewhere show too


class LanguageBook:
    """Each person's language (chosen, or their app's), in memory, backed by `person_language`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession] | None = None) -> None:
        self.sessions = sessions  # None: memory only (unit tests)
        self._known: dict[int, tuple[str, bool]] = {}  # user -> (language, chosen)
        self._unsaved: dict[int, str] = {}  # app languages seen, not written yet
        self._writer: asyncio.Task[None] | None = None
        self._newest: datetime | None = None  # the newest change seen in the table
        self._refreshes = 0
        # People whose language changed here while a refresh was reading: what it read is older.
        self._changed_here: set[int] | None = None

    async def load(self) -> None:
        """Read every stored language (at start-up, before the first interaction)."""
        if self.sessions is None:
            return
        async with self.sessions() as session:
            stored = await repo.everyone(session)
            self._newest = await repo.latest_change(session)
        self._known = {user: (lang, chosen) for user, (lang, chosen) in stored.items() if lang in i18n.LANGUAGES}

    async def refresh(self) -> int:
        """Take in what other processes changed (see the module's notes); how many people changed here."""
        if self.sessions is None or self._changed_here is not None:  # none, or one under way already
            return 0
        self._refreshes += 1
        self._changed_here = set()
        try:
            if self._refreshes % FULL_READ_EVERY == 0:
                return await self._read_everyone()
            since = None if self._newest is None else self._newest - LOOK_BACK
            async with self.sessions() as session:
                rows = await repo.changed_since(session, since)
            changed = 0
            for user, language, chosen, at in rows:
                self._newest = at if self._newest is None else max(self._newest, at)
                if self._take(user, language, chosen):
                    changed += 1
            return changed
        finally:
            self._changed_here = None

    async def _read_everyone(self) -> int:
        assert self.sessions is not None
        async with self.sessions() as session:
            stored = await repo.everyone(session)
            self._newest = await repo.latest_change(session)
        changed = sum(self._take(user, language, chosen) for user, (language, chosen) in stored.items())
        assert self._changed_here is not None
        for user in [u for u in self._known if u not in stored and u not in self._unsaved
                     and u not in self._changed_here]:
            del self._known[user]  # erased through another process
            changed += 1
        return changed

    def _take(self, user: int, language: str, chosen: bool) -> bool:
        """One stored row into memory, unless this process holds something newer about them."""
        assert self._changed_here is not None
        if language not in i18n.LANGUAGES or user in self._unsaved or user in self._changed_here:
            return False
        if self._known.get(user) == (language, chosen):
            return False
        self._known[user] = (language, chosen)
        return True

    def _changed(self, user_id: int) -> None:
        if self._changed_here is not None:
            self._changed_here.add(user_id)

    def language_of(self, user_id: int, locale: object = None) -> str:
        """Their choice; else their app's language (`locale`, else the last one seen); else the server's."""
        language, chosen = self._known.get(user_id, ("", False))
        if chosen:
            return language
        return i18n.from_locale(locale) or language or i18n.server_language()

    def chosen(self, user_id: int) -> str | None:
        language, chosen = self._known.get(user_id, ("", False))
        return language if chosen else None

    def observe(self, user_id: int, locale: object) -> str:
        """The language to answer this interaction in; remembers the app's language for later DMs
        (written behind the click) when the person chose none and it says something new."""
        language = self.language_of(user_id, locale)
        app = i18n.from_locale(locale)
        known, chosen = self._known.get(user_id, ("", False))
        if app is None or chosen or app == (known or i18n.server_language()):
            return language
        self._known[user_id] = (app, False)
        self._unsaved[user_id] = app
        self._changed(user_id)
        self._write_behind()
        return language

    async def choose(self, user_id: int, language: str) -> None:
        """The person picked `language`: saved first, then used from the next word on."""
        if language not in i18n.LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        if self.sessions is not None:
            async with self.sessions() as session, session.begin():
                await repo.choose(session, user_id, language)
        self._unsaved.pop(user_id, None)
        self._known[user_id] = (language, True)
        self._changed(user_id)

    def remember(self, user_id: int, language: str) -> None:
        """Memory only (tests, the demo): as if chosen."""
        if language not in i18n.LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self._known[user_id] = (language, True)

    def forget(self, user_id: int) -> None:
        """After an erasure (the row is already gone): nothing about them stays in memory either."""
        self._known.pop(user_id, None)
        self._unsaved.pop(user_id, None)
        self._changed(user_id)

    # --- writing app languages behind the clicks ---------------------------------------------

    def _write_behind(self) -> None:
        if self.sessions is None or (self._writer is not None and not self._writer.done()):
            return
        self._writer = asyncio.get_running_loop().create_task(self._flush(), name="languages: write behind")

    async def _flush(self) -> None:
        assert self.sessions is not None
        while self._unsaved:
            batch, self._unsaved = self._unsaved, {}
            try:
                async with self.sessions() as session, session.begin():
                    await repo.note_app_languages(session, batch)
            except Exception:  # only a default for later DMs: the next interaction notes it again
                log.warning("could not save %d app language(s); noted again on their next interaction", len(batch),
                            exc_info=True)
                for user_id, language in batch.items():
                    if self._known.get(user_id) == (language, False):
                        self._known.pop(user_id)
                return

    async def drain(self) -> None:
        """Finish writing (at shutdown, before the database goes away)."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)


LANGUAGES = ServiceKey("languages", LanguageBook)
