"""Engine and session factory, built once at start-up and handed to the bot.

SQLite is hardened for a bot that writes from many concurrent tasks: WAL (readers
never block the writer), a busy timeout, foreign keys on, and every transaction
opened with BEGIN IMMEDIATE so two writers queue on the lock instead of failing
with SQLite's deferred-upgrade "database is locked". A file database runs on the
event loop's thread through one connection (db/inline_sqlite.py), so the bot's own
transactions queue on the pool; the lock and busy timeout matter for other processes
(the CLI, tests reading the file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from db import inline_sqlite

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_SIZE = 5


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path | None:
    """The database file for a file-backed SQLite URL, else None."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _harden_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (below) instead of the driver's deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        cursor = connection.connection.cursor()  # the driver directly: exec_driver_sql cost 3% of a wave
        cursor.execute("BEGIN IMMEDIATE")
        cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine; for SQLite, create the file's directory first."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"echo": echo}
    if path is not None:
        # SQLite runs on the event loop's thread (see db/inline_sqlite.py) through ONE connection:
        # SQLite has one writer at a time anyway, and transactions then wait on the pool, never
        # on the file lock, which would stall the loop.
        kwargs.update(async_creator=inline_sqlite.creator(str(path)), pool_size=1, max_overflow=0,
                      pool_timeout=60)
    elif is_sqlite(url):
        kwargs.update(pool_size=SQLITE_POOL_SIZE, max_overflow=0, pool_timeout=60)
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _harden_sqlite(engine)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit without lazy loads.
    return async_sessionmaker(engine, expire_on_commit=False)
