"""/acronym lookup and /acronym list: the glossary from the content file, for anyone.

Works in the server and in a DM with the bot. Answers are private, in the person's language, unless
the person asks to share one in the channel (then in the server's language, like everything public).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import t
from bot.ui import NO_MENTIONS
from cogs.acronyms import texts
from cogs.acronyms.service import AcronymService


class AcronymCog(commands.Cog):
    acronym = app_commands.Group(
        name="acronym",
        description=texts.CMD_ACRONYM,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False),
    )

    def __init__(self, service: AcronymService) -> None:
        self.service = service

    async def term_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=value) for name, value in self.service.suggestions(current)]

    @acronym.command(name="lookup", description=texts.CMD_LOOKUP)
    @app_commands.describe(term=texts.OPT_TERM, share=texts.OPT_SHARE)
    @app_commands.autocomplete(term=term_autocomplete)
    async def lookup(self, interaction: discord.Interaction, term: app_commands.Range[str, 1, 100],
                     share: bool = False) -> None:
        found = self.service.lookup(term, share=share)
        await interaction.response.send_message(found.text, ephemeral=not found.shared,
                                                allowed_mentions=NO_MENTIONS)

    @acronym.command(name="list", description=texts.CMD_LIST)
    async def list_all(self, interaction: discord.Interaction) -> None:
        pages = self.service.pages()
        if not pages:
            await interaction.response.send_message(t(texts.EMPTY), ephemeral=True)
            return
        # One embed per message: several 4,000-character pages would pass the 6,000-character total.
        embeds = [discord.Embed(title=t(texts.GLOSSARY_TITLE) if i == 0 else None, description=page)
                  for i, page in enumerate(pages[:10])]
        embeds[-1].set_footer(text=t(texts.GLOSSARY_FOOTER))
        await interaction.response.send_message(embed=embeds[0], ephemeral=True, allowed_mentions=NO_MENTIONS)
        for embed in embeds[1:]:
            await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
