"""The REST pacer: never more than the global limit per second, urgent work first."""

from __future__ import annotations

import asyncio
import time

from bot.pacing import BACKGROUND, NORMAL, URGENT, TokenBucket, priority


async def test_no_window_exceeds_its_limit_under_a_real_loop() -> None:
    bucket = TokenBucket(rate=400.0, capacity=5.0, per_window=100, window=0.25)
    grants: list[float] = []

    async def one() -> None:
        await bucket.acquire()
        grants.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(300)))
    assert bucket.acquired == 300
    grants.sort()
    # The bucket's own clock reads before each grant is appended, so compare with a hair of slack.
    worst = max(sum(1 for t in grants[i:] if t - start < 0.25 - 1e-3) for i, start in enumerate(grants))
    assert worst <= 100


def take_all_due(bucket: TokenBucket, now: float, granted: list[float]) -> int:
    taken = 0
    while bucket.wait_time(now) == 0:
        bucket.take(now)
        granted.append(now)
        taken += 1
    return taken


def test_a_late_timer_catches_up_but_no_second_holds_more_than_the_rate() -> None:
    """A busy loop wakes the pacer late: saved tokens make up for it, the window caps it."""
    bucket = TokenBucket(rate=10.0, capacity=3.0, clock=lambda: 0.0)  # the test passes `now` itself
    assert bucket.per_window == 10
    granted: list[float] = []
    now = 0.0
    late_wakeups = []
    for step in range(400):
        taken = take_all_due(bucket, now, granted)
        if step % 7 == 0 and step:
            late_wakeups.append(taken)
        # the timer is set for when the next token is due; every 7th wake-up is 0.15 s late
        now += bucket.wait_time(now) + (0.15 if step % 7 == 6 else 0.0)
    assert max(late_wakeups) >= 2  # caught up on what the late wake-up missed
    worst = max(sum(1 for t in granted[i:] if t - start < 1.0) for i, start in enumerate(granted))
    assert worst <= 10
    elapsed = now - granted[0]
    assert len(granted) >= 0.95 * 10 * elapsed  # and the rate is kept, not lost to lateness


async def test_waiters_are_served_by_priority_then_arrival() -> None:
    bucket = TokenBucket(rate=1000.0, capacity=1.0)
    await bucket.acquire()  # drain the only token so everyone below queues
    order: list[str] = []

    async def waiter(name: str, level: int) -> None:
        with priority(level):
            await bucket.acquire()
        order.append(name)

    tasks = [asyncio.create_task(waiter("dm-1", NORMAL)), asyncio.create_task(waiter("log", BACKGROUND)),
             asyncio.create_task(waiter("dm-2", NORMAL)), asyncio.create_task(waiter("grant", URGENT))]
    await asyncio.gather(*tasks)
    assert order == ["grant", "dm-1", "dm-2", "log"]


async def test_a_cancelled_waiter_does_not_consume_a_token() -> None:
    bucket = TokenBucket(rate=1000.0, capacity=1.0)
    await bucket.acquire()
    cancelled = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)
    await bucket.acquire()
    assert bucket.acquired == 2
