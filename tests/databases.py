"""Fresh, empty databases for tests: SQLite in a temp dir, or a new PostgreSQL database.

PostgreSQL tests run when BOT_TEST_POSTGRES_URL points at a server (CI starts one);
with BOT_TEST_REQUIRE_POSTGRES=1 a missing server fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

BACKENDS = ["sqlite", "postgres"]


def postgres_base_url() -> str | None:
    url = os.environ.get("BOT_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("BOT_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail("BOT_TEST_REQUIRE_POSTGRES=1 but BOT_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured (set BOT_TEST_POSTGRES_URL)")
    return url


@asynccontextmanager
async def fresh_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    import asyncpg

    base = make_url(postgres_base_url() or "")
    name = f"test_{uuid.uuid4().hex[:12]}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
