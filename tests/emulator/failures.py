"""Switchable realistic failures: injected 429/500s and Discord's global rate limit."""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Injection:
    status: int
    remaining: int | None  # None = unlimited (probabilistic)
    route: str | None = None  # route template, e.g. "POST /channels/{channel_id}/messages"
    path_contains: str | None = None
    retry_after: float = 0.05
    is_global: bool = False
    scope: str = "user"
    probability: float = 1.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    fired: int = 0

    def matches(self, route: str, path: str) -> bool:
        if self.route is not None and self.route != route:
            return False
        return self.path_contains is None or self.path_contains in path


class Failures:
    """Per-emulator failure switches; ``reset()`` returns to a well-behaved Discord."""

    def __init__(self) -> None:
        self.injections: list[Injection] = []
        self.enforce_global_limit = False
        self.global_limit = 50
        self.global_window = 1.0
        self._windows: dict[int, deque[float]] = {}

    def reset(self) -> None:
        self.injections.clear()
        self.enforce_global_limit = False
        self.global_limit = 50
        self._windows.clear()

    def inject_429(self, count: int = 1, *, route: str | None = None, path_contains: str | None = None,
                   retry_after: float = 0.05, is_global: bool = False, scope: str = "user") -> Injection:
        inj = Injection(429, count, route, path_contains, retry_after, is_global,
                        "global" if is_global else scope)
        self.injections.append(inj)
        return inj

    def inject_500(self, count: int = 1, *, route: str | None = None, path_contains: str | None = None,
                   status: int = 500) -> Injection:
        inj = Injection(status, count, route, path_contains)
        self.injections.append(inj)
        return inj

    def fail_randomly(self, p: float, *, seed: int = 0, route: str | None = None, status: int = 500) -> Injection:
        inj = Injection(status, None, route, probability=p, rng=random.Random(seed))
        self.injections.append(inj)
        return inj

    def take(self, route: str, path: str) -> Injection | None:
        for inj in self.injections:
            if inj.remaining == 0 or not inj.matches(route, path):
                continue
            if inj.probability < 1.0 and inj.rng.random() >= inj.probability:
                continue
            if inj.remaining is not None:
                inj.remaining -= 1
            inj.fired += 1
            return inj
        return None

    def global_check(self, bot_id: int) -> float | None:
        """Sliding window: None if allowed (and counted), else seconds until a slot frees."""
        if not self.enforce_global_limit:
            return None
        now = time.monotonic()
        win = self._windows.setdefault(bot_id, deque())
        while win and now - win[0] >= self.global_window:
            win.popleft()
        if len(win) >= self.global_limit:
            return max(0.001, self.global_window - (now - win[0]))
        win.append(now)
        return None
