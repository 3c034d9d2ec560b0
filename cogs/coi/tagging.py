"""Declaring COI tags on Discord: who may, the roles that mirror the tags, the public announcement.

The stored tags are the service's; this adapter does what only Discord can (member checks, role
edits, the COI channel) and folds bursts of changes into one role update and one announcement
(cogs/coi/coalesce.py).
"""

from __future__ import annotations

import logging

import discord

from bot.client import CoalitionBot
from bot.errors import BadInput, BotMissingPermission, NotAllowed
from bot.i18n import t, t_server
from bot.ui import NO_MENTIONS
from cogs.coi import logic, texts
from cogs.coi.coalesce import PerPerson
from cogs.coi.service import CoiService

log = logging.getLogger(__name__)


def require_member(interaction: discord.Interaction) -> tuple[discord.Guild, discord.Member]:
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        raise BadInput(t(texts.IN_SERVER_ONLY))
    return interaction.guild, interaction.user


def check_can_assign(guild: discord.Guild, roles: list[discord.Role]) -> None:
    """Raise a clear message when the bot cannot give or take these roles."""
    me = guild.me
    if not me.guild_permissions.manage_roles:
        raise BotMissingPermission(t(texts.NEED_MANAGE_ROLES))
    blocked = logic.unmanageable([(r.name, r.position) for r in roles], me.top_role.position)
    if blocked:
        raise BotMissingPermission(logic.hierarchy_message(blocked, me.top_role.name))


class Tagging:
    def __init__(self, bot: CoalitionBot, service: CoiService) -> None:
        self.bot = bot
        self.service = service
        self.role_updates = PerPerson(bot.settings.coi.coalesce_roles_seconds)
        self.announcements = PerPerson(bot.settings.coi.coalesce_announce_seconds)
        self._shown: dict[tuple[int, int], set[str]] = {}  # what the COI channel last said of each person

    def cancel(self) -> None:
        self.role_updates.cancel()
        self.announcements.cancel()

    def require_coalition_member(self, member: discord.Member) -> None:
        """COI tags are for members (docs/member-features.md): people who said yes hold the member role."""
        member_role = self.bot.wiring_for(member.guild).member_role
        if member_role is None or member_role not in member.roles:
            raise NotAllowed(t(texts.MEMBERS_ONLY))

    def keys_from_roles(self, member: discord.Member) -> set[str]:
        roles = self.bot.wiring_for(member.guild).coi_roles
        return {key for key, role in roles.items() if role in member.roles}

    async def current(self, member: discord.Member) -> set[str]:
        """What the member has now: stored tags and the COI roles they hold."""
        return await self.service.tags_of(member.guild.id, member.id) | self.keys_from_roles(member)

    async def apply(self, guild: discord.Guild, member: discord.Member,
                    wanted: set[str]) -> tuple[logic.TagChange, set[str]]:
        """Set the member's COI roles (one member update) and tag rows to exactly `wanted`."""
        wiring = self.bot.wiring_for(guild)
        coi_roles = wiring.coi_roles
        missing = [k for k in wanted if k not in coi_roles]
        if missing:
            labels = logic.ordered_labels(missing, self.service.categories())
            raise BotMissingPermission(t(texts.ROLE_MISSING_FOR_TAG,
                labels=logic.human_join(labels), prefix=self.bot.settings.coi.role_prefix))
        held_roles = {key for key, role in coi_roles.items() if role in member.roles}
        role_change = logic.diff_tags(held_roles, wanted)
        to_touch = [coi_roles[k] for k in role_change.added | role_change.removed]
        if to_touch:
            check_can_assign(guild, to_touch)
        key = (guild.id, member.id)

        async def roles_now() -> None:
            # Quick toggling: one member update now, the rest folded into one at the window's end.
            if to_touch and self.role_updates.now_or_later(key, lambda: self._sync_roles(guild.id, member.id)):
                role_ids = logic.new_role_ids([r.id for r in member.roles if not r.is_default()],
                                              [r.id for r in coi_roles.values()],
                                              [coi_roles[k].id for k in sorted(wanted)])
                try:
                    await member.edit(roles=[discord.Object(rid) for rid in role_ids],
                                      reason=t_server(texts.ROLE_EDIT_REASON))
                except discord.Forbidden:
                    raise BotMissingPermission(t(texts.ROLES_REFUSED)) from None

        before = await self.service.save_tags(guild.id, member.id, wanted, while_open=roles_now)
        change = logic.diff_tags(before | held_roles, wanted)
        if change.changed and self.bot.settings.coi.announce:
            self._shown.setdefault(key, before | held_roles)
            if self.announcements.now_or_later(key, lambda: self._announce_latest(guild.id, member.id)):
                await self._announce(wiring.coi_channel, member, logic.diff_tags(self._shown[key], wanted))
                self._shown[key] = set(wanted)
        return change, wanted

    async def _sync_roles(self, guild_id: int, user_id: int) -> None:
        """The end of a burst of changes: one member update to the latest tags."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        if guild is None or member is None:
            return
        coi_roles = self.bot.wiring_for(guild).coi_roles
        wanted = await self.service.tags_of(guild_id, user_id)
        held = {key for key, role in coi_roles.items() if role in member.roles}
        if held == wanted:
            return
        role_ids = logic.new_role_ids([r.id for r in member.roles if not r.is_default()],
                                      [r.id for r in coi_roles.values()],
                                      [coi_roles[k].id for k in sorted(wanted) if k in coi_roles])
        await member.edit(roles=[discord.Object(rid) for rid in role_ids], reason=t_server(texts.ROLE_EDIT_REASON))

    async def _announce_latest(self, guild_id: int, user_id: int) -> None:
        """The end of a burst of changes: at most one announcement, of the latest state."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        if guild is None or member is None:
            return
        latest = await self.service.tags_of(guild_id, user_id)
        key = (guild_id, user_id)
        change = logic.diff_tags(self._shown.get(key, set()), latest)
        self._shown[key] = set(latest)
        if change.changed:
            await self._announce(self.bot.wiring_for(guild).coi_channel, member, change)

    async def _announce(self, channel: discord.TextChannel | None, member: discord.Member,
                        change: logic.TagChange) -> None:
        text = logic.announcement(member.mention, change, self.service.server_categories())
        if channel is None or text is None:
            return
        try:
            await channel.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not announce a COI change in channel %s (HTTP %s)", channel.id, exc.status)
