"""Views and persistent components for the COI feature: they render, and hand clicks to the service.

custom_ids (all under 100 characters), declared once below as specs (bot.interactions.CustomId):
  coi:tag:<user>            the member's multi-select of COI categories (ephemeral)
  coi:notetaker:<meeting>   "I'll take notes" on a meeting opening
Both go through the one DynamicItem base (bot.interactions.Item): they keep working after a
restart, reload everything from the database, refuse in `check` and map every error once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import discord

from bot.errors import NotAllowed
from bot.i18n import t, t_server
from bot.interactions import CustomId, Item, services_of
from bot.plaintext import plain
from bot.services import ServiceKey
from bot.ui import NO_MENTIONS, BaseView
from cogs.coi import logic, texts
from cogs.coi.keys import COI, COI_TAGGING
from cogs.coi.service import NotetakerClaim
from cogs.coi.tagging import require_member

TAG = CustomId("coi:tag:{user:int}")
NOTETAKER = CustomId("coi:notetaker:{meeting:int}")


def tag_options(categories: Sequence[logic.Category], current: set[str]) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=c.display[:100], value=c.key, description=logic.option_description(c),
                             default=c.key in current)
        for c in categories
    ]


class TagSelect(Item[discord.ui.Select[Any]], spec=TAG):
    """Multi-select (min 0) of the content's categories, current tags pre-selected."""

    where = "coi tag select"

    def __init__(self, user: int, categories: Sequence[logic.Category] = (), current: set[str] | None = None):
        options = tag_options(categories, current or set()) or [discord.SelectOption(label="-", value="-")]
        super().__init__(discord.ui.Select(
            custom_id=TAG.build(user=user), placeholder=t(texts.TAG_SELECT_PLACEHOLDER), min_values=0,
            max_values=len(options), options=options,
        ))
        self.user_id = user

    async def check(self, interaction: discord.Interaction) -> None:
        _, member = require_member(interaction)
        if member.id != self.user_id:
            raise NotAllowed(t(texts.NOT_YOUR_LIST))
        # Also on the select, not only /coi tag: a saved or forged list is no way around it.
        services_of(interaction.client)[COI_TAGGING].require_coalition_member(member)

    async def act(self, interaction: discord.Interaction) -> None:
        tagging = services_of(interaction.client)[COI_TAGGING]
        guild, member = require_member(interaction)
        data: dict[str, Any] = dict(interaction.data or {})
        wanted = tagging.service.known(str(v) for v in data.get("values", []))
        await interaction.response.defer()  # editing the same message when done (type 6 now, edit after)
        change, held = await tagging.apply(guild, member, wanted)
        categories = tagging.service.categories()
        await interaction.edit_original_response(
            content=logic.tag_confirmation(change, held, categories),
            view=tag_view(member.id, categories, held), allowed_mentions=NO_MENTIONS)


def detached(view: discord.ui.View) -> discord.ui.View:
    """A view only for rendering: not kept in memory, so every click (before or after a restart)
    takes the same path through the DynamicItem, and long-lived messages don't pile up views."""
    view.stop()
    return view


def tag_view(user_id: int, categories: Sequence[logic.Category], current: set[str]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TagSelect(user_id, categories, current))
    return detached(view)


def holder_line(guild: discord.Guild, user_id: int) -> str:
    """One line of /mod-coi list (for moderators: the server's language)."""
    member = guild.get_member(user_id)
    if member is not None:
        return t_server(texts.HOLDER_NAMED, name=plain(member.display_name), user_id=user_id)
    if guild.chunked:  # every member is known: this one has gone
        return t_server(texts.HOLDER_LEFT, user_id=user_id)
    # members are not all downloaded (chunk_guilds_at_startup = false): Discord shows the name
    return t_server(texts.HOLDER_UNKNOWN, user_id=user_id)


class NotetakerButton(Item[discord.ui.Button[Any]], spec=NOTETAKER):
    where = "coi note-taker button"

    def __init__(self, meeting: int, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label=t_server(texts.NOTETAKER_LABEL), emoji="📝", style=discord.ButtonStyle.primary,
            custom_id=NOTETAKER.build(meeting=meeting), disabled=disabled,
        ))
        self.meeting_id = meeting

    async def act(self, interaction: discord.Interaction) -> None:
        claim = await services_of(interaction.client)[COI].claim_notetaker(self.meeting_id, interaction.user.id)
        await show_claim(interaction, claim)


async def show_claim(interaction: discord.Interaction, claim: NotetakerClaim) -> None:
    """The opening names the winner (public: the server's language); anyone else is thanked privately (theirs)."""
    user = interaction.user
    if claim.won:
        await interaction.response.edit_message(content=logic.notetaker_line(user.mention),
                                                allowed_mentions=NO_MENTIONS)
        return
    if claim.ended:
        await interaction.response.send_message(t(texts.MEETING_ENDED_NO_NOTETAKER), ephemeral=True)
        return
    taker = claim.notetaker_id
    member = interaction.guild.get_member(taker) if interaction.guild and taker else None
    name = plain(member.display_name) if member else t(texts.SOMEONE)
    await interaction.response.send_message(logic.notetaker_taken(name, taker == user.id), ephemeral=True,
                                            allowed_mentions=NO_MENTIONS)


@runtime_checkable
class MeetingButtons(Protocol):
    """More buttons for a meeting's opening, from another feature (attendance's "I'm here"): the
    opening stays this feature's, and this feature never imports the other one."""

    def meeting_buttons(self, meeting_id: int, kind: str, *, disabled: bool) -> Sequence[discord.ui.Item[Any]]: ...


MEETING_BUTTONS = ServiceKey("meeting buttons", MeetingButtons)  # type: ignore[type-abstract]  # a Protocol


def notetaker_view(meeting_id: int, *, disabled: bool = False,
                   more: Sequence[discord.ui.Item[Any]] = ()) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(NotetakerButton(meeting_id, disabled=disabled))
    for item in more:
        view.add_item(item)
    return detached(view)


class ListPager(BaseView):
    """Previous / Next over pages of the moderators' list (only for who opened it)."""

    def __init__(self, owner_id: int, pages: list[str], timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.pages = pages
        self.page = 0
        self.previous.label = t_server(texts.PREVIOUS_PAGE)  # a moderator's list: the server's language
        self.next.label = t_server(texts.NEXT_PAGE)
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(t(texts.LIST_NOT_YOURS), ephemeral=True)
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
