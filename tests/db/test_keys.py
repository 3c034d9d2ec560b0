"""The database remembers its keys (bot/keys.py): a blind index survives adding or reordering
keys ("new,old", as the README suggests), a database from before the key check is re-indexed
once, and keys that cannot read the data are refused before anything is written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.keys import KeyProblem, key_file_path, open_cipher, verify_keys
from db.crypto import DataCipher, fingerprint
from db.models import KeyCheck, RepairCase
from db.repositories import privacy as privacy_repo
from db.repositories import repair as repair_repo

G, U = 910000000000000001, 412345678901234567


async def file_case(sessions: async_sessionmaker[AsyncSession], cipher: DataCipher) -> None:
    async with sessions() as session, session.begin():
        await repair_repo.create_case(
            session, guild_id=G, anonymous=True, requester_enc=cipher.encrypt(str(U)),
            requester_index=cipher.blind_index(G, str(U)), what_happened_enc=cipher.encrypt("what"),
            who_involved_enc=None, what_would_help_enc=None, content_warning_enc=None,
            excluded_moderator_ids=[], at=datetime(2026, 12, 1, tzinfo=UTC))


async def test_a_new_key_in_front_keeps_limits_my_cases_and_erasure(
        engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], database_url: str) -> None:
    old, new = DataCipher.generate_key().decode(), DataCipher.generate_key().decode()
    first = await open_cipher(engine, old, database_url)
    await file_case(sessions, first)

    second = await open_cipher(engine, f"{new},{old}", database_url)  # the README's way to add a key
    assert second.blind_index(G, str(U)) == first.blind_index(G, str(U))
    async with sessions() as session:
        assert await repair_repo.count_open(session, G, second.blind_index(G, str(U))) == 1  # limits
        assert len(await privacy_repo.cases_filed_by(session, second, U, G)) == 1  # "my cases", erasure
        stored = (await session.execute(select(KeyCheck))).scalar_one()
    assert stored.fingerprints.split(",") == [fingerprint(new), fingerprint(old)]
    # Reordered: the same index again.
    third = await open_cipher(engine, f"{old},{new}", database_url)
    assert third.blind_index(G, str(U)) == first.blind_index(G, str(U))
    async with sessions() as session, session.begin():
        result = await privacy_repo.erase(session, third, U, G)
    assert result.cases_unlinked == 1


async def test_a_database_from_before_the_key_check_is_reindexed_once(
        engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], database_url: str) -> None:
    key = DataCipher.generate_key().decode()
    await file_case(sessions, DataCipher([key]))  # indexed the old way, from the key itself
    cipher = await open_cipher(engine, key, database_url)
    async with sessions() as session:
        case = (await session.execute(select(RepairCase))).scalar_one()
        assert case.requester_index == cipher.blind_index(G, str(U)) != DataCipher([key]).blind_index(G, str(U))
        assert len(await privacy_repo.cases_filed_by(session, cipher, U, G)) == 1


async def test_keys_that_cannot_read_the_data_are_refused_and_nothing_is_written(
        engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], database_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    key, other = DataCipher.generate_key().decode(), DataCipher.generate_key().decode()
    await file_case(sessions, DataCipher([key]))  # an older database: only encrypted data, no key check
    with pytest.raises(KeyProblem, match="cannot read the database"):
        await verify_keys(engine, other, database_url)
    with pytest.raises(KeyProblem, match="is missing"):
        await open_cipher(engine, None, database_url)
    assert not await asyncio.to_thread(Path(key_file_path(database_url)).exists)
    async with sessions() as session:
        assert (await session.execute(select(KeyCheck))).first() is None
    await open_cipher(engine, key, database_url)
    with pytest.raises(KeyProblem, match=fingerprint(key)):
        await open_cipher(engine, other, database_url)
