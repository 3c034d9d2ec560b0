"""Buttons for /privacy pages and the /mydata delete confirmation: they call the service and render.

Every button is a DynamicItem that carries its own state in its custom_id, so it keeps
working after a restart:
  privacy:page:<n>                  show page n of the inventory
  privacy:erase:<user_id>:<scope>   confirm deletion (scope = guild id, or 0 for every server)
  privacy:keep:<user_id>            cancel deletion
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.errors import NotAllowed, report_interaction_error
from bot.ui import BaseView
from cogs.privacy import logic, texts
from cogs.privacy.actions import PrivacyActions
from cogs.privacy.service import PrivacyService

log = logging.getLogger(__name__)

EMBED_COLOUR = discord.Colour.blurple()
PAGE_TEMPLATE = r"privacy:page:(?P<page>\d+)"
ERASE_TEMPLATE = r"privacy:erase:(?P<user>\d+):(?P<scope>\d+)"
KEEP_TEMPLATE = r"privacy:keep:(?P<user>\d+)"


def _parts(interaction: discord.Interaction) -> tuple[PrivacyService, PrivacyActions]:
    cog = interaction.client.get_cog("MyDataCog")  # type: ignore[attr-defined]
    assert cog is not None
    return cog.service, cog.actions


async def _guarded(interaction: discord.Interaction, where: str,
                   action: Callable[[], Awaitable[None]]) -> None:
    """DynamicItem errors do not reach a view's on_error: send them to the central handler."""
    try:
        await action()
    except Exception as error:
        await report_interaction_error(interaction, error, where)


def inventory_page(pages: list[str], page: int) -> tuple[discord.Embed, BaseView | None]:
    page = max(0, min(page, len(pages) - 1))
    embed = discord.Embed(description=pages[page], colour=EMBED_COLOUR)
    if len(pages) > 1:
        embed.set_footer(text=logic.page_footer(page, len(pages)))
    return embed, pages_view(page, len(pages))


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PAGE_TEMPLATE):
    def __init__(self, page: int, label: str) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                           custom_id=f"privacy:page:{page}"))
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PageButton:
        label = item.label if isinstance(item, discord.ui.Button) and item.label else texts.PAGE
        return cls(int(match["page"]), label)

    async def callback(self, interaction: discord.Interaction) -> None:
        async def run() -> None:
            service, _ = _parts(interaction)
            embed, view = inventory_page(service.inventory_pages(), self.page)
            await interaction.response.edit_message(embed=embed, view=view)
        await _guarded(interaction, "privacy page", run)


class EraseButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ERASE_TEMPLATE):
    def __init__(self, user_id: int, scope: int) -> None:
        super().__init__(discord.ui.Button(label=texts.ERASE_LABEL, style=discord.ButtonStyle.danger,
                                           custom_id=f"privacy:erase:{user_id}:{scope}"))
        self.user_id, self.scope = user_id, scope

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> EraseButton:
        return cls(int(match["user"]), int(match["scope"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def run() -> None:
            if interaction.user.id != self.user_id:
                raise NotAllowed(texts.NOT_YOURS)
            service, actions = _parts(interaction)
            await interaction.response.defer()
            guild_id = self.scope or None
            removed, failed = await actions.remove_managed_roles(self.user_id, guild_id)
            erased = await service.erase(self.user_id, guild_id, action="privacy.data_erased")
            await actions.erase_shown(erased.shown)
            await interaction.edit_original_response(
                content=logic.delete_done(erased.records, erased.cases_unlinked, removed, failed), view=None,
                embed=None)
            log.info("a member erased their data (%d server(s), %d value(s))", erased.servers, erased.total)
        await _guarded(interaction, "privacy erase", run)


class KeepButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=KEEP_TEMPLATE):
    def __init__(self, user_id: int) -> None:
        super().__init__(discord.ui.Button(label=texts.KEEP_LABEL, style=discord.ButtonStyle.secondary,
                                           custom_id=f"privacy:keep:{user_id}"))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> KeepButton:
        return cls(int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def run() -> None:
            if interaction.user.id != self.user_id:
                raise NotAllowed(texts.NOT_YOURS)
            await interaction.response.edit_message(content=logic.DELETE_CANCELLED, view=None)
        await _guarded(interaction, "privacy keep", run)


def pages_view(page: int, total: int) -> BaseView | None:
    if total <= 1:
        return None
    view = BaseView(timeout=None)
    if page > 0:
        view.add_item(PageButton(page - 1, texts.PREVIOUS_PAGE))
    if page < total - 1:
        view.add_item(PageButton(page + 1, texts.NEXT_PAGE))
    return view


def confirm_view(user_id: int, scope: int) -> BaseView:
    view = BaseView(timeout=None)
    view.add_item(EraseButton(user_id, scope))
    view.add_item(KeepButton(user_id))
    return view


PAGE_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton,)
CONFIRM_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (EraseButton, KeepButton)
