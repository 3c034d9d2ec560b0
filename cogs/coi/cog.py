"""Self-tagging of conflicts of interest: /coi tag, /coi clear, /mod-coi list.

Thin: checks who is asking, calls the tagging adapter (roles, announcements) and the service
(stored tags), and replies. The COI roles are provisioned by the core (bot/wiring.py); a member's
tags are stored as coi_tag rows that mirror those roles.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.i18n import t
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.coi import logic, texts
from cogs.coi.service import CoiService
from cogs.coi.tagging import Tagging, require_member
from cogs.coi.views import ListPager, TagSelect, holder_line, tag_view


class CoiCog(commands.Cog, name="CoiCog"):
    coi = app_commands.Group(name="coi", description=texts.CMD_COI, guild_only=True)
    moderate = app_commands.Group(name="mod-coi", description=texts.CMD_MOD_COI,
                                  guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot, service: CoiService, tagging: Tagging) -> None:
        self.bot = bot
        self.service = service
        self.tagging = tagging

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(TagSelect)

    async def cog_unload(self) -> None:
        self.tagging.cancel()
        self.bot.remove_dynamic_items(TagSelect)

    @coi.command(name="tag", description=texts.CMD_COI_TAG)
    async def tag(self, interaction: discord.Interaction) -> None:
        _, member = require_member(interaction)
        self.tagging.require_coalition_member(member)
        current = await self.tagging.current(member)
        await interaction.response.send_message(
            t(texts.TAG_INTRO), view=tag_view(member.id, self.service.categories(), current), ephemeral=True,
            allowed_mentions=NO_MENTIONS)

    @coi.command(name="clear", description=texts.CMD_COI_CLEAR)
    async def clear(self, interaction: discord.Interaction) -> None:
        guild, member = require_member(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        change, held = await self.tagging.apply(guild, member, set())
        await interaction.followup.send(logic.tag_confirmation(change, held, self.service.categories()),
                                        ephemeral=True, allowed_mentions=NO_MENTIONS)

    @moderate.command(name="list", description=texts.CMD_MOD_COI_LIST)
    @app_commands.describe(category=texts.OPT_LIST_CATEGORY)
    async def list_(self, interaction: discord.Interaction, category: str | None = None) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        chosen = self.service.list_categories(category)
        by_key = await self.service.declared(guild.id, chosen)
        roles = self.bot.wiring_for(guild).coi_roles
        for c in chosen:  # holders of the role count too (a role given by hand)
            role = roles.get(c.key)
            if role is not None:
                by_key[c.key].update(m.id for m in role.members)
        groups = [(c.display, [holder_line(guild, uid)
                               for uid in sorted(by_key[c.key], key=lambda u: sort_name(guild, u))])
                  for c in chosen]
        pages = logic.holder_pages(groups)
        if len(pages) == 1:
            await interaction.response.send_message(pages[0], ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await interaction.response.send_message(pages[0], view=ListPager(moderator.id, pages), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @list_.autocomplete("category")
    async def _category_autocomplete(self, interaction: discord.Interaction,
                                     current: str) -> list[app_commands.Choice[str]]:
        want = current.casefold().strip()
        return [app_commands.Choice(name=c.display[:100], value=c.key) for c in self.service.categories()
                if not want or want in c.display.casefold() or want in c.key][:25]


def sort_name(guild: discord.Guild, user_id: int) -> tuple[str, int]:
    member = guild.get_member(user_id)
    return ((member.display_name.casefold() if member else "\uffff"), user_id)
