"""At most one action per person per window: the first at once, later ones folded into one at the end.

`/coi tag` toggled 295 times in 12 s gave 289 member updates and ~290 public announcements that kept
posting for minutes. Now the first change is applied and announced at once; changes within the window
after it are applied (roles) or announced (the latest state) once, when the window ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Key = tuple[int, int]  # (guild, user)


class PerPerson:
    def __init__(self, window_seconds: float) -> None:
        self.window = window_seconds
        self._last: dict[Key, float] = {}
        self._pending: dict[Key, asyncio.Task[None]] = {}

    def now_or_later(self, key: Key, later: Callable[[], Awaitable[None]]) -> bool:
        """True: act now. False: a single run of `later` is scheduled at the end of the window."""
        now = time.monotonic()
        last = self._last.get(key)
        if key not in self._pending and (last is None or now - last >= self.window):
            self._last[key] = now
            return True
        if key not in self._pending:
            delay = self.window - (now - last) if last is not None else self.window
            self._pending[key] = asyncio.create_task(self._run_later(key, max(0.0, delay), later))
        return False

    async def _run_later(self, key: Key, delay: float, later: Callable[[], Awaitable[None]]) -> None:
        try:
            await asyncio.sleep(delay)
        finally:
            self._pending.pop(key, None)
        self._last[key] = time.monotonic()
        try:
            await later()
        except Exception:
            log.exception("a coalesced COI update failed")

    def cancel(self) -> None:
        for task in self._pending.values():
            task.cancel()
        self._pending.clear()
