"""Shared fixtures for the repository tests: a migrated database on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.migrate import upgrade_to_head
from db.session import create_engine, create_session_factory
from tests.databases import BACKENDS, fresh_database_url


@pytest.fixture(params=BACKENDS)
async def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh, migrated database: SQLite, then PostgreSQL when configured."""
    async with fresh_database_url(request.param, tmp_path) as url:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        try:
            yield create_session_factory(engine)
        finally:
            await engine.dispose()
