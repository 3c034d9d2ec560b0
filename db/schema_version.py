"""A cheap schema-version check that does not import Alembic.

The long-running bot process stays lean: it compares the database's
`alembic_version` with `HEAD_REVISION` and only migrates when they differ
(`python -m bot` does that in a short-lived child process).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

# Must equal the newest file in db/migrations/versions (a test checks it).
HEAD_REVISION = "0016"


async def stored_revision(engine: AsyncEngine) -> str | None:
    """The database's current revision, or None for an empty database."""
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
            row = result.first()
    except DBAPIError:
        return None  # no alembic_version table yet
    return None if row is None else str(row[0])


async def is_current(engine: AsyncEngine) -> bool:
    return await stored_revision(engine) == HEAD_REVISION
