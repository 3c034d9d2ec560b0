"""SQLite on the event loop's thread (db/inline_sqlite.py): no worker threads, one pooled
connection, and checkpoints moved off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from db import inline_sqlite
from db.session import create_engine


async def test_statements_run_without_worker_threads_on_one_connection(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inline_sqlite, "CHECKPOINT_EVERY_S", 1e9)  # no checkpoint thread in this test
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    threads = threading.active_count()
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (n INTEGER)"))

        async def insert(n: int) -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                await asyncio.sleep(0)  # another transaction queues on the pool meanwhile

        await asyncio.gather(*(insert(n) for n in range(40)))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 40
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one() == 0
        assert engine.pool.size() == 1
        assert threading.active_count() == threads, "aiosqlite would start a thread per connection"
    finally:
        await engine.dispose()


async def test_checkpoints_run_in_a_worker_thread_after_commits(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inline_sqlite, "CHECKPOINT_EVERY_S", 0.0)
    path = tmp_path / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (n INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as conn:
            checkpointer = (await conn.get_raw_connection()).driver_connection._checkpointer
        assert checkpointer._running is not None
        await checkpointer._running
        assert checkpointer.checkpoints >= 1
    finally:
        await engine.dispose()
    # Every frame of the log is already in the database file.
    with sqlite3.connect(path) as reader:
        busy, frames, done = reader.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and frames == done
        assert reader.execute("SELECT n FROM t").fetchall() == [(1,)]
