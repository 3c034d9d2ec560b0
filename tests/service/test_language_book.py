"""Each person's language on a real database (bot.languages.LanguageBook over person_language): a choice
is saved before it is used, wins over the app's language and survives a restart; the app's language is
noted behind the click for later DMs, never over a choice; an erasure takes the language with it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content
from bot.languages import FULL_READ_EVERY, LanguageBook
from bot.settings import PrivacySection
from cogs.privacy.service import PrivacyService
from db.crypto import DataCipher
from db.models import PersonLanguage
from db.repositories import language as repo

Sessions = async_sessionmaker[AsyncSession]
G, ANA, BEN, CY = 1, 21, 22, 23


class PauseAfterFirstRead:
    """Sessions whose first use (a refresh's read) holds on after reading, until `go` is set."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions, self.read, self.go = sessions, asyncio.Event(), asyncio.Event()

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        first = not self.read.is_set()
        async with self.sessions() as session:
            yield session
        if first:
            self.read.set()
            await self.go.wait()


async def stored(sessions: Sessions, user_id: int) -> tuple[str, bool] | None:
    async with sessions() as session:
        return await repo.get(session, user_id)


async def test_a_choice_is_saved_first_wins_over_the_app_and_survives_a_restart(sessions: Sessions) -> None:
    book = LanguageBook(sessions)
    await book.load()
    assert book.language_of(ANA) == "en"  # the server's, with nothing known
    await book.choose(ANA, "es")
    assert await stored(sessions, ANA) == ("es", True)
    assert book.observe(ANA, "en-US") == "es", "a choice always wins over the app's language"
    restarted = LanguageBook(sessions)
    await restarted.load()
    assert restarted.language_of(ANA, "en-US") == "es" and restarted.chosen(ANA) == "es"
    await restarted.choose(ANA, "en")
    assert await stored(sessions, ANA) == ("en", True)
    assert restarted.observe(ANA, "es-419") == "en"


async def test_the_apps_language_is_noted_for_later_dms_but_never_over_a_choice(sessions: Sessions) -> None:
    book = LanguageBook(sessions)
    await book.load()
    assert book.observe(BEN, "es-419") == "es"
    await book.drain()
    assert await stored(sessions, BEN) == ("es", False)
    assert book.language_of(BEN) == "es", "a reminder (no interaction, no locale) speaks it"
    restarted = LanguageBook(sessions)
    await restarted.load()
    assert restarted.language_of(BEN) == "es" and restarted.chosen(BEN) is None
    assert restarted.observe(BEN, "en-GB") == "en"  # they switched their app to English
    await restarted.drain()
    assert await stored(sessions, BEN) == ("en", False)
    await restarted.choose(BEN, "es")
    assert restarted.observe(BEN, "en-US") == "es"
    await restarted.drain()
    assert await stored(sessions, BEN) == ("es", True)


async def test_nothing_is_stored_for_an_app_in_the_servers_language_or_one_the_bot_does_not_speak(
        sessions: Sessions) -> None:
    book = LanguageBook(sessions)
    await book.load()
    assert book.observe(CY, "en-US") == "en"
    assert book.observe(CY, "fr") == "en"
    assert book.observe(CY, None) == "en"
    await book.drain()
    assert await stored(sessions, CY) is None


async def test_unknown_languages_are_refused(sessions: Sessions) -> None:
    book = LanguageBook(sessions)
    try:
        await book.choose(ANA, "fr")
    except ValueError:
        pass
    else:
        raise AssertionError("fr is not a language the bot speaks")
    assert await stored(sessions, ANA) is None


async def test_mydata_shows_the_language_and_delete_erases_it_in_memory_too(
        sessions: Sessions, clock: Clock, cipher: DataCipher, content: Content) -> None:
    book = LanguageBook(sessions)
    await book.load()
    await book.choose(ANA, "es")
    book.observe(BEN, "es-ES")
    settings = PrivacySection(retention_days_after_leave=30, case_retention_days=365, mydata_cooldown_seconds=10)
    service = PrivacyService(sessions, sessions, clock, settings, cipher, content, book)
    page = "\n".join(await service.mydata_pages(ANA, G, lambda _: "Coalition"))
    assert "Language: Español (you chose it" in page
    page = "\n".join(await service.mydata_pages(BEN, None, lambda _: "Coalition"))  # written behind: drained first
    assert "Language: Español (your Discord app's language" in page
    await service.erase(ANA, G, action="privacy.data_erased")
    await service.erase(BEN, None, action="privacy.data_erased")
    assert await stored(sessions, ANA) is None and await stored(sessions, BEN) is None
    assert book.language_of(ANA) == "en" and book.language_of(BEN) == "en"


async def test_a_choice_made_through_another_process_is_picked_up_and_an_erasure_too(sessions: Sessions) -> None:
    """Two shard processes, one database: Ana chooses Spanish in her DMs (shard 0); the process that
    relays her case's replies (shard 1) speaks Spanish to her after its next refresh, not at restart."""
    shard0, shard1 = LanguageBook(sessions), LanguageBook(sessions)
    await shard0.load()
    await shard1.load()
    assert await shard1.refresh() == 0  # nothing changed yet
    await shard0.choose(ANA, "es")
    shard0.observe(BEN, "es-ES")  # Ben's app speaks Spanish: noted behind his click on shard 0
    await shard0.drain()
    assert shard1.language_of(ANA) == "en"
    assert await shard1.refresh() == 2
    assert shard1.language_of(ANA) == "es" and shard1.chosen(ANA) == "es"
    assert shard1.language_of(BEN) == "es" and shard1.chosen(BEN) is None
    assert await shard1.refresh() == 0, "the same rows again change nothing"
    await shard0.choose(ANA, "en")
    assert await shard1.refresh() == 1 and shard1.language_of(ANA) == "en"

    # Cy chooses Spanish here while a refresh is between reading (Cy: English, from another process)
    # and applying what it read: her newer choice wins.
    async with sessions() as session, session.begin():
        await repo.choose(session, CY, "en")
    paused = PauseAfterFirstRead(sessions)
    shard1.sessions = paused  # type: ignore[assignment]
    refreshing = asyncio.create_task(shard1.refresh())
    await paused.read.wait()
    await shard1.choose(CY, "es")
    paused.go.set()
    await refreshing
    assert shard1.language_of(CY) == "es" and await stored(sessions, CY) == ("es", True)
    shard1.sessions = sessions

    # Erased through shard 0 (the row is deleted there): the periodic full read drops it here too.
    async with sessions() as session, session.begin():
        await session.delete(await session.get(PersonLanguage, ANA))
    shard0.forget(ANA)
    for _ in range(FULL_READ_EVERY):
        await shard1.refresh()
    assert shard1.chosen(ANA) is None and shard1.language_of(ANA) == "en"
    assert shard1.language_of(BEN) == "es", "everyone else is kept"
