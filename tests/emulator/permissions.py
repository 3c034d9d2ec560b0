"""Discord permission bits and the permission-resolution algorithm.

The emulator answers 50013 exactly where Discord would, so features that forget a
permission (or try to manage a role above the bot) fail in tests the way they fail live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .state import Channel, Guild

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_AUDIT_LOG = 1 << 7
PRIORITY_SPEAKER = 1 << 8
STREAM = 1 << 9
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
MUTE_MEMBERS = 1 << 22
DEAFEN_MEMBERS = 1 << 23
MOVE_MEMBERS = 1 << 24
USE_VAD = 1 << 25
CHANGE_NICKNAME = 1 << 26
MANAGE_NICKNAMES = 1 << 27
MANAGE_ROLES = 1 << 28
MANAGE_WEBHOOKS = 1 << 29
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40
SET_VOICE_CHANNEL_STATUS = 1 << 48

ALL = (1 << 53) - 1

DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE | ADD_REACTIONS | STREAM | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS
    | ATTACH_FILES | READ_MESSAGE_HISTORY | MENTION_EVERYONE | USE_EXTERNAL_EMOJIS | CONNECT | SPEAK
    | USE_VAD | CHANGE_NICKNAME | USE_APPLICATION_COMMANDS | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS | SEND_MESSAGES_IN_THREADS
)

DEFAULT_BOT_PERMS = (
    MANAGE_ROLES | MANAGE_CHANNELS | MOVE_MEMBERS | MANAGE_MESSAGES | SEND_MESSAGES | VIEW_CHANNEL
    | READ_MESSAGE_HISTORY | EMBED_LINKS | ATTACH_FILES | MANAGE_THREADS | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS | CONNECT | SET_VOICE_CHANNEL_STATUS
)

MODERATOR_PERMS = (
    DEFAULT_EVERYONE | MANAGE_MESSAGES | KICK_MEMBERS | MODERATE_MEMBERS | MOVE_MEMBERS | MANAGE_THREADS
)


def base_permissions(guild: Guild, user_id: int) -> int:
    """Guild-level permissions: owner → all; @everyone | member roles; administrator → all."""
    if user_id == guild.owner_id:
        return ALL
    member = guild.members.get(user_id)
    perms = guild.roles[guild.id].permissions
    if member is not None:
        for rid in member.roles:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    """Discord's overwrite algorithm (@everyone, then roles aggregated, then member).

    Threads inherit from their parent channel; no VIEW_CHANNEL means nothing else.
    """
    base = base_permissions(guild, user_id)
    if base & ADMINISTRATOR or base == ALL:
        return ALL
    target = channel
    if channel.is_thread() and channel.parent_id is not None:
        target = guild.channels.get(channel.parent_id, channel)
    perms = base
    ow = target.overwrites
    everyone = ow.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    member = guild.members.get(user_id)
    allow = deny = 0
    if member is not None:
        for rid in member.roles:
            o = ow.get(rid)
            if o is not None:
                allow |= o.allow
                deny |= o.deny
    perms = (perms & ~deny) | allow
    mo = ow.get(user_id)
    if mo is not None:
        perms = (perms & ~mo.deny) | mo.allow
    if not perms & VIEW_CHANNEL:
        return 0
    private_thread = channel.is_thread() and channel.type == 12
    if private_thread and user_id not in channel.thread_members and not perms & MANAGE_THREADS:
        return 0
    return perms


def top_role_position(guild: Guild, user_id: int) -> int:
    """Highest role position of a member (@everyone is 0)."""
    member = guild.members.get(user_id)
    if member is None:
        return -1
    best = 0
    for rid in member.roles:
        role = guild.roles.get(rid)
        if role is not None and role.position > best:
            best = role.position
    return best
