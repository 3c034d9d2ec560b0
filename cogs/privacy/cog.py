"""Privacy: /privacy (what is stored and why), /audit recent (moderators), departures and the
daily retention purge (`run_due_jobs`). /mydata is in mydata.py.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.jobs import due_jobs_loop
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.privacy import texts
from cogs.privacy.actions import PrivacyActions
from cogs.privacy.service import JobReport, PrivacyService
from cogs.privacy.views import PAGE_ITEMS, inventory_page

log = logging.getLogger(__name__)

EMBED_COLOUR = discord.Colour.blurple()


class PrivacyCog(commands.Cog):
    audit_group = app_commands.Group(name="audit", description=texts.CMD_AUDIT, guild_only=True,
                                     default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot, service: PrivacyService, actions: PrivacyActions) -> None:
        self.bot = bot
        self.service = service
        self.actions = actions
        self._jobs_lock = asyncio.Lock()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*PAGE_ITEMS)
        self.daily.start()

    async def cog_unload(self) -> None:
        # Let a purge in progress commit: never cut a transaction off on shutdown.
        async with self._jobs_lock:
            self.daily.cancel()
        self.bot.remove_dynamic_items(*PAGE_ITEMS)

    @app_commands.command(name="privacy", description=texts.CMD_PRIVACY)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def privacy(self, interaction: discord.Interaction) -> None:
        embed, view = inventory_page(self.service.inventory_pages(), 0)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)

    @audit_group.command(name="recent", description=texts.CMD_AUDIT_RECENT)
    @app_commands.describe(action=texts.OPT_AUDIT_ACTION)
    async def audit_recent(self, interaction: discord.Interaction, action: str | None = None) -> None:
        self.bot.require_moderator(interaction)
        assert interaction.guild_id is not None
        pages = await self.service.audit_pages(interaction.guild_id, action)
        embed = discord.Embed(description=pages[0], colour=EMBED_COLOUR)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    # --- leaving, rejoining, retention ------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        if payload.user.bot:
            return
        await self.service.member_left(payload.guild_id, payload.user.id)
        log.debug("a member left guild %s; their data is scheduled for deletion", payload.guild_id)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        if await self.service.member_rejoined(member.guild.id, member.id):
            log.debug("a member rejoined guild %s; scheduled deletion cancelled", member.guild.id)

    daily = due_jobs_loop("daily privacy", hours=24)

    async def run_due_jobs(self) -> JobReport:
        """Purge departed members' data and old closed cases that are due (time from bot.clock)."""
        async with self._jobs_lock:
            purge = await self.service.purge(self.bot.owns_guild, self.actions.still_member)
            report = purge.report
            for leftovers in purge.shown:
                await self.actions.erase_shown(leftovers)
            for guild_id, thread_id in purge.case_places:
                report.threads_deleted += await self.actions.delete_case_place(guild_id, thread_id)
            for guild_id, thread_id in purge.access_places:
                report.threads_deleted += await self.actions.delete_case_place(guild_id, thread_id, prefix="access-")
            if report.departed_purged or report.cases_purged or report.access_purged:
                log.info("privacy purge: data of %d departed member(s), %d closed repair case(s), %d answered "
                         "access request(s)", report.departed_purged, report.cases_purged, report.access_purged)
            return report
