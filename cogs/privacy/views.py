"""Buttons for /privacy pages and the /mydata delete confirmation: they call the service and render.

Every button goes through the one DynamicItem base (bot.interactions.Item) and carries its own
state in its custom_id (declared once below), so it keeps working after a restart:
  privacy:page:<page>              show that page of the inventory
  privacy:erase:<user>:<scope>     confirm deletion (scope = guild id, or 0 for every server)
  privacy:keep:<user>              cancel deletion
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.errors import NotAllowed
from bot.i18n import t
from bot.interactions import CustomId, Item, ItemT, services_of
from bot.ui import BaseView
from cogs.privacy import logic, texts
from cogs.privacy.keys import PRIVACY, PRIVACY_ACTIONS

log = logging.getLogger(__name__)

EMBED_COLOUR = discord.Colour.blurple()
PAGE = CustomId("privacy:page:{page:int}")
ERASE = CustomId("privacy:erase:{user:int}:{scope:int}")
KEEP = CustomId("privacy:keep:{user:int}")


def inventory_page(pages: list[str], page: int) -> tuple[discord.Embed, BaseView | None]:
    page = max(0, min(page, len(pages) - 1))
    embed = discord.Embed(description=pages[page], colour=EMBED_COLOUR)
    if len(pages) > 1:
        embed.set_footer(text=logic.page_footer(page, len(pages)))
    return embed, pages_view(page, len(pages))


class PageButton(Item[discord.ui.Button[Any]], spec=PAGE):
    where = "privacy page"

    def __init__(self, page: int, label: str) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                           custom_id=PAGE.build(page=page)))
        self.page = page

    @classmethod
    def restore(cls, item: discord.ui.Item[Any], values: dict[str, Any]) -> PageButton:
        label = item.label if isinstance(item, discord.ui.Button) and item.label else t(texts.PAGE)
        return cls(values["page"], label)

    async def act(self, interaction: discord.Interaction) -> None:
        embed, view = inventory_page(services_of(interaction.client)[PRIVACY].inventory_pages(), self.page)
        await interaction.response.edit_message(embed=embed, view=view)


class OwnButton(Item[ItemT]):
    """A confirmation button only the person who asked may press; anyone else is told so in their
    own language (the pipeline has set it before `check`)."""

    async def check(self, interaction: discord.Interaction) -> None:
        if self.values["user"] != interaction.user.id:
            raise NotAllowed(t(texts.NOT_YOURS))


class EraseButton(OwnButton[discord.ui.Button[Any]], spec=ERASE):
    where = "privacy erase"

    def __init__(self, user: int, scope: int) -> None:
        super().__init__(discord.ui.Button(label=t(texts.ERASE_LABEL), style=discord.ButtonStyle.danger,
                                           custom_id=ERASE.build(user=user, scope=scope)))
        self.user_id, self.scope = user, scope

    async def act(self, interaction: discord.Interaction) -> None:
        services = services_of(interaction.client)
        service, actions = services[PRIVACY], services[PRIVACY_ACTIONS]
        await interaction.response.defer()
        guild_id = self.scope or None
        removed, failed = await actions.remove_managed_roles(self.user_id, guild_id)
        erased = await service.erase(self.user_id, guild_id, action="privacy.data_erased")
        await actions.erase_shown(erased.shown)
        await interaction.edit_original_response(
            content=logic.delete_done(erased.records, erased.cases_unlinked, removed, failed), view=None, embed=None)
        log.info("a member erased their data (%d server(s), %d value(s))", erased.servers, erased.total)


class KeepButton(OwnButton[discord.ui.Button[Any]], spec=KEEP):
    where = "privacy keep"

    def __init__(self, user: int) -> None:
        super().__init__(discord.ui.Button(label=t(texts.KEEP_LABEL), style=discord.ButtonStyle.secondary,
                                           custom_id=KEEP.build(user=user)))
        self.user_id = user

    async def act(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=t(texts.CANCELLED), view=None)


def pages_view(page: int, total: int) -> BaseView | None:
    if total <= 1:
        return None
    view = BaseView(timeout=None)
    if page > 0:
        view.add_item(PageButton(page - 1, t(texts.PREVIOUS_PAGE)))
    if page < total - 1:
        view.add_item(PageButton(page + 1, t(texts.NEXT_PAGE)))
    return view


def confirm_view(user_id: int, scope: int) -> BaseView:
    view = BaseView(timeout=None)
    view.add_item(EraseButton(user_id, scope))
    view.add_item(KeepButton(user_id))
    return view


PAGE_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton,)
CONFIRM_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (EraseButton, KeepButton)
