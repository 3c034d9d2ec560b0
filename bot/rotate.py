"""`python -m bot rotate-key`: re-encrypt every encrypted column under a new key.

All `*_enc` columns are rotated in ONE transaction, together with the blind indexes
derived from the key, so a failure leaves the old key and data untouched. With a
key file the file is replaced only after the commit; with BOT_DATA_KEY the new key
is printed once for the operator to put in BOT_DATA_KEY.
"""

from __future__ import annotations

import sys

from sqlalchemy import LargeBinary, select, update

from bot.keys import key_file_path, load_cipher, read_key_file, write_key_file
from bot.settings import Settings
from db.crypto import DataCipher
from db.models import Base, RepairCase
from db.session import create_engine, create_session_factory


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
            cases = (await session.execute(select(RepairCase).where(RepairCase.requester_enc.is_not(None)))).scalars()
            for case in cases:
                assert case.requester_enc is not None
                requester = fresh.decrypt(case.requester_enc)
                case.requester_index = fresh.blind_index(case.guild_id, requester)
    finally:
        await engine.dispose()
    return rotated


async def rotate_key(settings: Settings, env_keys: str | None) -> int:
    old = load_cipher(env_keys, settings.database.url)
    new_key = DataCipher.generate_key()
    count = await rotate_all(settings, old, new_key)
    if env_keys:
        print(f"re-encrypted {count} value(s). Set BOT_DATA_KEY to this new key before the next start:")
        print(new_key.decode())
        return 0
    path = key_file_path(settings.database.url)
    previous = read_key_file(path) if path.exists() else []
    write_key_file(path, [new_key.decode()])
    print(f"re-encrypted {count} value(s); {path} now holds only the new key "
          f"({len(previous)} old key(s) retired)", file=sys.stdout)
    return 0
