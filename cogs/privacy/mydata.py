"""/mydata show|export|delete: a person sees, downloads or erases what the bot holds about them
(in a server, or in every server from a direct message)."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.i18n import t
from bot.ui import NO_MENTIONS
from cogs.privacy import logic, texts
from cogs.privacy.actions import PrivacyActions
from cogs.privacy.service import PrivacyService
from cogs.privacy.views import CONFIRM_ITEMS, EMBED_COLOUR, confirm_view

log = logging.getLogger(__name__)

DM_CONTEXT = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)
SHOWN_PAGES = 10


class MyDataCog(commands.Cog):
    mydata = app_commands.Group(name="mydata", description=texts.CMD_MYDATA,
                                allowed_contexts=DM_CONTEXT)

    def __init__(self, bot: CoalitionBot, service: PrivacyService, actions: PrivacyActions) -> None:
        self.bot = bot
        self.service = service
        self.actions = actions

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*CONFIRM_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*CONFIRM_ITEMS)

    async def _too_soon(self, interaction: discord.Interaction) -> bool:
        wait = self.service.wait_before_look(interaction.user.id)
        if wait:
            await interaction.response.send_message(t(texts.TOO_SOON, seconds=wait), ephemeral=True)
        return bool(wait)

    @mydata.command(name="show", description=texts.CMD_MYDATA_SHOW)
    async def mydata_show(self, interaction: discord.Interaction) -> None:
        if await self._too_soon(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        pages = await self.service.mydata_pages(interaction.user.id, interaction.guild_id, self.actions.name_of)
        for index, text in enumerate(pages[:SHOWN_PAGES]):
            embed = discord.Embed(description=text, colour=EMBED_COLOUR)
            if len(pages) > 1:
                embed.set_footer(text=logic.page_footer(index, len(pages)))
            await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
        if len(pages) > SHOWN_PAGES:
            await interaction.followup.send(t(texts.MORE_THAN_FITS), ephemeral=True)

    @mydata.command(name="export", description=texts.CMD_MYDATA_EXPORT)
    async def mydata_export(self, interaction: discord.Interaction) -> None:
        if await self._too_soon(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        payload = await self.service.export(interaction.user.id, interaction.guild_id, self.actions.name_of)
        file = discord.File(io.BytesIO(payload), filename=t(texts.EXPORT_FILENAME))
        await interaction.followup.send(t(texts.EXPORT_READY), file=file, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @mydata.command(name="delete", description=texts.CMD_MYDATA_DELETE)
    async def mydata_delete(self, interaction: discord.Interaction) -> None:
        scope_all = interaction.guild is None
        name = interaction.guild.name if interaction.guild is not None else None
        await interaction.response.send_message(
            logic.delete_confirmation(scope_all, name),
            view=confirm_view(interaction.user.id, interaction.guild_id or 0), ephemeral=True,
            allowed_mentions=NO_MENTIONS)
