"""Engine and session factory, built once at start-up and handed to the bot.

SQLite runs on aiosqlite's worker threads (SQLAlchemy's documented aiosqlite set-up), so no
wait on the file lock ever happens on the event loop. It is hardened for a bot that writes
from many concurrent tasks and shares its file with volunteers' tools:

- WAL: readers never block the writer and need no write lock.
- Writes go through ONE connection, each transaction opened with BEGIN IMMEDIATE: the bot's
  own writers queue on SQLAlchemy's pool (asynchronously), never on the file lock, and never
  hit SQLite's deferred-upgrade "database is locked".
- Reads that ask for it (`create_read_engine`) use their own connections with a deferred
  BEGIN and `query_only`: they answer while another process holds the write lock.
- Another process holding the write lock (a browser tool, a CLI command) makes a write wait at
  most `SQLITE_WRITE_WAIT_MS`, on the worker thread; past that it raises `DatabaseBusy`, and
  for `BUSY_COOL_OFF_S` after it every write fails at once with `DatabaseBusy` instead of
  queueing behind a lock that is still held (people get "busy, try again in a moment"
  within Discord's 3 seconds). The first write after the cool-off tries again, so the bot
  recovers by itself when the lock goes.
- `secure_delete` overwrites deleted content; `checkpoint_wal` moves the log into the file
  and truncates it, so an erased value does not linger in the WAL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from db import inline_sqlite  # noqa: F401  (registers the sqlite+inline dialect)

SQLITE_WRITE_WAIT_MS = 500  # busy_timeout of the writer: how long one write waits for another process's lock
SQLITE_READ_WAIT_MS = 500  # a WAL reader waits only for a checkpoint's or recovery's brief locks
BUSY_COOL_OFF_S = 1.0
SQLITE_READ_POOL_SIZE = 3
SQLITE_POOL_SIZE = 5  # in-memory SQLite (tests)
FILE_MODE = 0o600
FOLDER_MODE = 0o700


class DatabaseBusy(Exception):
    """Another process holds the database's write lock; the write was not made."""


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path | None:
    """The database file for a file-backed SQLite URL, else None."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def is_lock_error(error: BaseException) -> bool:
    """SQLite's "database is locked"/"busy" (another process holds the lock)."""
    # The driver's OperationalError: sqlite3's, or aiosqlite's adaptation of it in SQLAlchemy.
    original = getattr(error, "orig", None) or error
    return type(original).__name__ == "OperationalError" and "database is locked" in str(original)


def is_busy(error: BaseException) -> bool:
    """Any way a write can fail because the database is busy: worth "try again in a moment"."""
    return isinstance(error, (DatabaseBusy, PoolTimeout)) or is_lock_error(error)


def private_files(path: Path) -> None:
    """The data folder 0700 and the database's files 0600, whatever the umask.

    SQLite creates the -wal and -shm files with the database file's mode, so creating that
    file first (0600) is enough for new ones; chmod fixes files left by older versions."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True)
        os.chmod(folder, FOLDER_MODE)
    elif folder.resolve() not in (Path.cwd().resolve(), Path.home().resolve()):
        os.chmod(folder, FOLDER_MODE)  # a folder of its own (never the working or home folder)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(fd)
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(folder / name, FILE_MODE)


class _WriteGate:
    """Remembers for a moment that another process held the write lock (see the module doc)."""

    def __init__(self) -> None:
        self.busy_until = 0.0

    def check(self) -> None:
        if time.monotonic() < self.busy_until:
            raise DatabaseBusy("another program is holding the database's write lock")

    def saw_lock(self) -> None:
        self.busy_until = time.monotonic() + BUSY_COOL_OFF_S


def _harden_sqlite(engine: AsyncEngine, *, read_only: bool) -> None:
    gate = _WriteGate()
    # Inline connections (db/inline_sqlite.py) must never sleep on the loop: they wait for
    # another process's lock asynchronously instead, for as long as aiosqlite's thread would.
    inline = engine.dialect.driver == "inline"
    busy_ms = 0 if inline else SQLITE_READ_WAIT_MS if read_only else SQLITE_WRITE_WAIT_MS

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (below) instead of the driver's own (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not read_only:
            gate.check()
        statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"  # deferred: a WAL reader takes no lock
        try:
            # The driver's own execute, through SQLAlchemy's public run_async (with aiosqlite: one
            # hand-off to its thread instead of three through a cursor).
            connection.connection.dbapi_connection.run_async(lambda driver: driver.execute(statement))
        except Exception as error:
            if read_only or not is_lock_error(error):
                raise
            gate.saw_lock()
            raise DatabaseBusy("another program held the database's write lock too long") from error

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: Any) -> None:
        if not read_only and is_lock_error(context.original_exception):
            gate.saw_lock()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine (the writer, for SQLite); for SQLite, create the file's directory first."""
    path = sqlite_path(url)
    kwargs: dict[str, Any] = {"echo": echo}
    target: str | URL = url
    if path is not None:
        private_files(path)
        target = inline_url(url)
        # ONE connection: SQLite has one writer at a time anyway, and the bot's transactions
        # then wait on the pool, never on the file lock.
        kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
    elif is_sqlite(url):
        kwargs.update(pool_size=SQLITE_POOL_SIZE, max_overflow=0, pool_timeout=60)
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_async_engine(target, **kwargs)
    if is_sqlite(url):
        _harden_sqlite(engine, read_only=False)
    return engine


def inline_url(url: str) -> URL:
    """A SQLite file runs inline on the event loop (db/inline_sqlite.py), whichever driver the
    configuration names (the README's `sqlite+aiosqlite:///...`)."""
    return make_url(url).set(drivername="sqlite+inline")


def create_read_engine(url: str, *, echo: bool = False) -> AsyncEngine | None:
    """For a SQLite file, an engine whose transactions only read (deferred BEGIN, query_only),
    on connections of their own; None where the writer's engine serves reads as well."""
    if sqlite_path(url) is None:
        return None
    engine = create_async_engine(inline_url(url), echo=echo, pool_size=SQLITE_READ_POOL_SIZE, max_overflow=0,
                                 pool_timeout=60)
    _harden_sqlite(engine, read_only=True)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit without lazy loads.
    return async_sessionmaker(engine, expire_on_commit=False)


async def driver_fetchall(connection: AsyncConnection, sql: str, parameters: Sequence[Any]) -> list[Any]:
    """SQLite: run one statement on aiosqlite's own connection, inside the transaction under way
    (it is the same connection), in ONE hand-off to its thread: aiosqlite's public
    `execute_fetchall`. For hot paths only; everything else goes through SQLAlchemy."""
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    return list(await driver.execute_fetchall(sql, parameters))


async def checkpoint_wal(engine: AsyncEngine) -> None:
    """Copy the write-ahead log into the database file and truncate it (after an erasure:
    with secure_delete the erased bytes are then gone from both files). SQLite files only;
    in a worker thread, on a connection of its own (a checkpoint writes with fsync and may
    wait for a reader to finish)."""
    path = sqlite_path(engine.url)
    if path is None:
        return

    def truncate() -> None:
        with contextlib.closing(sqlite3.connect(path, timeout=5)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    await asyncio.to_thread(truncate)
