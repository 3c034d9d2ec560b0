"""Confidential spaces, text channels: one "sticky" reminder, and the feature's periodic jobs.

The reminder is replaced after `every_messages` messages or `every_hours`. Messages are
COUNTED, never read: the bot has no message-content intent and nothing here touches
`message.content`. Counts live in the service's memory and are saved by `run_due_jobs()`
(every minute) and on unload (see cogs/confidential/service.py).

The other journeys: spaces.py (/confidential), voice.py (meetings and the bot guard),
recording.py (/recording).
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.client import CoalitionBot
from bot.i18n import t_server
from bot.jobs import due_jobs_loop
from bot.ui import NO_MENTIONS
from cogs.confidential import texts
from cogs.confidential.actions import ConfidentialActions
from cogs.confidential.service import ConfidentialService

log = logging.getLogger(__name__)

StickyChannel = discord.TextChannel | discord.Thread


class ConfidentialCog(commands.Cog):
    def __init__(self, bot: CoalitionBot, service: ConfidentialService, actions: ConfidentialActions) -> None:
        self.bot = bot
        self.service = service
        self.actions = actions

    async def cog_load(self) -> None:
        self.due_loop.start()

    async def cog_unload(self) -> None:
        self.due_loop.cancel()
        try:
            await asyncio.wait_for(self.flush_counts(), timeout=5)
        except Exception:  # the database may already be gone (or stuck) at shutdown
            log.warning("could not save sticky-reminder counts at shutdown")

    due_loop = due_jobs_loop("confidential", seconds=60)

    async def run_due_jobs(self) -> None:
        """Save message counts and end recording exceptions whose time is up (tests call this)."""
        await self.flush_counts()
        await self.expire_exceptions()

    async def flush_counts(self) -> int:
        return await self.service.flush_counts()

    async def expire_exceptions(self) -> int:
        return await self.actions.end_expired()

    def message_count(self, guild_id: int, channel_id: int) -> int | None:
        return self.service.message_count(guild_id, channel_id)

    def reminder_message_id(self, guild_id: int, channel_id: int) -> int | None:
        return self.service.reminder_message_id(guild_id, channel_id)

    # --- sticky reminders in text channels --------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        # Only who/where is looked at: never message.content (the bot has no content intent anyway).
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        channel = message.channel
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return
        if not await self.actions.is_confidential(channel):
            return
        async with self.service.lock(message.guild.id, channel.id):
            if await self.service.count_message(message.guild.id, channel.id):
                await self._repost(channel)

    async def _repost(self, channel: StickyChannel) -> None:
        """Delete the previous reminder, then post the new one: there is never more than one."""
        guild = channel.guild
        previous = self.service.start_repost(guild.id, channel.id)
        if previous is not None:
            try:
                await channel.get_partial_message(previous).delete()
            except discord.NotFound:
                pass  # someone already removed it
            except discord.Forbidden:
                await self.actions.alert(guild, "confidential:delete_reminder",
                                         t_server(texts.CANT_DELETE_REMINDER, channel=channel.mention))
                await self.service.keep_reminder(guild.id, channel.id)
                return
            except discord.HTTPException as exc:
                log.warning("could not delete the reminder in channel %s (HTTP %s)", channel.id, exc.status)
                await self.service.keep_reminder(guild.id, channel.id)
                return
        posted: int | None = None
        try:
            embed = self.actions.reminder_embed().set_footer(text=t_server(texts.FOOTER))
            posted = (await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)).id
        except discord.Forbidden:
            await self.actions.alert(guild, "confidential:send_reminder",
                                     t_server(texts.CANT_POST_REMINDER, channel=channel.mention))
        except discord.HTTPException as exc:
            log.warning("could not post the reminder in channel %s (HTTP %s)", channel.id, exc.status)
        await self.service.reminder_now(guild.id, channel.id, posted)
