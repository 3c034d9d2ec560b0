from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.client import CoalitionBot
from bot.content import donation_line
from bot.i18n import t
from bot.ui import NO_MENTIONS
from cogs.core import help as help_page
from cogs.core import texts


def _leaves(command: app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu,
            in_dm: bool) -> Iterator[help_page.CommandInfo]:
    """Every command a person can type, with what the tree says about it."""
    if isinstance(command, app_commands.ContextMenu):
        return
    contexts = command.allowed_contexts
    if in_dm and (contexts is None or not contexts.dm_channel):
        return
    leaves = [c for c in command.walk_commands() if isinstance(c, app_commands.Command)] \
        if isinstance(command, app_commands.Group) else [command]
    restricted = command.default_permissions is not None
    for leaf in leaves:
        yield help_page.CommandInfo(leaf.qualified_name, leaf.description,
                                    help_page.is_for_moderators(leaf.description, restricted))


class CoreCog(commands.Cog):
    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description=texts.CMD_ABOUT)
    async def about(self, interaction: discord.Interaction) -> None:
        content = self.bot.content.localized()  # the reader's language
        community = content.community
        text = t(texts.ABOUT, community=community.name, email=community.contact_email)
        text += donation_line(content, t(texts.DONATION), t(texts.DONATION_WITH_LINK))
        source_url = self.bot.settings.source_url
        text += (t(texts.SOURCE_AT, version=__version__, url=source_url) if source_url
                 else t(texts.SOURCE_ASK, version=__version__))
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="help", description=texts.CMD_HELP)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def help(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        in_dm = guild is None
        tree = [*self.bot.tree.get_commands()]
        if guild is not None:
            tree += self.bot.tree.get_commands(guild=guild)
        found = help_page.unique([info for command in tree for info in _leaves(command, in_dm)])
        sections = help_page.render_help(found, moderator=self.bot.is_moderator(interaction.user), in_dm=in_dm,
                                         contact_email=self.bot.content.community.contact_email)
        embeds = [discord.Embed(title=title, description=text) for title, text in sections]
        await interaction.response.send_message(embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS)
