"""Backups: a consistent copy of the SQLite database, taken while the bot runs, plus the key file.

`python -m bot backup [DEST]` writes DEST/bot.db (SQLite's online backup API: a snapshot of one
moment even while the bot writes) and DEST/bot-data.key. Before a migration changes an SQLite
schema, the bot takes the same backup into `<data_dir>/backups/`. Restoring is copying the two
files back while the bot is stopped (docs/running.md). PostgreSQL is backed up with `pg_dump`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.keys import KEY_FILE_NAME, key_file_path
from bot.settings import Settings
from db.session import sqlite_path

log = logging.getLogger(__name__)
DATABASE_FILE_NAME = "bot.db"

PG_DUMP_HINT = (
    "This database is PostgreSQL: back it up with pg_dump, e.g. "
    "pg_dump --format=custom --file=bot.dump DBNAME (see docs/running.md)."
)
ENV_KEY_NOT_COPIED = (
    "The data key comes from BOT_DATA_KEY, so it is not in this backup: keep a copy of it "
    "with the backup, or the encrypted data in it cannot be read."
)


@dataclass(frozen=True)
class Backup:
    folder: Path
    database: Path | None  # None for PostgreSQL (use pg_dump)
    key_file: Path | None  # None when the key comes from BOT_DATA_KEY


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def default_folder(settings: Settings, label: str) -> Path:
    return Path(settings.data_dir) / "backups" / f"{label}-{timestamp()}"


def copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: pages copied under a read transaction, so the copy is one consistent moment."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # A single file, whatever journal mode the live database uses.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    os.chmod(partial, 0o600)
    os.replace(partial, target)


def _take(settings: Settings, folder: Path) -> Backup:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    db_file = sqlite_path(settings.database.url)
    database = None
    if db_file is not None:
        database = folder / DATABASE_FILE_NAME
        copy_sqlite(db_file, database)
    key_file = None
    source_key = key_file_path(settings.database.url, settings.data_dir)
    if source_key.is_file():
        key_file = folder / KEY_FILE_NAME
        shutil.copyfile(source_key, key_file)
        os.chmod(key_file, 0o600)
    return Backup(folder, database, key_file)


async def take_backup(settings: Settings, folder: Path) -> Backup:
    """Runs in a worker thread: the copy reads the whole file."""
    return await asyncio.to_thread(_take, settings, folder)


def stored_revision(db_file: Path) -> str | None:
    """The schema revision of an SQLite file, read without Alembic and without writing (None when it has none yet).

    Without a write-ahead log beside it (the bot stopped cleanly) the file alone is the whole database
    and is opened immutable: even a read-only open would create the -wal and -shm files.
    """
    wal = db_file.with_name(db_file.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    connection = sqlite3.connect(f"{db_file.resolve().as_uri()}?{mode}", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    return None if row is None else str(row[0])


async def backup_before_migration(settings: Settings, head: str | None) -> Backup | None:
    """A backup of an SQLite database that holds data at an older schema; None when there is nothing to keep."""
    db_file = sqlite_path(settings.database.url)
    if db_file is None or not await asyncio.to_thread(db_file.is_file):
        return None
    revision = await asyncio.to_thread(stored_revision, db_file)
    if revision is None or revision == head:
        return None
    backup = await take_backup(settings, default_folder(settings, f"before-migration-from-{revision}"))
    log.info("backed up the database before migrating it from schema %s to %s: %s", revision, head, backup.folder)
    return backup
