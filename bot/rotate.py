"""`python -m bot rotate-key`: re-encrypt every encrypted column under a new key.

All `*_enc` columns are rotated in ONE transaction, together with the blind indexes
derived from the key, so a failure leaves the old key and data untouched. With a
key file the file is replaced only after the commit; with BOT_DATA_KEY the new key
is printed once for the operator to put in BOT_DATA_KEY.
"""

from __future__ import annotations

import sys

from sqlalchemy import delete, insert, select, update

from bot.keys import (
    BLIND_INDEXES,
    KeyProblem,
    configured_keys,
    encrypt_secret,
    encrypted_columns,
    key_file_path,
    new_index_secret,
    read_key_file,
    reindex,
    verify_keys,
    write_key_file,
)
from bot.settings import Settings
from db.crypto import DataCipher, DecryptionError, fingerprint
from db.models import Base, KeyCheck
from db.session import create_engine, create_session_factory

__all__ = ["BLIND_INDEXES", "encrypted_columns", "rotate_all", "rotate_key"]


async def rotate_all(settings: Settings, old: DataCipher, new_key: bytes) -> int:
    """Re-encrypt everything; returns the number of values rotated."""
    both = DataCipher([new_key, *old.keys])
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
            # A new index secret under the new key, and every blind index recomputed with it.
            secret = new_index_secret()
            fresh = DataCipher([new_key], index_secret=secret)
            await session.run_sync(lambda sync: reindex(sync.connection(), both, fresh))
            await session.execute(delete(KeyCheck))
            await session.execute(insert(KeyCheck).values(
                id=1, fingerprints=fingerprint(new_key), index_secret_enc=encrypt_secret(fresh, secret)))
    finally:
        await engine.dispose()
    return rotated


async def rotate_key(settings: Settings, env_keys: str | None) -> int:
    """Stop the bot first: a running bot keeps encrypting with the key it started with."""
    keys, source = configured_keys(env_keys, settings.database.url, settings.data_dir)
    if keys is None:
        print(f"error: there is no key to rotate: {source} does not exist and BOT_DATA_KEY is not set.",
              file=sys.stderr)
        return 2
    engine = create_engine(settings.database.url)
    try:
        await verify_keys(engine, env_keys, settings.database.url, settings.data_dir)
    except KeyProblem as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    old = DataCipher(keys)
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
