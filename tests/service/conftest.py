"""The service tier: each feature's service on a real, migrated database, with no Discord."""

from __future__ import annotations

import pytest

from bot.clock import Clock
from bot.content import Content, load_content
from db.crypto import DataCipher

# The same migrated database per backend as the repository tests (SQLite, then PostgreSQL when configured).
from tests.unit.conftest import sessions  # noqa: F401  (a fixture, used by name)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture
def cipher() -> DataCipher:
    return DataCipher([DataCipher.generate_key()])
