"""`sqlite+inline`: SQLite on the event loop's own thread, as a small SQLAlchemy dialect.

Why not aiosqlite's worker thread: every statement through SQLAlchemy's aiosqlite adapter is
3-4 hand-offs to the thread and back (cursor, execute, fetch, close), and each hand-off waits
for a turn of the event loop. Under a join wave the writer's transactions then stretch over
dozens of loop turns, and clicks queue behind them: measured side by side with the same load
(benchmarks/join_wave.py, 1,000 newcomers), the thread cost 2.05 x the baseline bot's CPU
against 1.74 inline, with 8 deadline misses against 0. SQLite's own work per statement is tens
of microseconds.

Inline calls must never wait, so:
- `busy_timeout` is 0: when another process holds the lock, SQLite answers "database is
  locked" at once instead of sleeping on the loop; `InlineConnection.retry` waits
  asynchronously (the loop runs on) and tries again until `WAIT_S`, then raises it
  (db/session.py turns that into `DatabaseBusy`);
- in WAL mode with synchronous=NORMAL only checkpoints write to the disk with fsync, so the
  automatic checkpoint is off and `Checkpointer` runs them in a worker thread on a connection
  of its own (PASSIVE: it never blocks the bot's reads or writes).

Built on SQLAlchemy's public extension points only: a dialect registered by name
(`sqlalchemy.dialects.registry`), the asyncio DBAPI protocol (`AsyncIODBAPIConnection`/
`AsyncIODBAPICursor`, implemented here by `InlineConnection`/`InlineCursor`) and the generic
adapters every asyncio dialect builds on (`sqlalchemy.connectors.asyncio`), which changed in
2.1: pyproject.toml pins SQLAlchemy to 2.1.x.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import pool
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection, AsyncAdapt_dbapi_cursor, AsyncAdapt_dbapi_module
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL

T = TypeVar("T")
WAIT_S = 0.5  # how long a statement waits, asynchronously, for another process's lock
CHECKPOINT_EVERY_S = 1.0


def is_locked(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error)


class Checkpointer:
    """Moves the write-ahead log into the database file from a worker thread, at most once a
    second while commits happen (the bot's connections never checkpoint themselves)."""

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


_checkpointers: dict[str, Checkpointer] = {}


class InlineCursor:
    """A sqlite3 cursor behind the asyncio cursor protocol; every call runs at once."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor = connection.sqlite.cursor()

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
        await self._connection.retry(lambda: self._cursor.execute(sql, () if parameters is None else parameters))
        return self

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(seq_of_parameters)
        await self._connection.retry(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *_: Any) -> None:
        return None


class InlineConnection:
    """A sqlite3 connection behind the asyncio connection protocol (plus the few aiosqlite-style
    calls db/session.py uses: execute, execute_fetchall, set_trace_callback)."""

    def __init__(self, connection: sqlite3.Connection, checkpointer: Checkpointer | None) -> None:
        self.sqlite = connection
        self._checkpointer = checkpointer
        connection.execute("PRAGMA busy_timeout=0")  # never sleep on the loop: see `retry`
        if checkpointer is not None:
            connection.execute("PRAGMA wal_autocheckpoint=0")

    async def retry(self, call: Callable[[], T]) -> T:
        """Run `call`; while another process holds the lock, try again without blocking the loop."""
        deadline = 0.0
        delay = 0.002
        while True:
            try:
                return call()
            except sqlite3.OperationalError as error:
                if not is_locked(error):
                    raise
                now = time.monotonic()
                deadline = deadline or now + WAIT_S
                if now >= deadline:
                    raise
                await asyncio.sleep(min(delay, deadline - now))
                delay = min(delay * 2, 0.05)

    @property
    def isolation_level(self) -> str | None:
        return self.sqlite.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self.sqlite.isolation_level = value

    def cursor(self, *_: Any, **__: Any) -> InlineCursor:
        return InlineCursor(self)

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        cursor = await self.execute(sql, parameters)
        try:
            return await cursor.fetchall()
        finally:
            await cursor.close()

    async def set_trace_callback(self, handler: Callable[[str], object] | None) -> None:
        self.sqlite.set_trace_callback(handler)

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.sqlite.create_function(*args, **kwargs)

    async def commit(self) -> None:
        await self.retry(self.sqlite.commit)
        if self._checkpointer is not None:
            self._checkpointer.after_commit()

    async def rollback(self) -> None:
        self.sqlite.rollback()

    async def close(self) -> None:
        self.sqlite.close()


class _Cursor(AsyncAdapt_dbapi_cursor):
    __slots__ = ()


class _Connection(AsyncAdapt_dbapi_connection):
    __slots__ = ()
    _cursor_cls = _Cursor

    @property
    def isolation_level(self) -> str | None:
        return self.driver_connection.isolation_level  # type: ignore[no-any-return]

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self.driver_connection.isolation_level = value

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.driver_connection.create_function(*args, **kwargs)


class _DBAPI(AsyncAdapt_dbapi_module):
    def __init__(self) -> None:
        super().__init__(sqlite3, dbapi_module=sqlite3)
        self.paramstyle = "qmark"
        for name in ("DatabaseError", "Error", "IntegrityError", "NotSupportedError", "OperationalError",
                     "ProgrammingError", "InterfaceError", "sqlite_version", "sqlite_version_info",
                     "PARSE_COLNAMES", "PARSE_DECLTYPES", "Binary"):
            setattr(self, name, getattr(sqlite3, name))

    def connect(self, database: str, *args: Any, **kwargs: Any) -> _Connection:
        # check_same_thread=False: SQLAlchemy may close a connection from its pool's finaliser;
        # every statement still runs on the event loop's thread.
        kwargs["check_same_thread"] = False
        connection = sqlite3.connect(database, *args, **kwargs)
        file_backed = database not in ("", ":memory:") and not database.startswith("file::memory:")
        checkpointer = _checkpointers.setdefault(database, Checkpointer(database)) if file_backed else None
        # InlineConnection implements the protocol's calls; it has no catch-all __getattr__.
        return _Connection(self, InlineConnection(connection, checkpointer))  # type: ignore[arg-type]


class SQLiteDialect_inline(SQLiteDialect_pysqlite):
    driver = "inline"
    supports_statement_cache = True
    is_async = True
    supports_server_side_cursors = False

    @classmethod
    def import_dbapi(cls) -> Any:
        return _DBAPI()

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        return pool.AsyncAdaptedQueuePool

    def get_driver_connection(self, connection: Any) -> Any:
        return connection.driver_connection


registry.register("sqlite.inline", __name__, "SQLiteDialect_inline")
