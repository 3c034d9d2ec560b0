"""Short, scannable notes for moderators in the mod-log channel.

Never pings; alerts about the same problem are rate-limited so a missing
permission cannot turn into a flood or a crash loop.
"""

from __future__ import annotations

import logging
import time

import discord

from bot.ui import NO_MENTIONS

log = logging.getLogger(__name__)

ALERT_COOLDOWN_S = 600.0


class ModLog:
    def __init__(self) -> None:
        self._last_alert: dict[tuple[int, str], float] = {}

    async def post(self, channel: discord.abc.Messageable | None, text: str) -> discord.Message | None:
        if channel is None:
            return None
        try:
            return await channel.send(text[:2000], allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not post to the mod-log channel (HTTP %s)", exc.status)
            return None

    def recently(self, guild_id: int, key: str) -> bool:
        """Whether `alert_once` posted this alert in the last 10 minutes (so the caller can say so)."""
        last = self._last_alert.get((guild_id, key))
        return last is not None and time.monotonic() - last < ALERT_COOLDOWN_S

    async def alert_once(self, guild_id: int, key: str, channel: discord.abc.Messageable | None, text: str) -> bool:
        """Post `text` unless the same alert (guild, key) was posted in the last 10 minutes."""
        now = time.monotonic()
        last = self._last_alert.get((guild_id, key))
        if last is not None and now - last < ALERT_COOLDOWN_S:
            return False
        self._last_alert[(guild_id, key)] = now
        await self.post(channel, text)
        return True
