"""The one shape of background work every feature uses.

A feature's cog defines a public `run_due_jobs()` (tests advance `bot.clock` and call it
directly); `due_jobs_loop(...)` runs it on a timer once the bot is ready, and keeps the
loop alive whatever a run raises.
"""

from __future__ import annotations

import logging
from typing import Any

from discord.ext import tasks
from discord.utils import MISSING

log = logging.getLogger(__name__)


class _AttributeLoop(tasks.Loop[Any]):
    """A Loop that knows the cog attribute it is assigned to.

    discord.py caches a loop's per-cog copy on the cog under the coroutine's `__name__`;
    every loop made here shares one coroutine name, so without this `cog.jobs` would be
    a fresh copy on each access and `cancel()` would miss the copy that `start()` started.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.coro.__name__ = name


def due_jobs_loop(what: str, *, seconds: float = 0, minutes: float = 0, hours: float = 0) -> tasks.Loop[Any]:
    """A `tasks.Loop` to assign as a cog attribute; start it in `cog_load`, cancel it in `cog_unload`."""

    async def tick(cog: Any) -> None:
        try:
            await cog.run_due_jobs()
        except Exception:  # keep the loop alive: the next tick tries again
            log.exception("%s background jobs failed; they run again at the next tick", what)

    loop = _AttributeLoop(tick, seconds=seconds, hours=hours, minutes=minutes, time=MISSING, count=None,
                          reconnect=True, name=f"discord-ext-tasks: {what} background jobs")

    @loop.before_loop
    async def wait_until_ready(cog: Any) -> None:
        await cog.bot.wait_until_ready()

    return loop
