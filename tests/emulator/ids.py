"""Snowflake ids shaped like Discord's, so timestamps and shard routing behave."""

from __future__ import annotations

import itertools
import time

DISCORD_EPOCH_MS = 1420070400000


class SnowflakeFactory:
    """Monotonic snowflakes: the timestamp part makes discord.py's ``created_at`` sane,
    the counter part keeps ids unique even when thousands are made in one millisecond."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)

    def for_shard(self, shard_id: int, shard_count: int) -> int:
        """An id whose guild-shard (``(id >> 22) % shard_count``) is ``shard_id``."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        ms += (shard_id - ms) % shard_count
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's guild→shard formula."""
    return (guild_id >> 22) % shard_count


def iso(ts: float | None = None) -> str:
    """ISO-8601 timestamp in the form Discord sends."""
    import datetime as _dt

    t = _dt.datetime.fromtimestamp(time.time() if ts is None else ts, tz=_dt.UTC)
    return t.isoformat()
