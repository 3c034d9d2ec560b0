"""Buttons for /privacy pages and the /mydata delete confirmation.

Every button is a DynamicItem that carries its own state in its custom_id, so it keeps
working after a restart:
  privacy:page:<n>                  show page n of the inventory
  privacy:erase:<user_id>:<scope>   confirm deletion (scope = guild id, or 0 for every server)
  privacy:keep:<user_id>            cancel deletion
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import NotAllowed, report_interaction_error
from bot.ui import BaseView

if TYPE_CHECKING:
    from cogs.privacy.cog import PrivacyCog

PAGE_TEMPLATE = r"privacy:page:(?P<page>\d+)"
ERASE_TEMPLATE = r"privacy:erase:(?P<user>\d+):(?P<scope>\d+)"
KEEP_TEMPLATE = r"privacy:keep:(?P<user>\d+)"

NOT_YOURS = "These buttons belong to someone else's request, so I can't act on them for you."


def _cog(interaction: discord.Interaction) -> PrivacyCog:
    cog = interaction.client.get_cog("PrivacyCog")  # type: ignore[attr-defined]
    assert cog is not None
    return cog  # type: ignore[no-any-return]


async def _guarded(interaction: discord.Interaction, where: str,
                   action: Callable[[], Awaitable[None]]) -> None:
    """DynamicItem errors do not reach a view's on_error: send them to the central handler."""
    try:
        await action()
    except Exception as error:
        await report_interaction_error(interaction, error, where)


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PAGE_TEMPLATE):
    def __init__(self, page: int, label: str) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                           custom_id=f"privacy:page:{page}"))
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PageButton:
        label = item.label if isinstance(item, discord.ui.Button) and item.label else "Page"
        return cls(int(match["page"]), label)

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, "privacy page", lambda: _cog(interaction).show_inventory_page(
            interaction, self.page, edit=True))


class EraseButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ERASE_TEMPLATE):
    def __init__(self, user_id: int, scope: int) -> None:
        super().__init__(discord.ui.Button(label="Yes, delete my data", style=discord.ButtonStyle.danger,
                                           custom_id=f"privacy:erase:{user_id}:{scope}"))
        self.user_id, self.scope = user_id, scope

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> EraseButton:
        return cls(int(match["user"]), int(match["scope"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def run() -> None:
            if interaction.user.id != self.user_id:
                raise NotAllowed(NOT_YOURS)
            await _cog(interaction).erase_confirmed(interaction, self.scope or None)
        await _guarded(interaction, "privacy erase", run)


class KeepButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=KEEP_TEMPLATE):
    def __init__(self, user_id: int) -> None:
        super().__init__(discord.ui.Button(label="No, keep my data", style=discord.ButtonStyle.secondary,
                                           custom_id=f"privacy:keep:{user_id}"))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> KeepButton:
        return cls(int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def run() -> None:
            if interaction.user.id != self.user_id:
                raise NotAllowed(NOT_YOURS)
            await _cog(interaction).erase_cancelled(interaction)
        await _guarded(interaction, "privacy keep", run)


def pages_view(page: int, total: int) -> BaseView | None:
    if total <= 1:
        return None
    view = BaseView(timeout=None)
    if page > 0:
        view.add_item(PageButton(page - 1, "Previous page"))
    if page < total - 1:
        view.add_item(PageButton(page + 1, "Next page"))
    return view


def confirm_view(user_id: int, scope: int) -> BaseView:
    view = BaseView(timeout=None)
    view.add_item(EraseButton(user_id, scope))
    view.add_item(KeepButton(user_id))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton, EraseButton, KeepButton)
