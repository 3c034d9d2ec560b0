"""The REST pacer: never more than the global limit per second, urgent work first."""

from __future__ import annotations

import asyncio
import time

from bot.pacing import BACKGROUND, NORMAL, URGENT, TokenBucket, priority


async def test_no_one_second_window_exceeds_rate_plus_capacity() -> None:
    bucket = TokenBucket(rate=400.0, capacity=2.0)
    grants: list[float] = []

    async def one() -> None:
        await bucket.acquire()
        grants.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(300)))
    assert bucket.acquired == 300
    grants.sort()
    # The pacer can only be late, never early: any 0.25 s window holds <= capacity + rate * 0.25.
    limit = 2 + 400 * 0.25
    worst = max(sum(1 for t in grants[i:] if t - start < 0.25) for i, start in enumerate(grants))
    assert worst <= limit


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
