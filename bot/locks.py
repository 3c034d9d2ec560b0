"""Keyed locks: one asyncio.Lock per key (a person, a case, a channel), dropped when nobody holds it.

A plain `dict[key, Lock]` with `setdefault` grows by one lock per key ever seen (a join wave leaves
thousands behind); this keeps only the locks in use. Features still on their own dicts: confidential
(`_locks`), coi (waiting_room `_locks`) — move them here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyedLocks(Generic[K]):
    def __init__(self) -> None:
        self._locks: dict[K, asyncio.Lock] = {}
        self._users: dict[K, int] = {}  # holders and waiters of each lock

    def __len__(self) -> int:
        return len(self._locks)

    def locked(self, key: K) -> bool:
        lock = self._locks.get(key)
        return lock is not None and lock.locked()

    @asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        """`async with locks.hold(key):` one at a time per key."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]
