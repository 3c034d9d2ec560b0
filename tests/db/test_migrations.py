"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.migrate import current_revision, head_revision, upgrade_to_head
from db.models import AuditEntry, Base, OnboardingProgress
from db.session import create_engine


async def test_upgrade_creates_every_table(engine: AsyncEngine) -> None:
    def tables(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with engine.connect() as connection:
        found = await connection.run_sync(tables)
    assert set(Base.metadata.tables) <= found
    assert await current_revision(engine) == head_revision()


async def test_migrations_match_models(engine: AsyncEngine) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == [], f"models and migrations differ: {differences}"


async def test_upgrade_is_idempotent(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    assert await current_revision(engine) == head_revision()


async def test_datetimes_round_trip_as_utc(sessions: async_sessionmaker[AsyncSession]) -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with sessions() as session, session.begin():
        session.add(AuditEntry(guild_id=1, actor_id=2, action="test", created_at=moment))
    async with sessions() as session:
        entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert entry.created_at == moment
    assert entry.created_at.tzinfo is not None


async def test_concurrent_writers_do_not_hit_database_locked(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Read-then-write transactions from many tasks at once (the deferred-upgrade trap)."""

    async def writer(user_id: int) -> None:
        async with sessions() as session, session.begin():
            await session.execute(select(OnboardingProgress).where(OnboardingProgress.guild_id == 1))
            session.add(OnboardingProgress(guild_id=1, user_id=user_id, content_version="v"))

    await asyncio.gather(*(writer(i) for i in range(40)))
    async with sessions() as session:
        count = (await session.execute(text("SELECT count(*) FROM onboarding_progress"))).scalar_one()
    assert count == 40


async def test_sqlite_file_and_directory_are_created(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'dir' / 'bot.db'}"
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        async with engine.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
            fks = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
    finally:
        await engine.dispose()
    assert (tmp_path / "nested" / "dir" / "bot.db").is_file()
    assert mode == "wal"
    assert fks == 1


def test_every_guild_table_has_guild_id() -> None:
    for table in Base.metadata.sorted_tables:
        if table.name == "key_check":  # the database's own key record: no server's data
            continue
        if table.name == "person_language":  # a person's language is theirs in every server and in DMs
            continue
        assert "guild_id" in table.columns, f"{table.name} has no guild_id"


def test_head_revision_constant_matches_alembic() -> None:
    from db.schema_version import HEAD_REVISION

    assert head_revision() == HEAD_REVISION


async def test_stored_revision_tracks_upgrades(tmp_path) -> None:
    from db.schema_version import is_current, stored_revision

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'v.db'}")
    try:
        assert await stored_revision(engine) is None
        assert not await is_current(engine)
        await upgrade_to_head(engine)
        assert await is_current(engine)
    finally:
        await engine.dispose()
