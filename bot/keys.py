"""Where the data-encryption key comes from.

`BOT_DATA_KEY` (comma-separated; the first key encrypts, all decrypt) wins. Without
it, a key file is created beside the SQLite database (or in ./data) on first start
with mode 0600, and the log says once where it is and that it must be backed up —
so the two-command quick start works without any secret to set up.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from db.crypto import DataCipher
from db.session import sqlite_path

log = logging.getLogger(__name__)
KEY_FILE_NAME = "bot-data.key"


def key_file_path(database_url: str, data_dir: str | Path = "data") -> Path:
    """Beside the SQLite file; in `data_dir` (the config's, see settings) for other databases."""
    db_file = sqlite_path(database_url)
    folder = db_file.parent if db_file is not None else Path(data_dir)
    return folder / KEY_FILE_NAME


def read_key_file(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def write_key_file(path: Path, keys: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(keys) + "\n")
    os.replace(tmp, path)


def load_cipher(env_keys: str | None, database_url: str, data_dir: str | Path = "data") -> DataCipher:
    if env_keys:
        return DataCipher([k.strip() for k in env_keys.split(",") if k.strip()])
    path = key_file_path(database_url, data_dir)
    if path.exists():
        return DataCipher(read_key_file(path))
    key = DataCipher.generate_key().decode()
    write_key_file(path, [key])
    log.warning(
        "created a new data-encryption key at %s (mode 0600). Back it up: without it, "
        "encrypted data (repair cases, onboarding questions) cannot be read. "
        "Or set BOT_DATA_KEY instead.",
        path.resolve(),
    )
    return DataCipher([key])
