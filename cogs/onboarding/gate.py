"""The member-role gate at start-up, and Discord's Rules Screening ("pending" members).

At start-up, everyone holding the member role without a recorded yes is summed up in ONE #mod-log
line (not a line per person), with two buttons for moderators: "Who are they?" and "Send them the
onboarding". The bot never takes roles off at start-up by itself: on a server the bot has just
joined, every existing member holds the role without a yes, and one restart with `[gate] enforce`
on must not strip a whole community. The per-person line for a role given while the bot runs is
OnboardingCog.on_member_update.

A member still `pending` (Rules Screening not passed) is not sent the onboarding: OnboardingCog
skips them on join, and this cog starts their onboarding when Discord says they passed.

The buttons carry only the server ID; who is meant is worked out again at click time, so a click
hours later acts on the people it describes then (some may have said yes meanwhile).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import discord
from discord.ext import commands

from bot.errors import NotFound
from bot.i18n import t_server, tn_server
from bot.interactions import CustomId, Item, services_of
from bot.services import ServiceKey
from bot.ui import NO_MENTIONS
from cogs.onboarding import gate_texts as texts
from db.repositories import onboarding as repo

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

WHO_LIMIT = 40  # names listed by "Who are they?" (a message holds 2,000 characters)


@runtime_checkable
class Onboarding(Protocol):
    """What the gate uses of OnboardingCog (typed here so this module does not import the cog)."""

    async def on_member_join(self, member: discord.Member) -> None: ...

    async def take_member_role(self, member: discord.Member, member_role: discord.Role) -> bool: ...

    async def start_onboarding(self, member: discord.Member, moderator: discord.Member | None = None) -> str:
        """Send the onboarding from step 1: "dm", "closed" (their DMs are closed) or "retry"."""


def unconfirmed(holder_ids: Sequence[int], yes_ids: set[int]) -> list[int]:
    """Who holds the member role without a recorded yes, in a stable order."""
    return sorted(set(holder_ids) - yes_ids)


# OnboardingCog provides itself under ONBOARDING_GATE (typed by the Protocol above; no get_cog).
ONBOARDING_GATE = ServiceKey("onboarding.gate", Onboarding)  # type: ignore[type-abstract]  # a Protocol


class MemberGateCog(commands.Cog, name="MemberGate"):
    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.services.provide(MEMBER_GATE, self)
        self.bot.add_dynamic_items(GateWhoButton, GateSendButton)

    async def cog_unload(self) -> None:
        self.bot.services.remove(MEMBER_GATE)
        self.bot.remove_dynamic_items(GateWhoButton, GateSendButton)

    def _onboarding(self) -> Onboarding | None:
        return self.bot.services.get(ONBOARDING_GATE)

    async def holders_without_yes(self, guild: discord.Guild) -> list[discord.Member]:
        role = self.bot.wiring_for(guild).member_role
        if role is None:
            return []
        holders = [m for m in role.members if not m.bot]
        if not holders:
            return []
        async with self.bot.sessions() as session:
            yes = await repo.yes_user_ids(session, guild.id)
        by_id = {m.id: m for m in holders}
        return [by_id[i] for i in unconfirmed(list(by_id), yes)]

    # --- start-up ---------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_coalition_guild_ready(self, guild: discord.Guild) -> None:
        if not self.bot.settings.onboarding.enabled:
            return
        found = await self.holders_without_yes(guild)
        mod_log = self.bot.wiring_for(guild).mod_log_channel
        if not found or mod_log is None:
            return
        count = len(found)
        text = tn_server(texts.UNCONFIRMED_SUMMARY, count)
        if self.bot.settings.gate.enforce:
            text += t_server(texts.UNCONFIRMED_SUMMARY_ENFORCE)
        log.info("%d member(s) hold the member role without a recorded yes (guild %s)", count, guild.id)
        try:
            await mod_log.send(text, view=summary_view(guild.id, count, self.bot.settings.gate.enforce),
                               allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not post to the mod-log channel of guild %s (HTTP %s)", guild.id, exc.status)

    # --- Rules Screening ----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if before.pending and not after.pending and not after.bot:
            onboarding = self._onboarding()
            if onboarding is not None:
                # They passed Rules Screening: now the onboarding starts, as if they had just joined.
                await onboarding.on_member_join(after)

    # --- the summary line's buttons (moderators only, checked here) ----------------------------

    async def on_who_click(self, interaction: discord.Interaction, guild_id: int) -> None:
        moderator = self.bot.require_moderator(interaction)  # before any lookup
        if moderator.guild.id != guild_id:
            raise NotFound(t_server(texts.WHO_NOBODY))
        found = await self.holders_without_yes(moderator.guild)
        if not found:
            await interaction.response.send_message(t_server(texts.WHO_NOBODY), ephemeral=True)
            return
        names = "\n".join(f"• {m.mention}" for m in found[:WHO_LIMIT])
        more = t_server(texts.WHO_MORE, more=len(found) - WHO_LIMIT) if len(found) > WHO_LIMIT else ""
        await interaction.response.send_message(t_server(texts.WHO_LIST, count=len(found), names=names) + more,
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def on_send_click(self, interaction: discord.Interaction, guild_id: int) -> None:
        moderator = self.bot.require_moderator(interaction)  # before any lookup
        onboarding = self._onboarding()
        if moderator.guild.id != guild_id or onboarding is None:
            raise NotFound(t_server(texts.NOBODY_TO_SEND))
        found = await self.holders_without_yes(moderator.guild)
        if not found:
            await interaction.response.send_message(t_server(texts.NOBODY_TO_SEND), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        role = self.bot.wiring_for(moderator.guild).member_role
        gated = closed = 0
        for member in found:
            if self.bot.settings.gate.enforce and role is not None and await onboarding.take_member_role(member,
                                                                                                          role):
                gated += 1
            # The same path as the per-person button and /mod-onboarding restart (same package).
            closed += await onboarding.start_onboarding(member, moderator) == "closed"
        await interaction.followup.send(tn_server(
            texts.SENT_SUMMARY, len(found),
            gated=t_server(texts.SENT_GATED, count=gated) if gated else "",
            closed=t_server(texts.SENT_CLOSED, count=closed) if closed else ""), ephemeral=True)


WHO = CustomId("gate:who:{guild:int}")
SEND = CustomId("gate:send:{guild:int}")


class GateWhoButton(Item[discord.ui.Button[Any]], spec=WHO):
    def __init__(self, guild: int) -> None:
        super().__init__(discord.ui.Button(label=t_server(texts.WHO_LABEL), style=discord.ButtonStyle.secondary,
                                           custom_id=WHO.build(guild=guild)))
        self.guild_id = guild

    async def act(self, interaction: discord.Interaction) -> None:
        await _gate(interaction).on_who_click(interaction, self.guild_id)


class GateSendButton(Item[discord.ui.Button[Any]], spec=SEND):
    def __init__(self, guild: int, label: str = "") -> None:
        super().__init__(discord.ui.Button(label=label or t_server(texts.SEND_LABEL, count=t_server(texts.SEND_ALL)),
                                           style=discord.ButtonStyle.primary, custom_id=SEND.build(guild=guild)))
        self.guild_id = guild

    @classmethod
    def restore(cls, item: discord.ui.Item[Any], values: dict[str, Any]) -> GateSendButton:
        return cls(values["guild"], getattr(item, "label", "") or "")  # keeps the count it was posted with

    async def act(self, interaction: discord.Interaction) -> None:
        await _gate(interaction).on_send_click(interaction, self.guild_id)


def _gate(interaction: discord.Interaction) -> MemberGateCog:
    return services_of(interaction.client)[MEMBER_GATE]


def summary_view(guild_id: int, count: int, enforce: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(GateWhoButton(guild_id))
    label = t_server(texts.SEND_AND_GATE_LABEL if enforce else texts.SEND_LABEL, count=count)
    view.add_item(GateSendButton(guild_id, label))
    return view


MEMBER_GATE = ServiceKey("onboarding.member_gate", MemberGateCog)
