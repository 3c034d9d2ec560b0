"""`python -m bot rotate-key`, run as a real command: everything encrypted under key A is
re-encrypted under a new key B, blind indexes are recomputed, and key A is retired —
with the key file and with BOT_DATA_KEY, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.keys import key_file_path, read_key_file, stored_cipher, write_key_file
from bot.rotate import encrypted_columns
from db.base import Base
from db.crypto import DataCipher, DecryptionError
from db.models import RepairCase
from db.repositories import privacy as repo
from tests.unit.test_privacy_repository import QUESTION, seed_every_table

REPO_ROOT = Path(__file__).resolve().parents[2]
G, U, M, OTHER = 910000000000000001, 412345678901234567, 512345678901234567, 612345678901234567


async def run_cli(tmp_path: Path, database_url: str, env_key: str | None) -> tuple[int, str, str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    if env_key is not None:
        env["BOT_DATA_KEY"] = env_key
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "rotate-key", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def absolute_key_path(tmp_path: Path, database_url: str) -> Path:
    path = key_file_path(database_url)
    return path if path.is_absolute() else tmp_path / path


async def all_encrypted_values(sessions: async_sessionmaker[AsyncSession]) -> list[bytes]:
    values: list[bytes] = []
    async with sessions() as session:
        for table_name, columns in encrypted_columns().items():
            table = Base.metadata.tables[table_name]
            for row in (await session.execute(select(*[table.c[c] for c in columns]))).all():
                values += [bytes(v) for v in row if v is not None]
    return values


async def check_rotated(sessions: async_sessionmaker[AsyncSession], old_key: str, new_key: str) -> None:
    engine = sessions.kw["bind"]
    # Blind indexes use the database's stored secret, which the rotation renewed under the new key.
    old, new = DataCipher([old_key]), await stored_cipher(engine, [new_key])
    values = await all_encrypted_values(sessions)
    assert len(values) >= 8  # questions, case texts, requesters, events, recording reasons
    for value in values:
        new.decrypt(value)
        with pytest.raises(DecryptionError):
            old.decrypt(value)
    async with sessions() as session:
        cases = (await session.execute(select(RepairCase).order_by(RepairCase.number))).scalars().all()
        for case in cases:
            assert case.requester_enc is not None
            requester = new.decrypt(case.requester_enc)
            assert case.requester_index == new.blind_index(case.guild_id, requester)
            assert case.requester_index != old.blind_index(case.guild_id, requester)
        # The features' own lookups work under the new key: the member still finds their cases.
        found = await repo.collect(session, new, U, G)
    assert sorted(c["number"] for c in found.cases_filed) == [1, 2]
    question = next(f for f in found.found if f.table == "onboarding_question")
    assert question.row["question"] == QUESTION


async def seed(sessions: async_sessionmaker[AsyncSession], key: str) -> None:
    async with sessions() as session, session.begin():
        await seed_every_table(session, DataCipher([key]), G, U, M, OTHER)


async def test_rotate_with_key_file(tmp_path: Path, database_url: str, engine: AsyncEngine,
                                    sessions: async_sessionmaker[AsyncSession]) -> None:
    key_a = DataCipher.generate_key().decode()
    key_path = absolute_key_path(tmp_path, database_url)
    write_key_file(key_path, [key_a])
    await seed(sessions, key_a)

    code, out, err = await run_cli(tmp_path, database_url, None)
    assert code == 0, err
    keys = read_key_file(key_path)
    assert len(keys) == 1 and keys[0] != key_a, "the key file must hold only the new key"
    assert key_a not in key_path.read_text()
    assert not key_path.with_name(key_path.name + ".new").exists()
    assert key_a not in out + err and keys[0] not in out + err  # the key file mode never prints keys
    assert "re-encrypted" in out and "1 old key(s) retired" in out
    await check_rotated(sessions, key_a, keys[0])


async def test_rotate_with_bot_data_key(tmp_path: Path, database_url: str, engine: AsyncEngine,
                                        sessions: async_sessionmaker[AsyncSession]) -> None:
    key_a = DataCipher.generate_key().decode()
    await seed(sessions, key_a)
    code, out, err = await run_cli(tmp_path, database_url, key_a)
    assert code == 0, err
    lines = out.splitlines()
    new_key = lines[lines.index(next(line for line in lines if line.startswith("new data key"))) + 1].strip()
    assert new_key != key_a and key_a not in out
    assert "Set BOT_DATA_KEY" in out
    assert not absolute_key_path(tmp_path, database_url).exists(), "no key file in BOT_DATA_KEY mode"
    await check_rotated(sessions, key_a, new_key)

    # Rotating again from the new key works too (B -> C).
    code, out2, err = await run_cli(tmp_path, database_url, new_key)
    assert code == 0, err
    lines = out2.splitlines()
    key_c = lines[lines.index(next(line for line in lines if line.startswith("new data key"))) + 1].strip()
    await check_rotated(sessions, new_key, key_c)


async def test_rotate_refuses_when_some_data_needs_a_missing_key(
        tmp_path: Path, database_url: str, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
    key_a, key_x = DataCipher.generate_key().decode(), DataCipher.generate_key().decode()
    await seed(sessions, key_a)
    before = await all_encrypted_values(sessions)
    code, _out, err = await run_cli(tmp_path, database_url, key_x)
    assert code == 2 and "nothing was changed" in err
    assert await all_encrypted_values(sessions) == before
