"""Encryption at rest for sensitive columns (Fernet: AES-128-CBC + HMAC-SHA256).

`DataCipher` holds one or more keys: the first encrypts, all decrypt, which is
what makes key rotation possible (`python -m bot rotate-key`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

# `cryptography` is imported on first use, not at start-up: about 7 MB of resident memory
# that a bot only onboarding newcomers never needs (issue 8 measures peak RSS).


def check_key(key: bytes) -> None:
    """Fernet's own key check (32 url-safe base64 bytes), without importing cryptography."""
    try:
        raw = base64.urlsafe_b64decode(key)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError("Fernet key must be 32 url-safe base64-encoded bytes.")


class DecryptionError(Exception):
    """Stored data could not be decrypted with any configured key."""


class DataCipher:
    def __init__(self, keys: Sequence[bytes | str], *, index_secret: bytes | None = None) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._keys = [k.encode() if isinstance(k, str) else k for k in keys]
        for key in self._keys:
            check_key(key)
        # A separate key for blind indexes (HMAC), so lookups by member never need the member's
        # ID in plain text. The bot passes the database's stored secret (bot/keys.py), which
        # adding or reordering keys leaves alone; without it (tests) it is derived from the key.
        self._index_key = index_secret or hashlib.sha256(b"coalition-bot/index/" + self._keys[0]).digest()

    @cached_property
    def _fernet(self) -> MultiFernet:
        from cryptography.fernet import Fernet, MultiFernet

        return MultiFernet([Fernet(k) for k in self._keys])

    @staticmethod
    def generate_key() -> bytes:
        return base64.urlsafe_b64encode(os.urandom(32))  # what Fernet.generate_key does

    @property
    def primary_key(self) -> bytes:
        return self._keys[0]

    def with_index_secret(self, secret: bytes) -> DataCipher:
        return DataCipher(self._keys, index_secret=secret)

    @property
    def keys(self) -> list[bytes]:
        return list(self._keys)

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise DecryptionError("stored data could not be decrypted with the configured key") from None

    def encrypt_optional(self, text: str | None) -> bytes | None:
        return None if text is None or text == "" else self.encrypt(text)

    def decrypt_optional(self, token: bytes | None) -> str | None:
        return None if token is None else self.decrypt(token)

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt `token` under the primary key."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise DecryptionError("stored data could not be decrypted with the configured keys") from None

    def blind_index(self, *parts: int | str) -> str:
        """A keyed hash for equality lookups (e.g. open cases per requester)."""
        message = "/".join(str(p) for p in parts).encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def fingerprint(key: bytes | str) -> str:
    """A short, one-way name for a key, safe to store and print (never the key itself)."""
    raw = key.encode() if isinstance(key, str) else key
    return hashlib.sha256(b"coalition-bot/fingerprint/" + raw).hexdigest()[:12]
