"""/acronym lookup and /acronym list: the glossary from the content file, for anyone.

Works in the server and in a DM with the bot. Answers are private unless the person
asks to share one in the channel.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import NO_MENTIONS
from cogs.acronyms import texts
from cogs.acronyms.service import AcronymService


class AcronymCog(commands.Cog):
    acronym = app_commands.Group(
        name="acronym",
        description="What does an acronym stand for? Look it up in our glossary",
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False),
    )

    def __init__(self, service: AcronymService) -> None:
        self.service = service

    async def term_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=value) for name, value in self.service.suggestions(current)]

    @acronym.command(name="lookup", description="Say what an acronym stands for, e.g. IHRRC")
    @app_commands.describe(term="The acronym, e.g. IHRRC or COI",
                           share="Also post the answer in this channel for everyone (default: only you see it)")
    @app_commands.autocomplete(term=term_autocomplete)
    async def lookup(self, interaction: discord.Interaction, term: app_commands.Range[str, 1, 100],
                     share: bool = False) -> None:
        found = self.service.lookup(term)
        await interaction.response.send_message(found.text, ephemeral=not (share and found.found),
                                                allowed_mentions=NO_MENTIONS)

    @acronym.command(name="list", description="Show every acronym in our glossary")
    async def list_all(self, interaction: discord.Interaction) -> None:
        pages = self.service.pages()
        if not pages:
            await interaction.response.send_message(texts.EMPTY, ephemeral=True)
            return
        # One embed per message: several 4,000-character pages would pass the 6,000-character total.
        embeds = [discord.Embed(title=texts.GLOSSARY_TITLE if i == 0 else None, description=page)
                  for i, page in enumerate(pages[:10])]
        embeds[-1].set_footer(text=texts.GLOSSARY_FOOTER)
        await interaction.response.send_message(embed=embeds[0], ephemeral=True, allowed_mentions=NO_MENTIONS)
        for embed in embeds[1:]:
            await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
