"""Pace the bot's own REST calls below Discord's global limit.

discord.py only reacts after a 429, and every 429 counts toward Discord's
invalid-request ban, so the bot takes a token from one shared bucket before each
rate-limited request — at the wire: every attempt, including discord.py's own
retries after a 5xx or 429, and only after its per-route and global waits, so
requests held back by discord.py are not released as a burst. Waiters are served
by priority, then in arrival order:
`urgent()` work a person is waiting on (e.g. their role grant) goes ahead of
queued welcome DMs, which are served fairly (FIFO). Interaction callbacks and
follow-ups are exempt from the global limit and never wait.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import aiohttp

URGENT, NORMAL, BACKGROUND = 0, 1, 2
DEFAULT_RATE = 47.0
# A timer that fires late on a busy loop may catch up on up to 3 saved tokens instead of
# losing them (with 1, a wave ran at 43-45/s instead of 47/s) ...
DEFAULT_CAPACITY = 3.0
# ... but no second ever holds more than `rate` of the bot's requests by its own clock. The
# other 3 of Discord's 50 absorb requests that reach Discord bunched up: in the join-wave
# benchmark, a 45 ms stall on the receiving side was enough to turn a burst into a 429.
WINDOW_S = 1.0

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
    """An async token bucket that serves waiters by (priority, arrival), with at most
    `per_window` grants in any `window` seconds."""

    def __init__(self, rate: float = DEFAULT_RATE, capacity: float = DEFAULT_CAPACITY,
                 clock: Callable[[], float] = time.monotonic, *, per_window: int | None = None,
                 window: float = WINDOW_S) -> None:
        self.rate = rate
        self.capacity = capacity
        self.per_window = per_window if per_window is not None else max(1, int(rate * window))
        self.window = window
        self._clock = clock
        self._tokens = capacity
        self._updated = clock()
        self._granted_at: deque[float] = deque()  # the last `per_window` grants
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrival = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self.acquired = 0
        self.queued_peak = 0

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until a token may be taken (0: now)."""
        self._refill(now)
        granted = self._granted_at
        while granted and now - granted[0] >= self.window:
            granted.popleft()
        window_wait = self.window - (now - granted[0]) if len(granted) >= self.per_window else 0.0
        return max(0.0, (1 - self._tokens) / self.rate, window_wait)

    def take(self, now: float) -> None:
        """Take a token (only after wait_time(now) == 0)."""
        self._tokens -= 1
        self._granted_at.append(now)
        self.acquired += 1

    @property
    def queued(self) -> int:
        return sum(1 for *_, fut in self._waiters if not fut.done())

    async def acquire(self, level: int | None = None) -> None:
        now = self._clock()
        if not self._waiters and self.wait_time(now) == 0:
            self.take(now)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (_priority.get() if level is None else level, next(self._arrival), future))
        self.queued_peak = max(self.queued_peak, len(self._waiters))
        self._schedule()
        await future

    def _schedule(self) -> None:
        if self._timer is not None or not self._waiters:
            return
        self._timer = asyncio.get_running_loop().call_later(self.wait_time(self._clock()), self._grant)

    def _grant(self) -> None:
        self._timer = None
        now = self._clock()
        while self._waiters and self.wait_time(now) == 0:
            *_, future = heapq.heappop(self._waiters)
            if future.done():  # the waiter was cancelled
                continue
            self.take(now)
            future.set_result(None)
        self._schedule()


def is_exempt_url(url: str) -> bool:
    """Interaction callbacks/follow-ups do not count toward the global limit."""
    return "/interactions/" in url or "/webhooks/" in url


def trace_config(bucket: TokenBucket) -> aiohttp.TraceConfig:
    """aiohttp's public request hook, passed to discord.py as `http_trace`: it runs (and is
    awaited) before every request discord.py's session sends, each retry included, after
    discord.py's own per-route and global waits."""

    async def on_request_start(_session: Any, _context: Any, params: aiohttp.TraceRequestStartParams) -> None:
        if is_exempt_url(str(params.url)) or params.headers.get("Upgrade", "").lower() == "websocket":
            return  # interaction callbacks, and the gateway's connection
        await bucket.acquire()

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_request_start)
    return config
