"""`python -m bot db copy URL`: move from SQLite to PostgreSQL, every row, in one transaction.

The target must be empty: the copy creates the schema there with the migrations, copies each table
in foreign-key order through SQLAlchemy's types (so times, flags and JSON arrive as the same
values), and moves PostgreSQL's id counters past the copied rows. Encrypted values are copied as
they are: the same data key reads them afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Base
from db.schema_version import HEAD_REVISION, stored_revision
from db.session import create_engine

BATCH_ROWS = 1000


class CopyError(Exception):
    """A reason the copy did not start; nothing was written."""


@dataclass(frozen=True)
class CopyResult:
    tables: int
    rows: int


def _target_tables(connection: Connection) -> list[str]:
    return list(inspect(connection).get_table_names())


async def copy_database(source_url: str, target_url: str) -> CopyResult:
    if make_url(source_url).get_backend_name() != "sqlite":
        raise CopyError("db copy copies the SQLite database the config names; this config names another database")
    if make_url(target_url).get_backend_name() != "postgresql":
        raise CopyError("db copy copies into PostgreSQL: give a postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DBNAME "
                        "address")
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        if await stored_revision(source) != HEAD_REVISION:
            raise CopyError("the SQLite database is not at the newest schema: start the bot once, or run "
                            "python -m bot db upgrade, then copy")
        async with target.connect() as connection:
            existing = await connection.run_sync(_target_tables)
        if existing:
            raise CopyError(f"the PostgreSQL database is not empty (it has {len(existing)} table(s)): "
                            "copy into a new, empty database")
        from db.migrate import upgrade_to_head  # Alembic only for this command

        await upgrade_to_head(target)
        return await _copy_rows(source, target)
    finally:
        await source.dispose()
        await target.dispose()


async def _copy_rows(source: AsyncEngine, target: AsyncEngine) -> CopyResult:
    rows = 0
    async with source.connect() as reader, target.begin() as writer:
        for table in Base.metadata.sorted_tables:  # parents before children
            # Buffered, not streamed: the SQLite dialect has no server-side cursors (a bot's
            # tables are small; the writes still go in batches).
            result = await reader.execute(select(table))
            for batch in result.mappings().partitions(BATCH_ROWS):
                await writer.execute(insert(table), [dict(row) for row in batch])
                rows += len(batch)
            # Rows came with their ids: the next id PostgreSQL hands out must come after them.
            for column in table.primary_key.columns:
                if isinstance(column.type, Integer) and column.autoincrement in (True, "auto") \
                        and len(table.primary_key.columns) == 1:
                    top = (await writer.execute(select(func.max(column)))).scalar()
                    if top is not None:
                        await writer.execute(text("SELECT setval(pg_get_serial_sequence(:table, :column), :value)"),
                                             {"table": table.name, "column": column.name, "value": top})
    return CopyResult(len(Base.metadata.sorted_tables), rows)
