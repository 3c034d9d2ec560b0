"""Where the data-encryption key comes from, and the check that it can read the data.

`BOT_DATA_KEY` (comma-separated; the first key encrypts, all decrypt) wins. Without
it, a key file is created beside the SQLite database (or in ./data) on first start
with mode 0600, and the log says once where it is and that it must be backed up —
so the two-command quick start works without any secret to set up.

The database remembers its keys (table `key_check`): the fingerprints of the keys that
encrypted data, and a random secret, encrypted, behind every blind index. A start whose
keys cannot decrypt that secret stops with one line naming the missing key and where it
was expected, before anything is written; a new key is created only for a database
that holds no encrypted data yet. Because blind indexes use the stored secret, adding or
reordering keys ("new,old") leaves every index as it was.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import LargeBinary, insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.crypto import DataCipher, DecryptionError, fingerprint
from db.models import Base, KeyCheck, RepairCase
from db.session import sqlite_path

log = logging.getLogger(__name__)
KEY_FILE_NAME = "bot-data.key"
FOLDER_MODE = 0o700

# (model, blind-index column, encrypted column it is derived from as blind_index(guild_id, plaintext)).
BLIND_INDEXES: list[tuple[type[Any], str, str]] = [(RepairCase, "requester_index", "requester_enc")]


class KeyProblem(Exception):
    """The keys cannot read this database: `str(self)` is the one line to print; nothing was written."""


def encrypted_columns() -> dict[str, list[str]]:
    """Table name -> its encrypted columns (by convention named `*_enc`)."""
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.columns if c.name.endswith("_enc") and isinstance(c.type, LargeBinary)]
        if names:
            found[table.name] = names
    return found


def key_file_path(database_url: str, data_dir: str | Path = "data") -> Path:
    """Beside the SQLite file; in `data_dir` (the config's, see settings) for other databases."""
    db_file = sqlite_path(database_url)
    folder = db_file.parent if db_file is not None else Path(data_dir)
    return folder / KEY_FILE_NAME


def read_key_file(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def write_key_file(path: Path, keys: list[str]) -> None:
    """Write atomically, 0600 whatever the umask or a stale temporary file left behind."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True)
        os.chmod(path.parent, FOLDER_MODE)
    tmp = path.with_suffix(".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # a stale one would keep its own mode
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(keys) + "\n")
    os.replace(tmp, path)


def configured_keys(env_keys: str | None, database_url: str,
                    data_dir: str | Path = "data") -> tuple[list[str] | None, str]:
    """(the keys, where they come from); None when there is no key file and no BOT_DATA_KEY."""
    if env_keys:
        return [k.strip() for k in env_keys.split(",") if k.strip()], "BOT_DATA_KEY"
    path = key_file_path(database_url, data_dir)
    if path.exists():
        os.chmod(path, 0o600)
        return read_key_file(path), str(path.resolve())
    return None, str(path.resolve())


@dataclass
class Stored:
    fingerprints: list[str]
    secret_token: bytes | None  # key_check.index_secret_enc
    sample_token: bytes | None  # any encrypted value (a database from before key_check)

    @property
    def holds_data(self) -> bool:
        return self.secret_token is not None or self.sample_token is not None


def _read_stored(connection: Connection) -> Stored:
    tables = set(inspect(connection).get_table_names())
    if KeyCheck.__tablename__ in tables:
        row = connection.execute(select(KeyCheck.fingerprints, KeyCheck.index_secret_enc)).first()
        if row is not None:
            return Stored([f for f in row.fingerprints.split(",") if f], row.index_secret_enc, None)
    for table_name, columns in encrypted_columns().items():
        if table_name not in tables:
            continue
        present = {c["name"] for c in inspect(connection).get_columns(table_name)}
        table = Base.metadata.tables[table_name]
        for name in columns:
            if name in present:
                token = connection.execute(select(table.c[name]).where(table.c[name].is_not(None)).limit(1)).scalar()
                if token is not None:
                    return Stored([], None, token)
    return Stored([], None, None)


async def read_stored(engine: AsyncEngine) -> Stored:
    async with engine.connect() as connection:
        return await connection.run_sync(_read_stored)


def _problem(keys: list[str] | None, source: str, stored: Stored, database: str) -> str | None:
    if not stored.holds_data:
        return None
    missing = ", ".join(stored.fingerprints) or "the one it was created with"
    if keys is None:
        return (f"the key file {source} is missing, but the database {database} holds data encrypted with key "
                f"{missing}. Put the key file back from your backup (or set BOT_DATA_KEY to that key); "
                "nothing was changed.")
    token = stored.secret_token or stored.sample_token
    assert token is not None
    try:
        DataCipher(keys).decrypt(token)
    except (DecryptionError, ValueError):
        have = ", ".join(fingerprint(k) for k in keys)
        still = ", ".join(f for f in stored.fingerprints if f not in {fingerprint(k) for k in keys}) or missing
        return (f"the key(s) in {source} (fingerprint {have}) cannot read the database {database}: its data "
                f"was encrypted with key {still}. Add that key (newest first, comma-separated in BOT_DATA_KEY, "
                "one per line in the key file); nothing was changed.")
    return None


def database_name(database_url: str) -> str:
    path = sqlite_path(database_url)
    return str(path.resolve()) if path is not None else database_url.split("@")[-1]


async def verify_keys(engine: AsyncEngine, env_keys: str | None, database_url: str,
                      data_dir: str | Path = "data") -> None:
    """Raise KeyProblem when the configured keys cannot read the data already stored. Reads only."""
    keys, source = configured_keys(env_keys, database_url, data_dir)
    problem = _problem(keys, source, await read_stored(engine), database_name(database_url))
    if problem:
        raise KeyProblem(problem)


def new_index_secret() -> bytes:
    return os.urandom(32)


def encrypt_secret(cipher: DataCipher, secret: bytes) -> bytes:
    return cipher.encrypt(base64.b64encode(secret).decode())


async def open_cipher(engine: AsyncEngine, env_keys: str | None, database_url: str,
                      data_dir: str | Path = "data") -> DataCipher:
    """The cipher for a migrated database: checked against the stored key check (KeyProblem if it
    cannot read the data), a key created only for an empty database, the index secret loaded."""
    keys, source = configured_keys(env_keys, database_url, data_dir)
    stored = await read_stored(engine)
    problem = _problem(keys, source, stored, database_name(database_url))
    if problem:
        raise KeyProblem(problem)
    if keys is None:
        path = key_file_path(database_url, data_dir)
        keys = [DataCipher.generate_key().decode()]
        write_key_file(path, keys)
        log.warning(
            "created a new data-encryption key at %s (mode 0600). Back it up: without it, "
            "encrypted data (repair cases, onboarding questions) cannot be read. "
            "Or set BOT_DATA_KEY instead.",
            path.resolve(),
        )
    cipher = DataCipher(keys)
    if stored.secret_token is not None:
        secret = base64.b64decode(cipher.decrypt(stored.secret_token))
        primary = fingerprint(keys[0])
        if primary not in stored.fingerprints:  # a key was added: it encrypts from now on
            async with engine.begin() as connection:
                await connection.execute(update(KeyCheck).where(KeyCheck.id == 1).values(
                    fingerprints=",".join([primary, *stored.fingerprints])))
        return cipher.with_index_secret(secret)
    # First start with key checks: record them, and move blind indexes onto the stored secret.
    secret = new_index_secret()
    indexed = cipher.with_index_secret(secret)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: reindex(sync, cipher, indexed))
            await connection.execute(insert(KeyCheck).values(
                id=1, fingerprints=fingerprint(keys[0]), index_secret_enc=encrypt_secret(cipher, secret)))
    except IntegrityError:
        # Another process (a shard starting at the same moment) recorded the check first, and our
        # re-index rolled back with the insert: use what it recorded, checked like any later start.
        return await open_cipher(engine, env_keys, database_url, data_dir)
    return indexed


def reindex(connection: Connection, reader: DataCipher, indexed: DataCipher) -> int:
    """Recompute every blind index with `indexed` from the encrypted value it stands for."""
    changed = 0
    for model, index_name, source_name in BLIND_INDEXES:
        table = model.__table__
        rows = connection.execute(select(table.c.id, table.c.guild_id, table.c[source_name])).all()
        for row in rows:
            source = row._mapping[source_name]
            # No readable source means the link was erased: the fingerprint must go too.
            value = None if source is None else indexed.blind_index(row.guild_id, reader.decrypt(source))
            connection.execute(update(table).where(table.c.id == row.id).values({index_name: value}))
            changed += 1
    return changed


async def stored_cipher(engine: AsyncEngine, keys: list[str]) -> DataCipher:
    """`keys` with the database's stored index secret (no check, no writes: tests and tools)."""
    cipher = DataCipher(keys)
    stored = await read_stored(engine)
    if stored.secret_token is None:
        return cipher
    return cipher.with_index_secret(base64.b64decode(cipher.decrypt(stored.secret_token)))
