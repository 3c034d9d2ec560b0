"""Alembic environment (async template, batch mode for SQLite).

The bot runs migrations in-process at start-up by handing its own connection in
`config.attributes["connection"]`; the `alembic` CLI path builds an engine from
the configured URL.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from db.models import Base
from db.session import create_engine

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def _include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # Used only when generating migrations feature by feature (see README, "Migrations").
    only = os.environ.get("ALEMBIC_ONLY_TABLES")
    if only and type_ == "table":
        return name in only.split(",")
    return True


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("BOT_DATABASE__URL", "")
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `python -m bot db upgrade`")
run_migrations_online()
