"""The Discord side of repair that every journey shares: who reviews, a case's place, its summary.

Reads people and channels from Discord and turns them into the plain facts the service takes
(`Reviewer`); posts into a case's private thread or channel; re-renders a case's summary (this is
the `SummaryBoard` the service calls, e.g. after an erasure). Never logs a person's ID or text.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot import case_places
from bot.case_places import Place
from bot.errors import MODERATORS_ONLY, NotAllowed
from bot.i18n import t_server
from bot.interactions import Item, ItemT, services_of
from bot.languages import LANGUAGES
from cogs.repair import texts
from cogs.repair.logic import CaseSummary
from cogs.repair.service import REPAIR, RepairService, Reviewer, Source

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

class RepairItem(Item[ItemT]):
    """Repair's buttons and selects: errors are mapped once, with redaction (no custom_id, server or
    person in the log: a custom_id here names a case, a server or the moderators someone keeps away)."""

    redact = True


def service_of(client: discord.Client) -> RepairService:
    return services_of(client)[REPAIR]


def language_of(client: discord.Client, user_id: int | None) -> str | None:
    """The language to write to a requester in outside their own interaction (None: the server's)."""
    book = services_of(client).get(LANGUAGES)
    return book.language_of(user_id) if book is not None and user_id is not None else None


def source_of(interaction: discord.Interaction) -> Source:
    message = interaction.message
    return Source(message.id if message else None, message.channel.id if message else None)


class CaseBoard:
    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot

    # --- people -----------------------------------------------------------------------------

    def moderators_of(self, guild: discord.Guild) -> list[discord.Member]:
        return case_places.moderators_of(self.bot, guild)

    def reviewer(self, member: discord.Member) -> Reviewer:
        alternate_role = self.bot.wiring_for(member.guild).alternate_reviewers_role
        return Reviewer(member.id, member.guild.id, self.bot.is_moderator(member),
                        alternate_role is not None and alternate_role in member.roles)

    def reviewer_of(self, interaction: discord.Interaction) -> Reviewer:
        """The person acting, inside a server; the service checks what they may do."""
        user = interaction.user
        if interaction.guild is None or not isinstance(user, discord.Member):
            raise NotAllowed(t_server(texts.WORKS_IN_SERVER))
        reviewer = self.reviewer(user)
        if not (reviewer.is_moderator or reviewer.is_alternate):
            raise NotAllowed(MODERATORS_ONLY)  # before any lookup: a made-up case ID learns nothing
        return reviewer

    # --- a case's place ------------------------------------------------------------------------

    async def place_of(self, case: CaseSummary) -> Place | None:
        return await case_places.place_by_id(self.bot, case.guild_id, case.thread_id)

    async def post(self, case: CaseSummary, text: str, **kwargs: Any) -> discord.Message | None:
        return await case_places.post(await self.place_of(case), text, **kwargs)

    async def dm(self, user_id: int | None, pages: list[str]) -> bool:
        """A direct message (one or more pages) to a requester; False when it could not be delivered."""
        for page in pages:
            if not await case_places.dm(self.bot, user_id, page):
                return False
        return True
