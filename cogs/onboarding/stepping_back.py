"""Stepping back from membership (/membership step-back): the Discord side of the journey.

The person confirms (buttons only they can press), then, in turn per person: the member role and the
bot-managed COI roles come off in ONE member update, and only then the service ends their membership
record (their yes), so a return goes through the onboarding again and a failed removal changes
nothing. The member role's removal is marked as the bot's own (Grants.gating), so it never becomes a
moderator's hold. Moderators get one short line; the optional reason is posted, never stored.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.client import CoalitionBot
from bot.errors import BadInput, Conflict
from bot.i18n import t, t_server
from bot.locks import KeyedLocks
from bot.plaintext import clip, plain
from bot.ui import NO_MENTIONS
from cogs.onboarding import step_back_texts as texts
from cogs.onboarding import step_back_views as views
from cogs.onboarding.grants import Grants, transient
from cogs.onboarding.service import OnboardingService

log = logging.getLogger(__name__)


class SteppingBack:
    def __init__(self, bot: CoalitionBot, service: OnboardingService, grants: Grants) -> None:
        self.bot = bot
        self.service = service
        self.grants = grants
        self.locks: KeyedLocks[tuple[int, int]] = KeyedLocks()

    def _member(self, interaction: discord.Interaction, guild_id: int) -> discord.Member:
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(interaction.user.id) if guild is not None else None
        if member is None:
            raise BadInput(t(texts.NOT_A_MEMBER))
        return member

    def _holds_member_role(self, member: discord.Member) -> bool:
        role = self.bot.wiring_for(member.guild).member_role
        return role is not None and role in member.roles

    async def ask(self, interaction: discord.Interaction) -> None:
        """The command: what stepping back means, and the buttons to confirm it (or not)."""
        guild_id = interaction.guild_id or 0
        member = self._member(interaction, guild_id)
        if not await self.service.is_member(guild_id, member.id, self._holds_member_role(member)):
            raise BadInput(t(texts.NOT_A_MEMBER))
        await interaction.response.send_message(t(texts.ASK), view=views.confirm_view(guild_id, member.id),
                                                ephemeral=True)

    async def choose(self, interaction: discord.Interaction, action: str, guild_id: int) -> None:
        """A press on one of the confirm buttons (the owner check already ran)."""
        if action == "keep":
            await interaction.response.edit_message(content=t(texts.KEPT), view=None)
        elif action == "reason":
            self._member(interaction, guild_id)
            await interaction.response.send_modal(views.reason_modal(guild_id, interaction.user.id))
        else:
            await self.step_back(interaction, guild_id, "", edit=True)

    async def reason_form(self, interaction: discord.Interaction, ids: dict[str, Any],
                          fields: dict[str, Any]) -> None:
        reason = " ".join(str(fields.get(views.REASON_FIELD) or "").split())  # one line in #mod-log
        await self.step_back(interaction, ids["guild"], reason, edit=False)

    async def step_back(self, interaction: discord.Interaction, guild_id: int, reason: str, *, edit: bool) -> None:
        # A refused form gives the person their text back (Discord has closed it).
        kept = t(texts.YOUR_REASON, reason=plain(clip(reason, views.REASON_LIMIT))) if reason else ""
        member = self._member(interaction, guild_id)
        # Acknowledged first: fetching the member and the role update can outlast Discord's 3-second
        # deadline when the API is slow or rate-limited. A refusal below then comes as a follow-up.
        if edit:
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.locks.hold((guild_id, member.id)):  # a double click is taken in turn, then refused
            # Their roles as Discord has them now: the cache may not have seen a removal of a moment ago.
            member = await self._fresh(member)
            holds = self._holds_member_role(member)
            if not await self.service.is_member(guild_id, member.id, holds):
                raise Conflict(t(texts.NOT_A_MEMBER) + kept)
            if not await self._take_roles(member, holds):
                raise Conflict(t(texts.ROLES_REFUSED) + kept)
            await self.service.step_back(guild_id, member.id)
        if edit:  # the person first, then the moderators' line
            await interaction.edit_original_response(content=t(texts.DONE), view=None, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(t(texts.DONE), ephemeral=True)
        line = t_server(texts.MODLOG, user=member.mention)
        if reason:
            line = t_server(texts.MODLOG_WITH_REASON, user=member.mention,
                            reason=plain(clip(reason, views.REASON_LIMIT)))
        await self.bot.modlog.post(self.bot.wiring_for(member.guild).mod_log_channel, line)

    async def _fresh(self, member: discord.Member) -> discord.Member:
        try:
            return await member.guild.fetch_member(member.id)
        except discord.NotFound:
            raise BadInput(t(texts.NOT_A_MEMBER)) from None

    async def _take_roles(self, member: discord.Member, holds_member_role: bool) -> bool:
        """The member role and the COI roles the bot manages, in one update; False: Discord refused."""
        wiring = self.bot.wiring_for(member.guild)
        managed = {r.id for r in wiring.coi_roles.values()}
        if wiring.member_role is not None:
            managed.add(wiring.member_role.id)
        held = [r for r in member.roles if r.id in managed]
        if not held:
            return True
        key = (member.guild.id, member.id)
        if holds_member_role:
            self.grants.gating.add(key)  # the bot's own removal: no moderator's hold (Grants.member_updated)
        try:
            # One PATCH with the roles they keep (remove_roles would be a request per role, and a
            # refusal halfway would leave some off): all come off, or nothing changes.
            await member.edit(roles=[r for r in member.roles if not r.is_default() and r not in held],
                              reason=t_server(texts.AUDIT_REASON))
        except discord.HTTPException as exc:
            self.grants.gating.discard(key)
            log.warning("could not take the roles off user %s in guild %s (HTTP %s)", member.id, member.guild.id,
                        exc.status)
            if not transient(exc):
                await self.bot.modlog.alert_once(member.guild.id, f"step-back-{member.id}", wiring.mod_log_channel,
                                                 t_server(texts.ROLES_REFUSED_MODLOG, user=member.mention,
                                                          status=exc.status))
            return False
        return True
