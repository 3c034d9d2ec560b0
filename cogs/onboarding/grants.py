"""The member role: the ONE member update after a yes, owed grants, and the role given or taken by others.

Crash safety: the role grant is owed (membership.role_granted_at NULL) until Discord confirmed it; a
job on the process that owns the server grants what a crash or another shard left owed — exactly
once, since it first checks the member cache for the role.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import discord

from bot.client import CoalitionBot
from bot.i18n import t, t_server
from bot.ui import NO_MENTIONS
from cogs.onboarding import logic, texts, views
from cogs.onboarding.service import Grant, OnboardingService

log = logging.getLogger(__name__)


def transient(exc: discord.HTTPException) -> bool:
    """A Discord-side failure worth retrying later (server error, or rate limited after retries)."""
    return exc.status >= 500 or exc.status == 429


class Grants:
    def __init__(self, bot: CoalitionBot, service: OnboardingService,
                 send_onboarding: Callable[[discord.Member], Awaitable[str]]) -> None:
        self.bot = bot
        self.service = service
        self.send_onboarding = send_onboarding  # [gate] enforce sends it to someone whose role it took
        self.batches: dict[int, logic.WelcomeBatch] = {}
        self.granting: set[tuple[int, int]] = set()  # (guild, user) pairs this process is granting right now
        self.gating: set[tuple[int, int]] = set()  # member roles this process is taking off ([gate] enforce)
        self.own_grants: set[tuple[int, int]] = set()  # member roles this process is giving after a yes

    async def apply(self, where: discord.Interaction | None, guild_id: int, user_id: int, grant: Grant) -> bool:
        """The ONE member update: + Member, + chosen COI roles, − Newcomer (then marked granted)."""
        guild = self.bot.get_guild(guild_id)
        key = (guild_id, user_id)
        if guild is None or key in self.granting:
            return False  # another shard's server (its process grants it), or already under way
        self.granting.add(key)
        try:
            granted = await self._apply_once(where, guild, user_id, grant)
        finally:
            self.granting.discard(key)
        if granted:
            await self.service.granted(guild_id, user_id)
        return granted

    async def _apply_once(self, where: discord.Interaction | None, guild: discord.Guild, user_id: int,
                          grant: Grant) -> bool:
        guild_id = guild.id
        wiring = self.bot.wiring_for(guild)
        problem = ""
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.HTTPException as exc:
                if transient(exc):
                    return False  # Discord failed, they did not leave: the job retries the grant
                member = None
        if member is None:
            problem = t_server(texts.ROLES_LEFT, user=f"<@{user_id}>")
        elif wiring.member_role is None:
            problem = t_server(texts.ROLES_NO_MEMBER_ROLE, user=f"<@{user_id}>")
        else:
            current = [r.id for r in member.roles if not r.is_default()]
            coi = [wiring.coi_roles[k].id for k in grant.coi_keys if k in wiring.coi_roles]
            newcomer = wiring.newcomer_role.id if wiring.newcomer_role else None
            new = logic.final_roles(current, member_role=wiring.member_role.id, newcomer_role=newcomer, coi_roles=coi)
            if set(new) != set(current):
                if len(self.own_grants) > 10_000:  # events that never came (e.g. a dropped connection)
                    self.own_grants.clear()
                self.own_grants.add((guild_id, user_id))
                try:
                    # Normal priority: queued first messages go first (see Delivery.deliver_first).
                    await member.edit(roles=[discord.Object(r) for r in new], reason=t_server(texts.GRANT_REASON))
                except discord.HTTPException as exc:
                    if transient(exc):
                        # Not a refusal: Discord failed. The grant stays owed and the job retries it
                        # after retry_after_seconds — no false alarm to the moderators or the newcomer
                        # (found by test_chaos_network.py).
                        log.warning("role grant for user %s in guild %s failed (HTTP %s); will retry",
                                    user_id, guild_id, exc.status)
                        return False
                    problem = t_server(texts.ROLES_REFUSED, user=f"<@{user_id}>", status=exc.status)
        if problem:
            await self.bot.modlog.alert_once(guild_id, f"onboarding-roles-{user_id}", wiring.mod_log_channel, problem)
            if where is not None:
                with contextlib.suppress(discord.HTTPException):
                    await where.followup.send(t(texts.NO_ROLE_YET), ephemeral=True)
            return False
        if not grant.reaffirm:
            self.batches.setdefault(guild_id, logic.WelcomeBatch()).add(user_id, self.bot.clock.now())
        return True

    async def retry_owed(self, retry_after: timedelta) -> None:
        """Grant roles a crash or another shard left owed, in the servers this process runs."""
        owned = [g.id for g in self.bot.guilds]
        due = await self.service.owed_grants(owned, self.bot.clock.now() - retry_after,
                                             lambda key: key in self.granting)
        for guild_id, user_id, grant in due:
            await self.apply(None, guild_id, user_id, grant)

    async def flush_welcomes(self, force: bool = False) -> None:
        now = self.bot.clock.now()
        for guild_id, batch in list(self.batches.items()):
            if not batch.user_ids or not (force or batch.due(now)):
                continue
            ids = batch.take()
            guild = self.bot.get_guild(guild_id)
            channel = self.bot.wiring_for(guild).mod_log_channel if guild else None
            for note in logic.welcome_notes(ids):
                await self.bot.modlog.post(channel, note)

    async def tell_moderators_held(self, guild_id: int, user_id: int) -> None:
        guild = self.bot.get_guild(guild_id)
        channel = self.bot.wiring_for(guild).mod_log_channel if guild is not None else None
        await self.bot.modlog.post(channel, t_server(texts.ROLE_HELD_MODLOG, user=f"<@{user_id}>"))

    async def member_updated(self, before: discord.Member, after: discord.Member) -> None:
        member_role = self.bot.wiring_for(after.guild).member_role
        if member_role is None or after.bot:
            return
        key = (after.guild.id, after.id)
        if member_role in before.roles and member_role not in after.roles:
            if key in self.gating:  # the bot's own removal ([gate] enforce), not a moderator's decision
                self.gating.discard(key)
                return
            # Someone (a moderator, another bot) took the member role away: respected until a
            # moderator allows it again, whatever the person does (a new yes, a rejoin, /mydata delete).
            await self.service.hold_role(after.guild.id, after.id)
        elif member_role not in before.roles and member_role in after.roles:
            if key in self.own_grants:  # the bot's grant after a yes: no query on the newcomer's path
                self.own_grants.discard(key)
                return
            await self._check_yes(after, member_role)

    async def _check_yes(self, member: discord.Member, member_role: discord.Role) -> None:
        """The member role given by other means (an invite that grants roles, another bot, by hand):
        without a recorded yes, moderators get one line with a button to send the onboarding, and
        with [gate] enforce the role is taken off until the person finishes it."""
        if await self.service.said_yes(member.guild.id, member.id):
            return  # said yes (the bot's own grant lands here too)
        mod_log = self.bot.wiring_for(member.guild).mod_log_channel
        enforce = self.bot.settings.gate.enforce
        text = t_server(texts.NO_YES_ENFORCED if enforce else texts.NO_YES_NOTICED, user=member.mention)
        if mod_log is not None:
            try:
                await mod_log.send(text, view=views.invite_view(member.guild.id, member.id),
                                   allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.warning("could not post to the mod-log channel of guild %s", member.guild.id)
        if enforce and await self.take_member_role(member, member_role):
            await self.send_onboarding(member)

    async def take_member_role(self, member: discord.Member, member_role: discord.Role) -> bool:
        """[gate] enforce: take the role off until their yes (the bot's own removal, so no moderator's hold)."""
        key = (member.guild.id, member.id)
        self.gating.add(key)
        try:
            await member.remove_roles(member_role, reason=t_server(texts.GATE_REASON))
        except discord.HTTPException:
            self.gating.discard(key)
            log.warning("could not take the member role off user %s in guild %s", member.id, member.guild.id)
            return False
        return True
