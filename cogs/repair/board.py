"""The Discord side of repair that every journey shares: who reviews, a case's place, its summary.

Reads people and channels from Discord and turns them into the plain facts the service takes
(`Reviewer`); posts into a case's private thread or channel; re-renders a case's summary (this is
the `SummaryBoard` the service calls, e.g. after an erasure). Never logs a person's ID or text.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import MODERATORS_ONLY, NotAllowed
from bot.interactions import Item, ItemT, services_of
from bot.ui import NO_MENTIONS
from cogs.repair import texts, views
from cogs.repair.logic import CaseSummary
from cogs.repair.service import REPAIR, RepairService, Reviewer, Source

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

Place = discord.Thread | discord.TextChannel


class RepairItem(Item[ItemT]):
    """Repair's buttons and selects: errors are mapped once, with redaction (no custom_id, server or
    person in the log: a custom_id here names a case, a server or the moderators someone keeps away)."""

    redact = True


def service_of(client: discord.Client) -> RepairService:
    return services_of(client)[REPAIR]


def source_of(interaction: discord.Interaction) -> Source:
    message = interaction.message
    return Source(message.id if message else None, message.channel.id if message else None)


class CaseBoard:
    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot

    # --- people -----------------------------------------------------------------------------

    def moderators_of(self, guild: discord.Guild) -> list[discord.Member]:
        return sorted((m for m in guild.members if not m.bot and self.bot.is_moderator(m)),
                      key=lambda m: m.display_name.casefold())

    def reviewer(self, member: discord.Member) -> Reviewer:
        alternate_role = self.bot.wiring_for(member.guild).alternate_reviewers_role
        return Reviewer(member.id, member.guild.id, self.bot.is_moderator(member),
                        alternate_role is not None and alternate_role in member.roles)

    def reviewer_of(self, interaction: discord.Interaction) -> Reviewer:
        """The person acting, inside a server; the service checks what they may do."""
        user = interaction.user
        if interaction.guild is None or not isinstance(user, discord.Member):
            raise NotAllowed(texts.WORKS_IN_SERVER)
        reviewer = self.reviewer(user)
        if not (reviewer.is_moderator or reviewer.is_alternate):
            raise NotAllowed(MODERATORS_ONLY)  # before any lookup: a made-up case ID learns nothing
        return reviewer

    # --- a case's place ------------------------------------------------------------------------

    async def place_of(self, case: CaseSummary) -> Place | None:
        if case.thread_id is None:
            return None
        guild = self.bot.get_guild(case.guild_id)
        channel = guild.get_channel_or_thread(case.thread_id) if guild is not None else None
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(case.thread_id)  # type: ignore[assignment]
            except discord.HTTPException:
                return None
        return channel if isinstance(channel, (discord.Thread, discord.TextChannel)) else None

    async def post(self, case: CaseSummary, text: str, **kwargs: Any) -> discord.Message | None:
        place = await self.place_of(case)
        if place is None:
            return None
        kwargs.setdefault("allowed_mentions", NO_MENTIONS)
        try:
            return await place.send(text, **kwargs)
        except discord.HTTPException as exc:
            log.warning("repair: could not post in the thread of case id %s (HTTP %s)", case.case_id, exc.status)
            return None

    async def dm(self, user_id: int | None, body: str) -> bool:
        """A direct message to a requester; False when it could not be delivered."""
        if user_id is None:
            return False
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(views.clip(body, 2000), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            # No case ID here: whether an anonymous requester can be reached must not be readable
            # by whoever reads the logs either (often a moderator).
            log.info("repair: a direct message to a requester could not be delivered")
            return False
        return True
