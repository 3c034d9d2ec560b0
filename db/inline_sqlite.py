"""SQLite driven on the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite runs every call (cursor, execute, fetch, close, commit...) on a worker thread:
3-4 thread hand-offs per statement, each costing a queue put, a loop wake-up and a future.
For the bot's small indexed statements that hand-off costs far more than SQLite's own
work (tens of microseconds), and in a join wave it was most of the database CPU. These
classes give SQLAlchemy the same awaitable interface but run each call at once.

The catch is blocking: a call that waited would stall the event loop. So:
- `db.session` gives an inline engine ONE connection: transactions queue on SQLAlchemy's
  pool (asynchronously), never on the file lock, and only another process (a CLI command,
  a test reading the file) can make a call wait, for that process's short transaction;
- commits never wait for the disk: in WAL mode with synchronous=NORMAL only checkpoints
  sync, and SQLite's automatic checkpoint (run by whichever commit crosses 1000 pages) is
  turned off; a worker thread checkpoints instead, on its own connection, after commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any


class InlineCursor:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._cursor = connection.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """Stands in for aiosqlite's queue to its thread (SQLAlchemy sets isolation_level through it)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as error:
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


CHECKPOINT_EVERY_S = 1.0


class Checkpointer:
    """Moves the write-ahead log into the database file from a worker thread (PASSIVE: it
    never blocks the bot's reads or writes), at most once a second while commits happen."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._running: asyncio.Future[None] | None = None
        self._last = time.monotonic()
        self.checkpoints = 0

    def after_commit(self) -> None:
        now = time.monotonic()
        if now - self._last < CHECKPOINT_EVERY_S or (self._running is not None and not self._running.done()):
            return
        self._last = now
        self._running = asyncio.get_running_loop().run_in_executor(None, self._checkpoint)

    def _checkpoint(self) -> None:
        with contextlib.closing(sqlite3.connect(self._database, timeout=10)) as connection:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self.checkpoints += 1


class InlineConnection:
    """The parts of `aiosqlite.Connection` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection, checkpointer: Checkpointer) -> None:
        # aiosqlite's three names, each read by SQLAlchemy's dialect: `_conn` the sqlite3 connection,
        # `_connection` the same until closed (None after), `_tx` the queue to its thread.
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow()
        self._checkpointer = checkpointer
        connection.execute("PRAGMA wal_autocheckpoint=0")

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self._conn.isolation_level = value

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        self._conn.commit()
        self._checkpointer.after_commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def creator(database: str) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine` opening `database` inline."""

    checkpointer = Checkpointer(database)

    async def connect() -> InlineConnection:
        # check_same_thread=False: SQLAlchemy may close a connection from its pool's
        # finaliser; every statement still runs on the event loop's thread.
        return InlineConnection(sqlite3.connect(database, check_same_thread=False), checkpointer)

    return connect
