"""The roles and channels each server uses: found or created once at set-up, then held by ID.

A fresh, empty server must work with zero manual IDs: with `auto_provision` on and
the Manage Roles / Manage Channels permissions, whatever is missing is created.
Otherwise the log names exactly what is missing and which permission would help.

Names are read only at set-up, and only when no ID is stored yet for that name: after that the
bot holds each role and channel by its ID (stored per server in `guild_wiring`). Anyone with
Manage Roles can create a role called "Moderator"; it never becomes the bot's moderator role.
More than one role or channel with a configured name is not guessed at: it stays unset and the
server owner is told.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import discord

from bot.content import Content
from bot.settings import GuildSection, RoleOrChannel

log = logging.getLogger(__name__)

ROLE_KEYS = ("member_role", "newcomer_role", "moderator_role")
TEXT_CHANNEL_KEYS = ("welcome_channel", "moderators_channel", "mod_log_channel")
VOICE_CHANNEL_KEYS = ("waiting_room_channel",)
# Optional: used when configured and found, never created.
OPTIONAL_KEYS = (("alternate_reviewers_role", discord.Role), ("alternate_reviewers_channel", discord.TextChannel))
# Private to moderators when the bot creates them.
PRIVATE_CHANNEL_KEYS = {"moderators_channel", "mod_log_channel"}
COI_CHANNEL = "coi_channel"  # members only when the bot creates it
COI_ROLE = "coi_role:"  # + category key

# key -> (the configured name it was found for, its ID)
Stored = Mapping[str, tuple[str, int]]


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


@dataclass
class SetUp:
    """What set-up found: the wiring, the IDs to store, and what it could not decide."""

    wiring: GuildWiring
    stored: dict[str, tuple[str, int]]
    ambiguous: list[str] = field(default_factory=list)  # "role 'Moderator' (moderator_role): 2 have that name"
    problems: list[str] = field(default_factory=list)


def coi_role_name(prefix: str, label: str) -> str:
    return (prefix + label)[:100]


def configured_id(ref: RoleOrChannel | None) -> int | None:
    if isinstance(ref, int):
        return ref
    if isinstance(ref, str) and ref.isdigit():
        return int(ref)
    return None


def _by_id(guild: discord.Guild, target: int, kind: type) -> discord.Role | discord.abc.GuildChannel | None:
    found = guild.get_role(target) if kind is discord.Role else guild.get_channel(target)
    return found if isinstance(found, kind) else None


def _wanted(config: GuildSection, content: Content, coi_prefix: str,
            coi_channel: RoleOrChannel | None) -> list[tuple[str, RoleOrChannel, type]]:
    """(key, configured name or ID, kind) for everything a server may use."""
    wanted: list[tuple[str, RoleOrChannel, type]] = [(k, getattr(config, k), discord.Role) for k in ROLE_KEYS]
    wanted += [(k, getattr(config, k), discord.TextChannel) for k in TEXT_CHANNEL_KEYS]
    wanted += [(k, getattr(config, k), discord.VoiceChannel) for k in VOICE_CHANNEL_KEYS]
    wanted += [(k, getattr(config, k), kind) for k, kind in OPTIONAL_KEYS if getattr(config, k) is not None]
    if coi_channel is not None:
        wanted.append((COI_CHANNEL, coi_channel, discord.TextChannel))
    wanted += [(COI_ROLE + c.key, coi_role_name(coi_prefix, c.display), discord.Role) for c in content.coi_categories]
    return wanted


def resolve(guild: discord.Guild, config: GuildSection, content: Content, coi_prefix: str,
            coi_channel: RoleOrChannel | None = None, stored: Stored | None = None) -> GuildWiring:
    """Every role and channel from the IDs set-up stored (or IDs in the config); no names, no REST."""
    stored = stored or {}
    wiring = GuildWiring()
    for key, ref, kind in _wanted(config, content, coi_prefix, coi_channel):
        target = configured_id(ref)
        if target is None:
            entry = stored.get(key)
            target = entry[1] if entry is not None and entry[0] == str(ref) else None
        found = _by_id(guild, target, kind) if target is not None else None
        if key.startswith(COI_ROLE):
            if isinstance(found, discord.Role):
                wiring.coi_roles[key.removeprefix(COI_ROLE)] = found
        else:
            setattr(wiring, key, found)
    return wiring


def _named(guild: discord.Guild, name: str, kind: type,
           roles: Sequence[discord.Role]) -> list[discord.Role | discord.abc.GuildChannel]:
    if kind is discord.Role:
        return [r for r in roles if r.name == name]
    return [c for c in guild.channels if c.name == name and isinstance(c, kind)]


def _describe(key: str, name: str, kind: type) -> str:
    what = "role" if kind is discord.Role else "channel"
    return f"{what} '{name}' ({key})"


async def provision(guild: discord.Guild, config: GuildSection, content: Content, coi_prefix: str,
                    coi_channel: RoleOrChannel | None = None, stored: Stored | None = None) -> SetUp:
    """Find each role and channel by its stored ID, else (once) by its configured name; create
    what is missing (when allowed). Returns what to store; more than one match is never guessed."""
    stored = dict(stored or {})
    me = guild.me
    perms = me.guild_permissions
    roles = guild.roles  # sorted on every access: once
    result = SetUp(GuildWiring(), {})
    reason = "Coalition bot set-up (auto_provision = true)"
    found: dict[str, discord.Role | discord.abc.GuildChannel] = {}
    to_create: list[tuple[str, str, type]] = []

    for key, ref, kind in _wanted(config, content, coi_prefix, coi_channel):
        target = configured_id(ref)
        if target is not None:
            hit = _by_id(guild, target, kind)
            if hit is None:
                result.problems.append(f"{key} (ID {target} not found)")
            else:
                found[key] = hit
            continue
        name = str(ref)
        entry = stored.get(key)
        if entry is not None and entry[0] == name:
            hit = _by_id(guild, entry[1], kind)
            if hit is not None:
                found[key] = hit
                result.stored[key] = (name, hit.id)
                continue  # held by ID: another role or channel with this name changes nothing
        matches = _named(guild, name, kind, roles)
        if len(matches) > 1:
            result.ambiguous.append(f"{_describe(key, name, kind)}: {len(matches)} have that name")
        elif matches:
            found[key] = matches[0]
            result.stored[key] = (name, matches[0].id)
        elif any(key == k for k, _ in OPTIONAL_KEYS):
            result.problems.append(f"{_describe(key, name, kind)} not found")
        else:
            to_create.append((key, name, kind))

    for key, name, kind in to_create:
        if kind is discord.Role:
            if not config.auto_provision or not perms.manage_roles:
                result.problems.append(f"{_describe(key, name, kind)} — needs Manage Roles to create it")
                continue
        elif not config.auto_provision or not perms.manage_channels:
            result.problems.append(f"{_describe(key, name, kind)} — needs Manage Channels to create it")
            continue
        try:
            found[key] = await _create(guild, key, name, kind, found, reason)
        except discord.HTTPException as exc:  # one refusal must not lose what the rest of set-up found
            result.problems.append(f"{_describe(key, name, kind)} — Discord refused to create it (HTTP {exc.status})")
            continue
        result.stored[key] = (name, found[key].id)

    for key, hit in found.items():
        if key.startswith(COI_ROLE):
            assert isinstance(hit, discord.Role)
            result.wiring.coi_roles[key.removeprefix(COI_ROLE)] = hit
        else:
            setattr(result.wiring, key, hit)
    if result.problems:
        log.warning("server %s (%s) is missing: %s", guild.name, guild.id, "; ".join(result.problems))
    if result.ambiguous:
        log.warning("server %s (%s): more than one match, none used: %s", guild.name, guild.id,
                    "; ".join(result.ambiguous))
    return result


async def _create(guild: discord.Guild, key: str, name: str, kind: type, found: Mapping[str, object],
                  reason: str) -> discord.Role | discord.abc.GuildChannel:
    if kind is discord.Role:
        return await guild.create_role(name=name, reason=reason, mentionable=False)
    overwrites = _overwrites(guild, key, found)
    if kind is discord.VoiceChannel:
        return await guild.create_voice_channel(name, overwrites=overwrites, reason=reason)
    return await guild.create_text_channel(name, overwrites=overwrites, reason=reason)


def _overwrites(guild: discord.Guild, key: str, found: Mapping[str, object]
                ) -> dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]:
    """Moderators' channels: moderators only. The COI channel: members read, only the bot posts."""
    overwrites: dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite] = {}
    moderator_role = found.get("moderator_role")
    if key in PRIVATE_CHANNEL_KEYS or key == COI_CHANNEL:
        overwrites[guild.default_role] = discord.PermissionOverwrite(view_channel=False)
        overwrites[guild.me] = discord.PermissionOverwrite(view_channel=True, send_messages=True)
        if isinstance(moderator_role, discord.Role):
            overwrites[moderator_role] = discord.PermissionOverwrite(view_channel=True)
    if key == COI_CHANNEL:
        member_role = found.get("member_role")
        if isinstance(member_role, discord.Role):
            overwrites[member_role] = discord.PermissionOverwrite(view_channel=True, send_messages=False)
    return overwrites


def visible_to_everyone(channel: discord.abc.GuildChannel) -> bool:
    return channel.permissions_for(channel.guild.default_role).view_channel
