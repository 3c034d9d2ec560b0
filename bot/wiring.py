"""The roles and channels each server uses, found by name or ID, created when missing.

A fresh, empty server must work with zero manual IDs: with `auto_provision` on and
the Manage Roles / Manage Channels permissions, whatever is missing is created.
Otherwise the log names exactly what is missing and which permission would help.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from bot.content import Content
from bot.settings import GuildSection, RoleOrChannel

log = logging.getLogger(__name__)

ROLE_KEYS = ("member_role", "newcomer_role", "moderator_role")
TEXT_CHANNEL_KEYS = ("welcome_channel", "moderators_channel", "mod_log_channel")
VOICE_CHANNEL_KEYS = ("waiting_room_channel",)
# Private to moderators when the bot creates them.
PRIVATE_CHANNEL_KEYS = {"moderators_channel", "mod_log_channel"}


@dataclass
class GuildWiring:
    """What one server resolved to; any field may be None when missing."""

    member_role: discord.Role | None = None
    newcomer_role: discord.Role | None = None
    moderator_role: discord.Role | None = None
    welcome_channel: discord.TextChannel | None = None
    moderators_channel: discord.TextChannel | None = None
    mod_log_channel: discord.TextChannel | None = None
    waiting_room_channel: discord.VoiceChannel | None = None
    coi_channel: discord.TextChannel | None = None
    alternate_reviewers_role: discord.Role | None = None
    alternate_reviewers_channel: discord.TextChannel | None = None
    # COI category key -> role
    coi_roles: dict[str, discord.Role] = field(default_factory=dict)

    def missing(self) -> list[str]:
        names = [*ROLE_KEYS, *TEXT_CHANNEL_KEYS, *VOICE_CHANNEL_KEYS]
        return [name for name in names if getattr(self, name) is None]


def coi_role_name(prefix: str, label: str) -> str:
    return (prefix + label)[:100]


def _find_role(guild: discord.Guild, ref: RoleOrChannel | None,
               roles: Sequence[discord.Role] | None = None) -> discord.Role | None:
    if ref is None:
        return None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        return guild.get_role(int(ref))
    return discord.utils.get(guild.roles if roles is None else roles, name=ref)


def _find_channel(guild: discord.Guild, ref: RoleOrChannel | None, kind: type) -> discord.abc.GuildChannel | None:
    if ref is None:
        return None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        channel = guild.get_channel(int(ref))
    else:
        channel = discord.utils.find(lambda c: c.name == ref and isinstance(c, kind), guild.channels)
    return channel if isinstance(channel, kind) else None


def resolve(guild: discord.Guild, config: GuildSection, content: Content, coi_prefix: str,
            coi_channel: RoleOrChannel | None = None) -> GuildWiring:
    """Look up every configured role and channel in the guild's cache (no REST calls)."""
    wiring = GuildWiring()
    roles = guild.roles  # sorted on every access: once per resolve (it runs for every newcomer)
    for key in ROLE_KEYS:
        setattr(wiring, key, _find_role(guild, getattr(config, key), roles))
    for key in TEXT_CHANNEL_KEYS:
        setattr(wiring, key, _find_channel(guild, getattr(config, key), discord.TextChannel))
    for key in VOICE_CHANNEL_KEYS:
        setattr(wiring, key, _find_channel(guild, getattr(config, key), discord.VoiceChannel))
    wiring.alternate_reviewers_role = _find_role(guild, config.alternate_reviewers_role, roles)
    found = _find_channel(guild, config.alternate_reviewers_channel, discord.TextChannel)
    wiring.alternate_reviewers_channel = found if isinstance(found, discord.TextChannel) else None
    coi = _find_channel(guild, coi_channel, discord.TextChannel) if coi_channel is not None else None
    wiring.coi_channel = coi if isinstance(coi, discord.TextChannel) else wiring.welcome_channel
    for category in content.coi_categories:
        role = discord.utils.get(roles, name=coi_role_name(coi_prefix, category.display))
        if role is not None:
            wiring.coi_roles[category.key] = role
    return wiring


def _default_name(ref: RoleOrChannel) -> str | None:
    """Only names can be created; an ID that is not found cannot."""
    if isinstance(ref, int) or ref.isdigit():
        return None
    return ref


async def provision(guild: discord.Guild, config: GuildSection, content: Content, coi_prefix: str,
                    coi_channel: RoleOrChannel | None = None) -> GuildWiring:
    """Create what is missing (when allowed), then resolve again."""
    wiring = resolve(guild, config, content, coi_prefix, coi_channel)
    me = guild.me
    perms = me.guild_permissions
    problems: list[str] = []
    reason = "Coalition bot set-up (auto_provision = true)"

    for key in ROLE_KEYS:
        if getattr(wiring, key) is not None:
            continue
        name = _default_name(getattr(config, key))
        if name is None:
            problems.append(f"{key} (ID {getattr(config, key)} not found)")
        elif not config.auto_provision or not perms.manage_roles:
            problems.append(f"role '{name}' ({key}) — needs Manage Roles to create it")
        else:
            setattr(wiring, key, await guild.create_role(name=name, reason=reason, mentionable=False))

    missing_coi = [c for c in content.coi_categories if c.key not in wiring.coi_roles]
    for category in missing_coi:
        name = coi_role_name(coi_prefix, category.display)
        if config.auto_provision and perms.manage_roles:
            wiring.coi_roles[category.key] = await guild.create_role(name=name, reason=reason, mentionable=False)
        else:
            problems.append(f"role '{name}' — needs Manage Roles to create it")

    channel_keys = [*TEXT_CHANNEL_KEYS, *VOICE_CHANNEL_KEYS]
    for key in channel_keys:
        if getattr(wiring, key) is not None:
            continue
        name = _default_name(getattr(config, key))
        if name is None:
            problems.append(f"{key} (ID {getattr(config, key)} not found)")
            continue
        if not config.auto_provision or not perms.manage_channels:
            problems.append(f"channel '{name}' ({key}) — needs Manage Channels to create it")
            continue
        overwrites: dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite] = {}
        if key in PRIVATE_CHANNEL_KEYS:
            overwrites[guild.default_role] = discord.PermissionOverwrite(view_channel=False)
            overwrites[me] = discord.PermissionOverwrite(view_channel=True, send_messages=True)
            if wiring.moderator_role is not None:
                overwrites[wiring.moderator_role] = discord.PermissionOverwrite(view_channel=True)
        if key in VOICE_CHANNEL_KEYS:
            setattr(wiring, key, await guild.create_voice_channel(name, overwrites=overwrites, reason=reason))
        else:
            setattr(wiring, key, await guild.create_text_channel(name, overwrites=overwrites, reason=reason))

    if wiring.coi_channel is None:
        wiring.coi_channel = wiring.welcome_channel
    if problems:
        log.warning("guild %s is missing: %s", guild.id, "; ".join(problems))
    return wiring
