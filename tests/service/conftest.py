"""The service tier: each feature's service on a real, migrated database, with no Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content, load_content
from db.crypto import DataCipher
from db.migrate import upgrade_to_head
from db.session import create_engine, create_session_factory
from tests.databases import BACKENDS, fresh_database_url


@pytest.fixture(params=BACKENDS)
async def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with fresh_database_url(request.param, tmp_path) as url:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        try:
            yield create_session_factory(engine)
        finally:
            await engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture
def cipher() -> DataCipher:
    return DataCipher([DataCipher.generate_key()])
