"""The waiting room's changes on Discord: checking, applying, undoing and restoring overwrites and moves.

Discord only: what is stored (the previous overwrites, who was moved) is the service's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import discord

from bot.errors import BadInput
from bot.i18n import t_server
from cogs.coi import logic, texts

log = logging.getLogger(__name__)

RestrictableChannel = discord.VoiceChannel | discord.StageChannel | discord.TextChannel


def restrictable(channel: object) -> RestrictableChannel:
    if isinstance(channel, discord.CategoryChannel):
        raise BadInput(t_server(texts.NOT_A_CATEGORY))
    if isinstance(channel, discord.Thread):
        raise BadInput(t_server(texts.NOT_A_THREAD))
    if not isinstance(channel, discord.VoiceChannel | discord.StageChannel | discord.TextChannel):
        raise BadInput(t_server(texts.NOT_RESTRICTABLE))
    return channel


def overwrite_pair(channel: discord.abc.GuildChannel, target_id: int) -> logic.Pair | None:
    """The channel's current overwrite for a role as (allow, deny), or None when there is none."""
    for target, overwrite in channel.overwrites.items():
        if target.id == target_id:
            allow, deny = overwrite.pair()
            return allow.value, deny.value
    return None


def as_overwrite(pair: logic.Pair) -> discord.PermissionOverwrite:
    return discord.PermissionOverwrite.from_pair(discord.Permissions(pair[0]), discord.Permissions(pair[1]))


def missing_channel_permissions(channel: RestrictableChannel, me: discord.Member,
                                room_channel: discord.VoiceChannel | None) -> list[str]:
    """What the bot lacks to restrict `channel` (it can only deny permissions it holds itself)."""
    perms = channel.permissions_for(me)
    where = channel.mention
    needed = [(t_server(texts.PERM_MANAGE, channel=where), perms.manage_roles),
              (t_server(texts.PERM_VIEW, channel=where), perms.view_channel),
              (t_server(texts.PERM_CONNECT, channel=where), perms.connect),
              (t_server(texts.PERM_SPEAK, channel=where), perms.speak)]
    if isinstance(channel, discord.VoiceChannel | discord.StageChannel):
        needed.append((t_server(texts.PERM_MOVE, channel=where), perms.move_members))
        if room_channel is not None:
            room = room_channel.permissions_for(me)
            needed.append((t_server(texts.PERM_ROOM, channel=room_channel.mention), room.connect and room.move_members))
    return [name for name, ok in needed if not ok]


@dataclass
class Applied:
    """What a start has changed so far (to undo on failure)."""

    overwrites: list[tuple[discord.Role, logic.Pair | None]] = field(default_factory=list)
    moved: list[discord.Member] = field(default_factory=list)
    step: str = texts.STEP_PERMISSIONS  # a texts.STEP_* sentence, rendered when told


async def apply(target: RestrictableChannel, roles: list[discord.Role], room_channel: discord.VoiceChannel | None,
                to_move: list[discord.Member], applied: Applied) -> list[int]:
    """Deny the roles, then move their holders out; returns who had left voice meanwhile (not moved)."""
    for role in roles:
        previous = overwrite_pair(target, role.id)
        await target.set_permissions(role, overwrite=as_overwrite(logic.restricted(previous)),
                                     reason=t_server(texts.REASON))
        applied.overwrites.append((role, previous))
    skipped: list[int] = []
    applied.step = texts.STEP_MOVE
    for member in to_move:
        try:
            await member.move_to(room_channel, reason=t_server(texts.REASON))
            applied.moved.append(member)
        except discord.HTTPException as exc:
            if exc.code == 40032:  # they left voice in the meantime: nothing to do
                skipped.append(member.id)
                continue
            raise
    return skipped


async def undo(target: RestrictableChannel, applied: Applied) -> bool:
    """Undo what `apply` did, newest first; False when some step could not be undone."""
    undo_failed = False
    for member in reversed(applied.moved):
        if not isinstance(target, discord.VoiceChannel | discord.StageChannel):
            break
        try:
            await member.move_to(target, reason=t_server(texts.REASON_UNDO))
        except discord.HTTPException:
            undo_failed = True
    for role, previous in reversed(applied.overwrites):
        try:
            await target.set_permissions(role, overwrite=None if previous is None else as_overwrite(previous),
                                         reason=t_server(texts.REASON_UNDO))
        except discord.HTTPException:
            undo_failed = True
    return not undo_failed


def rollback_message(target: RestrictableChannel, applied: Applied, error: discord.HTTPException,
                     undone: bool) -> str:
    if isinstance(error, discord.Forbidden):
        cause = t_server(texts.ROLLBACK_FORBIDDEN, step=t_server(applied.step), channel=target.mention)
    else:
        cause = t_server(texts.ROLLBACK_HTTP, status=error.status, step=t_server(applied.step))
    if not undone:
        return t_server(texts.ROLLBACK_PARTIAL, cause=cause, name=target.name)
    return t_server(texts.ROLLBACK_DONE, cause=cause, channel=target.mention)


async def restore(guild: discord.Guild, channel: RestrictableChannel,
                  previous: dict[int, logic.Pair | None]) -> None:
    for role_id, pair in previous.items():
        role = guild.get_role(role_id)
        if role is None:
            continue  # the role was deleted: its overwrite went with it
        try:
            await channel.set_permissions(role, overwrite=None if pair is None else as_overwrite(pair),
                                          reason=t_server(texts.REASON_ENDED))
        except discord.NotFound:
            continue  # "no overwrite" and there is none: already as it was


async def move_back(guild: discord.Guild, channel: RestrictableChannel, waiting: discord.VoiceChannel | None,
                    moved: tuple[int, ...], room_id: int) -> int:
    if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
        return 0
    voice: discord.VoiceChannel | discord.StageChannel = channel
    back = 0
    for uid in moved:
        member = guild.get_member(uid)
        if member is None or member.voice is None or member.voice.channel is None:
            continue
        if waiting is None or member.voice.channel.id != waiting.id:
            continue  # they went somewhere else on their own: leave them be
        try:
            await member.move_to(voice, reason=t_server(texts.REASON_ENDED))
            back += 1
        except discord.HTTPException as exc:
            log.warning("could not move member back after waiting room %s (HTTP %s)", room_id, exc.status)
    return back
