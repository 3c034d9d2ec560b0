from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.client import CoalitionBot
from bot.ui import NO_MENTIONS

# The AGPL asks that people who use a modified bot over a network can get its source.
SOURCE_AT = "I'm free software (GNU AGPL 3.0), version {version}. My source code: <{url}>"
SOURCE_ASK = ("I'm free software (GNU AGPL 3.0), version {version}. The people who run me can give you "
              "my source code: ask a moderator.")


class CoreCog(commands.Cog):
    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="What this bot does and how to get help")
    async def about(self, interaction: discord.Interaction) -> None:
        community = self.bot.content.community
        text = (
            f"**{community.name}'s helper bot**\n"
            "I walk newcomers through our community agreements, help members declare conflicts "
            "of interest, keep confidential meetings safe, and carry repair requests privately "
            "to the moderators.\n\n"
            "Useful commands: `/privacy` (what I store), `/coi tag`, `/repair request`, "
            "`/acronym lookup`.\n"
            f"Questions? Ask a moderator or write to {community.contact_email}.\n\n"
        )
        source_url = self.bot.settings.source_url
        text += (SOURCE_AT.format(version=__version__, url=source_url) if source_url
                 else SOURCE_ASK.format(version=__version__))
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
