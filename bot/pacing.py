"""Pace the bot's own REST calls below Discord's global limit.

discord.py only reacts after a 429, and every 429 counts toward Discord's
invalid-request ban, so the bot takes a token from one shared bucket before each
rate-limited request. Waiters are served by priority, then in arrival order:
`urgent()` work a person is waiting on (e.g. their role grant) goes ahead of
queued welcome DMs, which are served fairly (FIFO). Interaction callbacks and
follow-ups are exempt from the global limit and never wait.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from discord.http import HTTPClient, Route

URGENT, NORMAL, BACKGROUND = 0, 1, 2
# capacity + rate <= Discord's 50/s, so no 1-second window can exceed the limit.
DEFAULT_RATE = 47.0
DEFAULT_CAPACITY = 2.0

_priority: ContextVar[int] = ContextVar("pacing_priority", default=NORMAL)


@contextmanager
def priority(level: int) -> Iterator[None]:
    """Run the REST calls made inside this block at `level` (URGENT, NORMAL, BACKGROUND)."""
    token = _priority.set(level)
    try:
        yield
    finally:
        _priority.reset(token)


def urgent() -> Any:
    return priority(URGENT)


def background() -> Any:
    return priority(BACKGROUND)


class TokenBucket:
    """An async token bucket that serves waiters by (priority, arrival)."""

    def __init__(self, rate: float = DEFAULT_RATE, capacity: float = DEFAULT_CAPACITY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = capacity
        self._updated = clock()
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrival = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self.acquired = 0
        self.queued_peak = 0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    @property
    def queued(self) -> int:
        return sum(1 for *_, fut in self._waiters if not fut.done())

    async def acquire(self, level: int | None = None) -> None:
        self._refill()
        if not self._waiters and self._tokens >= 1:
            self._tokens -= 1
            self.acquired += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (_priority.get() if level is None else level, next(self._arrival), future))
        self.queued_peak = max(self.queued_peak, len(self._waiters))
        self._schedule()
        await future

    def _schedule(self) -> None:
        if self._timer is not None or not self._waiters:
            return
        self._refill()
        delay = max(0.0, (1 - self._tokens) / self.rate)
        self._timer = asyncio.get_running_loop().call_later(delay, self._grant)

    def _grant(self) -> None:
        self._timer = None
        self._refill()
        while self._waiters and self._tokens >= 1:
            *_, future = heapq.heappop(self._waiters)
            if future.done():  # the waiter was cancelled
                continue
            self._tokens -= 1
            self.acquired += 1
            future.set_result(None)
        self._schedule()


def is_exempt(route: Route) -> bool:
    """Interaction callbacks/follow-ups do not count toward the global limit."""
    return route.path.startswith("/interactions/") or route.path.startswith("/webhooks/")


def install(http: HTTPClient, bucket: TokenBucket) -> None:
    """Wrap `http.request` so every non-exempt request first takes a token."""
    original: Callable[..., Awaitable[Any]] = http.request

    async def paced_request(route: Route, **kwargs: Any) -> Any:
        if not is_exempt(route):
            await bucket.acquire()
        return await original(route, **kwargs)

    http.request = paced_request  # type: ignore[method-assign]
