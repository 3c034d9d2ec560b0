"""Views and persistent components for the COI feature.

custom_ids (all under 100 characters):
  coi:tag:<user_id>              the member's multi-select of COI categories (ephemeral)
  coi:notetaker:<meeting_id>     "I'll take notes" on a meeting opening
Both are `DynamicItem`s, so they keep working after a restart; their callbacks
reload everything from the database. DynamicItem errors do not reach a view's
`on_error`, so each callback reports its own errors through the central handler.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.errors import report_interaction_error
from bot.ui import NO_MENTIONS, BaseView
from cogs.coi import logic

if TYPE_CHECKING:
    from cogs.coi.cog import CoiCog
    from cogs.coi.meeting import MeetingCog

TAG_SELECT_PLACEHOLDER = "Choose every conflict of interest that applies to you"
NOTETAKER_LABEL = "I'll take notes"


def tag_options(categories: Sequence[logic.Category], current: set[str]) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=c.display[:100], value=c.key, description=logic.option_description(c),
                             default=c.key in current)
        for c in categories
    ]


class TagSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"coi:tag:(?P<user_id>\d+)"):
    """Multi-select (min 0) of the content's categories, current tags pre-selected."""

    def __init__(self, user_id: int, categories: Sequence[logic.Category] = (), current: set[str] | None = None):
        options = tag_options(categories, current or set()) or [discord.SelectOption(label="-", value="-")]
        super().__init__(discord.ui.Select(
            custom_id=f"coi:tag:{user_id}", placeholder=TAG_SELECT_PLACEHOLDER, min_values=0,
            max_values=len(options), options=options,
        ))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> TagSelect:
        return cls(int(match["user_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        cog: CoiCog | None = _cog(interaction, "CoiCog")
        data: dict[str, Any] = dict(interaction.data or {})
        values = [str(v) for v in data.get("values", [])]
        await _guarded(interaction, lambda: cog.on_tag_submitted(interaction, self.user_id, values)
                       if cog is not None else _gone(interaction))


def detached(view: discord.ui.View) -> discord.ui.View:
    """A view only for rendering: not kept in memory, so every click (before or after a restart)
    takes the same path through the DynamicItem, and long-lived messages don't pile up views."""
    view.stop()
    return view


def tag_view(user_id: int, categories: Sequence[logic.Category], current: set[str]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TagSelect(user_id, categories, current))
    return detached(view)


class NotetakerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"coi:notetaker:(?P<meeting_id>\d+)"):
    def __init__(self, meeting_id: int, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label=NOTETAKER_LABEL, emoji="📝", style=discord.ButtonStyle.primary,
            custom_id=f"coi:notetaker:{meeting_id}", disabled=disabled,
        ))
        self.meeting_id = meeting_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> NotetakerButton:
        return cls(int(match["meeting_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        cog: MeetingCog | None = _cog(interaction, "MeetingCog")
        await _guarded(interaction, lambda: cog.on_notetaker_click(interaction, self.meeting_id)
                       if cog is not None else _gone(interaction))


def notetaker_view(meeting_id: int, *, disabled: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(NotetakerButton(meeting_id, disabled=disabled))
    return detached(view)


def _cog(interaction: discord.Interaction, name: str) -> Any:
    client = interaction.client
    return client.get_cog(name) if isinstance(client, commands.Bot) else None


async def _gone(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(
        "This feature is switched off right now. Please ask a moderator.", ephemeral=True,
        allowed_mentions=NO_MENTIONS)


async def _guarded(interaction: discord.Interaction, run: Callable[[], Awaitable[None]]) -> None:
    try:
        await run()
    except Exception as error:  # every failure becomes a kind reply
        await report_interaction_error(interaction, error, "coi component")


class ListPager(BaseView):
    """Previous / Next over pages of the moderators' list (only for who opened it)."""

    def __init__(self, owner_id: int, pages: list[str], timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.pages = pages
        self.page = 0
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message("This list belongs to someone else's command.",
                                                    ephemeral=True)
            return False
        return True

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = logic.clamp_page(page, len(self.pages))
        self._sync()
        await interaction.response.edit_message(content=self.pages[self.page], view=self,
                                                allowed_mentions=NO_MENTIONS)

    @discord.ui.button(label="Previous page", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[ListPager]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next page", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[ListPager]) -> None:
        await self._show(interaction, self.page + 1)
