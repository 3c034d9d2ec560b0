"""Pace the bot's own REST calls below Discord's global limit.

discord.py only reacts after a 429, and every 429 counts toward Discord's
invalid-request ban, so the bot spends from a shared token bucket before each
rate-limited request instead. Interaction callbacks and follow-ups use the
interaction webhook path and are exempt from the global limit; they never wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from discord.http import HTTPClient, Route

# With capacity + rate <= the global limit, no 1-second window can exceed it.
DEFAULT_RATE = 45.0
DEFAULT_CAPACITY = 5.0


class TokenBucket:
    """A fair (FIFO) async token bucket."""

    def __init__(self, rate: float = DEFAULT_RATE, capacity: float = DEFAULT_CAPACITY) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()
        self.waited_s = 0.0
        self.acquired = 0

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        # The lock makes waiters queue in arrival order (asyncio.Lock is FIFO).
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                delay = (1 - self._tokens) / self.rate
                self.waited_s += delay
                await asyncio.sleep(delay)
                self._refill()
            self._tokens -= 1
            self.acquired += 1


def is_exempt(route: Route) -> bool:
    """Interaction callbacks/follow-ups do not count toward the global limit."""
    path = route.path
    return path.startswith("/interactions/") or path.startswith("/webhooks/")


def install(http: HTTPClient, bucket: TokenBucket) -> None:
    """Wrap `http.request` so every non-exempt request first takes a token."""
    original: Callable[..., Awaitable[Any]] = http.request

    async def paced_request(route: Route, **kwargs: Any) -> Any:
        if not is_exempt(route):
            await bucket.acquire()
        return await original(route, **kwargs)

    http.request = paced_request  # type: ignore[method-assign]
