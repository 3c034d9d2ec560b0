"""Backups as an operator takes them (docs/running.md): while the bot runs, restored into a working bot,
and taken by the bot itself before a migration changes the SQLite schema."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.keys import KEY_FILE_NAME, read_key_file
from bot.rotate import encrypted_columns
from db.crypto import DataCipher
from db.migrate import alembic_config, head_revision
from db.session import create_engine
from tests.conftest import GuildBuilder
from tests.databases import fresh_database_url
from tests.emulator import Emulator

from .conftest import REPO_ROOT, BotProcess, write_config
from .test_repair_e2e import file_request


async def cli(*args: str, cwd: Path) -> tuple[int, str, str]:
    """`python -m bot ...` without blocking the loop the emulator serves on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_") and k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def decrypt_everything(db_file: Path, key_file: Path) -> int:
    """Every encrypted value in the database, decrypted with the key file; returns how many."""
    cipher = DataCipher(read_key_file(key_file))
    count = 0
    connection = sqlite3.connect(db_file)
    try:
        for table, columns in encrypted_columns().items():
            for row in connection.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                for value in row:
                    if value is not None:
                        cipher.decrypt(value)
                        count += 1
    finally:
        connection.close()
    return count


# Several requests in a row from one member.
NO_LIMITS = {"repair": {"cooldown_minutes": 0, "max_open_per_member": 10}}


def case_count(db_file: Path) -> int:
    connection = sqlite3.connect(db_file)
    try:
        return int(connection.execute("SELECT count(*) FROM repair_case").fetchone()[0])
    finally:
        connection.close()


async def test_backup_while_running_restores_to_a_working_bot(emulator: Emulator, build_guild: GuildBuilder,
                                                              tmp_path: Path) -> None:
    sg = build_guild()
    live, restored, backups = tmp_path / "live", tmp_path / "restored", tmp_path / "backups"
    live.mkdir()
    restored.mkdir()
    alex = emulator.create_user("Alex Member")
    await alex.join(sg.guild)

    bot = BotProcess(sg, live, write_config(live, emulator, NO_LIMITS))
    await bot.start()
    try:
        await file_request(alex, sg.guild, what="Backed up, named")
        await file_request(alex, None, anonymous=True, what="Backed up, anonymous")
        # Taken while the bot runs and writes.
        code, out, err = await cli("--config", str(bot.config), "backup", str(backups / "tonight"), cwd=tmp_path)
        assert code == 0, err
        assert f"backed up: {backups / 'tonight' / 'bot.db'}" in out and KEY_FILE_NAME in out
        await file_request(alex, sg.guild, what="After the backup")
    finally:
        assert await bot.stop() == 0
    assert case_count(live / "bot.db") == 3

    # Restore as docs/running.md says: the two files into the data folder of a stopped bot.
    shutil.copy(backups / "tonight" / "bot.db", restored / "bot.db")
    shutil.copy(backups / "tonight" / KEY_FILE_NAME, restored / KEY_FILE_NAME)
    assert oct((backups / "tonight" / KEY_FILE_NAME).stat().st_mode & 0o777) == "0o600"
    assert case_count(restored / "bot.db") == 2, "the backup is the moment it was taken"
    assert decrypt_everything(restored / "bot.db", restored / KEY_FILE_NAME) >= 6

    again = BotProcess(sg, restored, write_config(restored, emulator, NO_LIMITS))
    await again.start()
    try:
        assert "created a new data-encryption key" not in again.stderr
        receipt = await file_request(alex, sg.guild, what="After the restore")
        assert "case #3" in receipt.text, "numbering goes on from the restored cases"
    finally:
        assert await again.stop() == 0
    assert decrypt_everything(restored / "bot.db", restored / KEY_FILE_NAME) >= 8
    assert "Traceback" not in bot.stderr + again.stderr


async def test_an_upgrade_backs_up_the_old_database_first(emulator: Emulator, build_guild: GuildBuilder,
                                                          tmp_path: Path) -> None:
    sg = build_guild()
    db_file = tmp_path / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{db_file}")
    config = alembic_config()

    def older_schema(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")

    try:
        async with engine.begin() as connection:
            await connection.run_sync(older_schema)
            await connection.execute(text("INSERT INTO guild_state (guild_id, first_seen_at, last_seen_at) "
                                          "VALUES (42, '2025-01-01 00:00:00', '2025-01-01 00:00:00')"))
    finally:
        await engine.dispose()

    bot = BotProcess(sg, tmp_path, write_config(tmp_path, emulator))
    await bot.start()  # the start migrates to the newest schema
    try:
        (backup,) = (tmp_path / "data" / "backups").iterdir()
        assert backup.name.startswith("before-migration-from-0005-")
        assert "backed up the database before migrating it from schema 0005" in bot.stderr
    finally:
        assert await bot.stop() == 0
    old = sqlite3.connect(backup / "bot.db")
    try:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0005",)
        assert old.execute("SELECT guild_id FROM guild_state").fetchall() == [(42,)]
    finally:
        old.close()
    live = sqlite3.connect(db_file)
    try:
        assert live.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
    finally:
        live.close()


async def decrypt_everything_in(url: str, key_file: Path) -> int:
    cipher = DataCipher(read_key_file(key_file))
    engine = create_engine(url)
    count = 0
    try:
        async with engine.connect() as connection:
            for table, columns in encrypted_columns().items():
                for row in await connection.execute(text(f"SELECT {', '.join(columns)} FROM {table}")):
                    for value in row:
                        if value is not None:
                            cipher.decrypt(bytes(value))
                            count += 1
    finally:
        await engine.dispose()
    return count


async def test_db_copy_moves_a_running_community_to_postgresql(emulator: Emulator, build_guild: GuildBuilder,
                                                               tmp_path: Path) -> None:
    """docs/running.md, "Move from SQLite to PostgreSQL", step by step."""
    sg = build_guild()
    live, moved = tmp_path / "live", tmp_path / "moved"
    live.mkdir()
    moved.mkdir()
    alex = emulator.create_user("Alex Member")
    await alex.join(sg.guild)
    bot = BotProcess(sg, live, write_config(live, emulator, NO_LIMITS))
    await bot.start()
    try:
        await file_request(alex, sg.guild, what="Filed on SQLite, named")
        await file_request(alex, None, anonymous=True, what="Filed on SQLite, anonymous")
    finally:
        assert await bot.stop() == 0

    async with fresh_database_url("postgres", moved) as pg_url:
        plain = pg_url.replace("postgresql+asyncpg://", "postgresql://")  # as people copy it from elsewhere
        code, out, err = await cli("--config", str(bot.config), "db", "copy", plain, cwd=tmp_path)
        assert code == 0, err
        assert "copied" in out and "row(s)" in out
        code, _, err = await cli("--config", str(bot.config), "db", "copy", plain, cwd=tmp_path)
        assert code == 2 and "not empty" in err, "a second copy must not write into the copied database"

        (moved / "data").mkdir()
        shutil.copy(live / KEY_FILE_NAME, moved / "data" / KEY_FILE_NAME)
        again = BotProcess(sg, moved, write_config(moved, emulator, NO_LIMITS, database_url=pg_url))
        await again.start()
        try:
            assert "created a new data-encryption key" not in again.stderr
            receipt = await file_request(alex, sg.guild, what="Filed on PostgreSQL")
            assert "case #3" in receipt.text, "numbering (and PostgreSQL's id counters) go on after the copy"
        finally:
            assert await again.stop() == 0
        assert "Traceback" not in again.stderr
        assert await decrypt_everything_in(pg_url, moved / "data" / KEY_FILE_NAME) >= 9
