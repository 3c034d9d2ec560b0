"""One bot per database: a second copy started by mistake refuses to start.

- SQLite: an exclusive `flock` on `<database>.lock` beside the file, held for the life of
  the process (the kernel drops it when the process ends, even after kill -9).
- PostgreSQL: session-level advisory locks on a connection held open: exclusive per shard
  (two processes may run different shards), and a shared "a bot runs" lock.

CLI commands that write (`rotate-key`, `db upgrade`) take the same locks and refuse while a
bot runs: a running bot would keep encrypting with the key `rotate-key` retires. The bot's
own migration child inherits its parent's lock (`LOCK_FD_ENV`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.session import is_sqlite, sqlite_path

LOCK_FD_ENV = "COALITION_BOT_LOCK_FD"
# pg_try_advisory_lock(class, id): this bot's class, and id -1 for "a bot runs" (shard ids are >= 0).
PG_LOCK_CLASS = 0x636F616C  # "coal"
PG_ANY_BOT = -1
# Writing CLI commands queue behind each other on this one (three `db upgrade` at once all succeed, in
# turn); only a running bot, holding PG_ANY_BOT shared, makes them refuse.
PG_COMMANDS = -2


class AlreadyRunning(Exception):
    """Another process holds the lock: `str(self)` is the one line to print."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class FileLock:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the last descriptor drops the flock
            self.fd = -1


def _holder(path: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        pid = int(path.read_text().strip())
        return f" (process {pid})"
    return ""


def lock_sqlite(database_url: str, running: str) -> FileLock | None:
    """Take the database's lock, or raise AlreadyRunning with `running` (formatted with
    {database} and {holder}). None for databases that are not SQLite files."""
    database = sqlite_path(database_url)
    if database is None:
        return None
    path = lock_path(database)
    inherited = os.environ.get(LOCK_FD_ENV)
    if inherited:
        with contextlib.suppress(ValueError, OSError):
            fd = int(inherited)
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ours already: same open file
                return FileLock(fd)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyRunning(running.format(database=database.resolve(), holder=_holder(path))) from None
    os.fchmod(fd, 0o600)
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return FileLock(fd)


async def lock_postgres(engine: AsyncEngine, shard_id: int | None, running: str, *,
                        exclusive: bool) -> AsyncConnection | None:
    """Hold the advisory locks on a connection kept open (close it to release them).
    exclusive=True (CLI commands): no bot of any shard may run. None for SQLite."""
    if is_sqlite(engine.url):
        return None
    connection = await engine.connect()
    try:
        if exclusive:
            await connection.execute(text("SELECT pg_advisory_lock(:c, :i)"),
                                     {"c": PG_LOCK_CLASS, "i": PG_COMMANDS})
            ok = (await connection.execute(text("SELECT pg_try_advisory_lock(:c, :i)"),
                                           {"c": PG_LOCK_CLASS, "i": PG_ANY_BOT})).scalar()
        else:
            ok = (await connection.execute(text("SELECT pg_try_advisory_lock(:c, :i)"),
                                           {"c": PG_LOCK_CLASS, "i": shard_id or 0})).scalar()
            if ok:
                ok = (await connection.execute(text("SELECT pg_try_advisory_lock_shared(:c, :i)"),
                                               {"c": PG_LOCK_CLASS, "i": PG_ANY_BOT})).scalar()
        await connection.commit()  # session-level locks outlive the transaction
    except BaseException:
        await connection.close()
        raise
    if not ok:
        await connection.close()
        where = engine.url.render_as_string(hide_password=True).split("@")[-1]
        raise AlreadyRunning(running.format(database=where, holder=""))
    return connection


BOT_RUNNING = ("another copy of the bot is already running on the database {database}{holder}. Stop it first, "
               "or give this copy its own database: two copies would both answer every click.")
SHARD_RUNNING = ("another copy of the bot is already running this shard on the database {database}. Stop it "
                 "first: two copies would both answer every click.")
COMMAND_REFUSED = ("the bot is running on the database {database}{holder}. Stop it first, then run this command "
                   "again (a running bot would go on using the old key or schema).")
