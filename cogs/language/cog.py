"""/language: a person picks the language the bot speaks with them (bot.languages.LanguageBook keeps it)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.i18n import current, t
from bot.jobs import due_jobs_loop
from bot.ui import NO_MENTIONS
from cogs.language import texts, views


class LanguageCog(commands.Cog, name="Language"):
    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(views.LanguageButton)
        self.jobs.start()

    async def cog_unload(self) -> None:
        self.jobs.cancel()
        self.bot.remove_dynamic_items(views.LanguageButton)

    # Other shard processes' changes (a choice made in DMs reaches shard 0 only): see bot/languages.py.
    jobs = due_jobs_loop("language", seconds=30)

    async def run_due_jobs(self) -> None:
        await self.bot.languages.refresh()

    @app_commands.command(name="language", description=texts.CMD_LANGUAGE)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def language(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(t(texts.PICK), view=views.picker(interaction.user.id, current()),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
