"""`python -m bot rotate-key`: re-encrypt every encrypted column under a new key.

All `*_enc` columns are rotated in ONE transaction, together with the blind indexes
derived from the key, so a failure leaves the old key and data untouched. With a
key file the file is replaced only after the commit; with BOT_DATA_KEY the new key
is printed once for the operator to put in BOT_DATA_KEY.
"""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import LargeBinary, select, update

from bot.keys import key_file_path, load_cipher, read_key_file, write_key_file
from bot.settings import Settings
from db.crypto import DataCipher, DecryptionError
from db.models import Base, RepairCase
from db.session import create_engine, create_session_factory

# (model, blind-index column, encrypted column it is derived from as blind_index(guild_id, plaintext)).
BLIND_INDEXES: list[tuple[type[Any], str, str]] = [(RepairCase, "requester_index", "requester_enc")]


def encrypted_columns() -> dict[str, list[str]]:
    """Table name -> its encrypted columns (by convention named `*_enc`)."""
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.columns if c.name.endswith("_enc") and isinstance(c.type, LargeBinary)]
        if names:
            found[table.name] = names
    return found


async def rotate_all(settings: Settings, old: DataCipher, new_key: bytes) -> int:
    """Re-encrypt everything; returns the number of values rotated."""
    both = DataCipher([new_key, *old.keys])
    fresh = DataCipher([new_key])
    engine = create_engine(settings.database.url)
    rotated = 0
    try:
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            for table_name, columns in encrypted_columns().items():
                table = Base.metadata.tables[table_name]
                key_columns = list(table.primary_key.columns)
                rows = (await session.execute(select(*key_columns, *[table.c[n] for n in columns]))).all()
                for row in rows:
                    values = {n: row._mapping[n] for n in columns if row._mapping[n] is not None}
                    if not values:
                        continue
                    new_values = {n: both.rotate(v) for n, v in values.items()}
                    condition = [c == row._mapping[c.name] for c in key_columns]
                    await session.execute(update(table).where(*condition).values(**new_values))
                    rotated += len(new_values)
            # Blind indexes are keyed by the primary key: recompute them under the new one.
            for model, index_name, source_name in BLIND_INDEXES:
                table = model.__table__
                rows = (await session.execute(select(table.c.id, table.c.guild_id, table.c[source_name]))).all()
                for row in rows:
                    source = row._mapping[source_name]
                    # No readable source means the link was erased: the fingerprint must go too.
                    value = None if source is None else fresh.blind_index(row.guild_id, fresh.decrypt(source))
                    await session.execute(update(table).where(table.c.id == row.id).values({index_name: value}))
    finally:
        await engine.dispose()
    return rotated


async def rotate_key(settings: Settings, env_keys: str | None) -> int:
    """Stop the bot first: a running bot keeps encrypting with the key it started with."""
    old = load_cipher(env_keys, settings.database.url, settings.data_dir)
    new_key = DataCipher.generate_key()
    if env_keys:
        # Shown before the commit, so a crash after it can never lose the only key.
        print("new data key (keep it safe; once this finishes only this key can read the data):")
        print(new_key.decode())
        try:
            count = await rotate_all(settings, old, new_key)
        except DecryptionError:
            print(ROTATE_FAILED, file=sys.stderr)
            return 2
        print(f"re-encrypted {count} value(s). Set BOT_DATA_KEY to the new key above before the next start.")
        return 0
    path = key_file_path(settings.database.url, settings.data_dir)
    pending = path.with_name(path.name + ".new")
    write_key_file(pending, [new_key.decode()])  # survives a crash between the commit and the swap
    try:
        count = await rotate_all(settings, old, new_key)
    except DecryptionError:
        pending.unlink(missing_ok=True)
        print(ROTATE_FAILED, file=sys.stderr)
        return 2
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    previous = read_key_file(path) if path.exists() else []
    write_key_file(path, [new_key.decode()])
    pending.unlink(missing_ok=True)
    print(f"re-encrypted {count} value(s); {path} now holds only the new key "
          f"({len(previous)} old key(s) retired)", file=sys.stdout)
    return 0


ROTATE_FAILED = ("error: some stored data cannot be decrypted with the current key(s), so nothing was changed. "
                 "Put every key still in use in BOT_DATA_KEY (comma-separated, newest first) and try again.")
