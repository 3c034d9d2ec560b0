"""The moderators' waiting room: /waitingroom start and /waitingroom end, plus expiry.

Order of work (so a restart or a failure never leaves a channel half-changed):
1. validate everything and compute what each COI role's overwrite is now;
2. store the waiting room (previous overwrites, who will be moved, expiry) and commit;
3. change Discord one step at a time; if a step fails, undo the steps already done,
   forget the stored room and tell the moderator exactly what to fix.
Ending restores each previous overwrite exactly (deleting ones that did not exist)
and moves back the people it moved who are still in the waiting room.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.errors import BadInput, BotMissingPermission, Conflict
from bot.i18n import t_server, tn_server
from bot.jobs import due_jobs_loop
from bot.locks import KeyedLocks
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.coi import logic, room_changes, texts
from cogs.coi.room_changes import Applied, RestrictableChannel, overwrite_pair, restrictable
from cogs.coi.service import CoiService

log = logging.getLogger(__name__)


class WaitingRoomCog(commands.Cog, name="WaitingRoomCog"):
    waitingroom = app_commands.Group(name="waitingroom", guild_only=True, default_permissions=MODERATOR_COMMANDS,
                                     description=texts.CMD_WAITINGROOM)

    def __init__(self, bot: CoalitionBot, service: CoiService) -> None:
        self.bot = bot
        self.service = service
        self._locks: KeyedLocks[int] = KeyedLocks()  # one start or end at a time per channel
        self._jobs = asyncio.Lock()

    async def cog_load(self) -> None:
        self.expiry_loop.start()

    async def cog_unload(self) -> None:
        # Never cancel the loop in the middle of a job (a database session or a half-restored
        # channel): wait for the current run to finish, then stop.
        try:
            async with asyncio.timeout(15):
                await self._jobs.acquire()
        except TimeoutError:
            log.warning("waiting room expiry still running at shutdown; cancelling it")
        else:
            self._jobs.release()
        self.expiry_loop.cancel()

    # --- expiry ------------------------------------------------------------------------

    expiry_loop = due_jobs_loop("waiting room expiry", seconds=30)

    async def run_due_jobs(self) -> int:
        """End every waiting room whose time is up; returns how many ended."""
        async with self._jobs:
            ended = 0
            for guild_id, room_id in await self.service.due_rooms():
                guild = self.bot.get_guild(guild_id)
                if guild is None:
                    continue
                try:
                    await self.end_room(guild, room_id, actor_id=None)
                    ended += 1
                except Conflict:
                    continue
                except Exception:
                    log.exception("could not end expired waiting room %s", room_id)
            return ended

    # --- /waitingroom start ------------------------------------------------------------

    @waitingroom.command(name="start", description=texts.CMD_WAITINGROOM_START)
    @app_commands.describe(channel=texts.OPT_ROOM_CHANNEL, categories=texts.OPT_ROOM_CATEGORIES,
                           minutes=texts.OPT_ROOM_MINUTES, reason=texts.OPT_ROOM_REASON)
    async def start(self, interaction: discord.Interaction,
                    channel: RestrictableChannel, categories: str,
                    minutes: app_commands.Range[int, 1, 1440] | None = None,
                    reason: app_commands.Range[str, 1, 300] | None = None) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        target = restrictable(channel)
        # The reason is stored as text, and PostgreSQL text cannot hold NUL (U+0000): such a reason
        # was an unhandled database error (tests/e2e/test_properties_commands.py). Drop NULs.
        reason = (reason.replace("\x00", "") or None) if reason is not None else None
        keys, length = self.service.parse_room_request(categories, minutes,
                                                       self.bot.settings.coi.waiting_room_default_minutes)
        wiring = self.bot.wiring_for(guild)
        missing_roles = [k for k in keys if k not in wiring.coi_roles]
        if missing_roles:
            absent = logic.ordered_labels(missing_roles, self.service.server_categories())
            raise BotMissingPermission(t_server(texts.ROLE_MISSING_FOR_ROOM,
                                                labels=logic.human_join(absent, server=True)))
        roles = [wiring.coi_roles[k] for k in keys]
        is_voice = isinstance(target, discord.VoiceChannel | discord.StageChannel)
        room_channel = wiring.waiting_room_channel
        if is_voice:
            if room_channel is None:
                raise BotMissingPermission(t_server(texts.NO_ROOM_CHANNEL))
            if room_channel.id == target.id:
                raise BadInput(t_server(texts.IS_THE_ROOM_ITSELF))
        missing = room_changes.missing_channel_permissions(target, guild.me, room_channel if is_voice else None)
        if missing:
            raise BotMissingPermission(t_server(texts.ROOM_NEEDS_PERMISSIONS,
                missing=t_server(texts.PERMISSION_SEPARATOR).join(missing)))
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self._locks.hold(target.id):
            role_set = set(roles)
            to_move = [m for m in target.members if role_set.intersection(m.roles)] if is_voice else []
            room_id = await self.service.store_room(
                guild.id, target.id, target.mention, keys, {role.id: overwrite_pair(target, role.id) for role in roles},
                [m.id for m in to_move], moderator.id, reason, length)
            applied = Applied()
            try:
                if await room_changes.apply(target, roles, room_channel, to_move, applied):
                    await self.service.set_moved(room_id, [m.id for m in applied.moved])
            except discord.HTTPException as exc:
                undone = await room_changes.undo(target, applied)
                if undone:
                    await self.service.forget_room(room_id)
                else:  # keep the stored room so `/waitingroom end` (or expiry) can restore the rest
                    log.warning("waiting room %s: rollback incomplete", room_id)
                await interaction.followup.send(room_changes.rollback_message(target, applied, exc, undone),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
                return
        label_list = logic.ordered_labels(keys, self.service.server_categories())
        labels = logic.human_join(label_list, server=True)
        notice_ok = True
        try:
            await target.send(logic.waiting_room_notice(label_list, length), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            notice_ok = False
        await self.service.room_started(guild.id, moderator.id, target.id)
        moved = len(applied.moved)
        text = tn_server(texts.ROOM_STARTED, moved, channel=target.mention, labels=labels, minutes=length,
                         room=room_channel.mention if room_channel else t_server(texts.THE_WAITING_ROOM))
        if not notice_ok:
            text += "\n" + t_server(texts.NOTICE_NOT_POSTED, channel=target.mention)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        await self.bot.modlog.post(wiring.mod_log_channel, t_server(texts.MODLOG_ROOM_STARTED,
            channel=target.mention, moderator=moderator.mention, labels=labels, minutes=length))

    # --- /waitingroom end -----------------------------------------------------------------

    @waitingroom.command(name="end", description=texts.CMD_WAITINGROOM_END)
    @app_commands.describe(channel=texts.OPT_ROOM_END_CHANNEL)
    async def end(self, interaction: discord.Interaction, channel: RestrictableChannel) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        room_id = await self.service.active_room(guild.id, channel.id, channel.mention)
        await interaction.response.defer(ephemeral=True, thinking=True)
        back = await self.end_room(guild, room_id, actor_id=moderator.id)
        await interaction.followup.send(tn_server(texts.ROOM_ENDED, back, channel=channel.mention), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)
        await self.bot.modlog.post(self.bot.wiring_for(guild).mod_log_channel, t_server(texts.MODLOG_ROOM_ENDED,
            channel=channel.mention, moderator=moderator.mention))

    async def end_room(self, guild: discord.Guild, room_id: int, actor_id: int | None) -> int:
        """Restore and move back; returns how many people were moved back. Raises Conflict if already ended."""
        room = await self.service.room(room_id)
        async with self._locks.hold(room.channel_id):
            await self.service.claim_end(room.id)
            channel = guild.get_channel(room.channel_id)
            back = 0
            if isinstance(channel, RestrictableChannel):
                try:
                    await room_changes.restore(guild, channel, room.previous)
                except discord.HTTPException as exc:
                    await self.service.unclaim_end(room.id)
                    raise BotMissingPermission(t_server(texts.RESTORE_FAILED,
                        channel=channel.mention, status=exc.status)) from None
                back = await room_changes.move_back(guild, channel, self.bot.wiring_for(guild).waiting_room_channel,
                                                    room.moved_member_ids, room.id)
                try:
                    await channel.send(logic.waiting_room_ended_notice(), allowed_mentions=NO_MENTIONS)
                except discord.HTTPException:
                    log.warning("could not post the end notice in channel %s", channel.id)
            await self.service.room_ended(guild.id, room.id, room.channel_id, actor_id)
        if actor_id is None:
            await self.bot.modlog.post(self.bot.wiring_for(guild).mod_log_channel, t_server(texts.MODLOG_ROOM_EXPIRED,
                channel_id=room.channel_id, back=back))
        return back

    @start.autocomplete("categories")
    async def _categories_autocomplete(self, interaction: discord.Interaction,
                                       current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=value)
                for name, value in logic.suggest_categories(current, self.service.categories())]
