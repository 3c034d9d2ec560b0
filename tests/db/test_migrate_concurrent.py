"""Shard processes starting together against one empty PostgreSQL database all migrate cleanly.

Without the advisory lock in ``db.migrate.upgrade_to_head`` two ``python -m bot db upgrade`` run at
the same moment both issue ``CREATE TABLE alembic_version`` and one dies with a unique violation
(reproduced 3 of 3 times before the fix).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from db.migrate import MIGRATION_LOCK_KEY, current_revision, head_revision
from db.session import create_engine
from tests.databases import fresh_database_url

REPO_ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


async def _upgrade(config: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "db", "upgrade", env=_env(), cwd=config.parent,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_three_processes_migrating_one_empty_database_at_once_all_succeed(tmp_path: Path) -> None:
    async with fresh_database_url("postgres", tmp_path) as url:
        config = tmp_path / "config.toml"
        config.write_text(f'[database]\nurl = "{url}"\n')
        procs = [await _upgrade(config) for _ in range(3)]
        results = [await p.communicate() for p in procs]
        for p, (_, err) in zip(procs, results, strict=True):
            assert p.returncode == 0, err.decode(errors="replace")[-2000:]
        engine = create_engine(url)
        try:
            assert await current_revision(engine) == head_revision()
        finally:
            await engine.dispose()


async def test_a_second_migrator_waits_for_the_lock_then_finds_nothing_to_do(tmp_path: Path) -> None:
    """Deterministic: while someone holds the migration lock, `db upgrade` waits on it (seen in
    pg_locks), and completes once the lock is released."""
    async with fresh_database_url("postgres", tmp_path) as url:
        config = tmp_path / "config.toml"
        config.write_text(f'[database]\nurl = "{url}"\n')
        holder = await asyncpg.connect(_dsn(url))
        try:
            await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            proc = await _upgrade(config)
            waiting = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                       "(SELECT oid FROM pg_database WHERE datname = current_database())")
            for _ in range(1500):  # up to 30 s (python start-up + Alembic import)
                if await holder.fetchval(waiting) or proc.returncode is not None:
                    break
                await asyncio.sleep(0.02)
            assert proc.returncode is None, "db upgrade finished while another process held the lock"
            assert await holder.fetchval(waiting) == 1, "db upgrade never waited on the migration lock"
            assert await holder.fetchval("SELECT to_regclass('alembic_version') IS NULL"), "migrated under the lock"
            await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
            _, err = await asyncio.wait_for(proc.communicate(), 60)
            assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
        finally:
            await holder.close()
        engine = create_engine(url)
        try:
            assert await current_revision(engine) == head_revision()
        finally:
            await engine.dispose()
