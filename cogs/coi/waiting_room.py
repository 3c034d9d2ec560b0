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
from dataclasses import dataclass, field

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.errors import BadInput, BotMissingPermission, Conflict, NotFound
from bot.jobs import due_jobs_loop
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.coi import logic
from cogs.coi.cog import categories_of
from db.models import WaitingRoom
from db.repositories import audit
from db.repositories import coi as repo

log = logging.getLogger(__name__)

RestrictableChannel = discord.VoiceChannel | discord.StageChannel | discord.TextChannel
REASON = "Conflict-of-interest waiting room (/waitingroom)"


def restrictable(channel: object) -> RestrictableChannel:
    if isinstance(channel, discord.CategoryChannel):
        raise BadInput("That is a category, not a meeting channel. Please pick the voice (or text) channel the "
                       "meeting happens in. Nothing was changed.")
    if isinstance(channel, discord.Thread):
        raise BadInput("Threads can't be restricted for some roles only (they follow their parent channel). "
                       "Please pick the meeting's voice (or text) channel. Nothing was changed.")
    if not isinstance(channel, discord.VoiceChannel | discord.StageChannel | discord.TextChannel):
        raise BadInput("I can only set up a waiting room for a voice, stage or text channel. "
                       "Please pick the meeting's channel. Nothing was changed.")
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
    needed = [(f"Manage Permissions (Manage Roles) in {channel.mention}", perms.manage_roles),
              (f"View Channel in {channel.mention}", perms.view_channel),
              (f"Connect in {channel.mention}", perms.connect),
              (f"Speak in {channel.mention}", perms.speak)]
    if isinstance(channel, discord.VoiceChannel | discord.StageChannel):
        needed.append((f"Move Members in {channel.mention}", perms.move_members))
        if room_channel is not None:
            room = room_channel.permissions_for(me)
            needed.append((f"Connect and Move Members in {room_channel.mention}", room.connect and room.move_members))
    return [name for name, ok in needed if not ok]


@dataclass
class Applied:
    """What a start has changed so far (to undo on failure)."""

    overwrites: list[tuple[discord.Role, logic.Pair | None]] = field(default_factory=list)
    moved: list[discord.Member] = field(default_factory=list)
    step: str = "change the channel's permissions"


class WaitingRoomCog(commands.Cog, name="WaitingRoomCog"):
    waitingroom = app_commands.Group(name="waitingroom", guild_only=True, default_permissions=MODERATOR_COMMANDS,
                                     description="Moderators: a waiting room for some conflicts of interest")

    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot
        self._locks: dict[int, asyncio.Lock] = {}
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

    def _lock(self, channel_id: int) -> asyncio.Lock:
        return self._locks.setdefault(channel_id, asyncio.Lock())

    # --- expiry ------------------------------------------------------------------------

    expiry_loop = due_jobs_loop("waiting room expiry", seconds=30)

    async def run_due_jobs(self) -> int:
        """End every waiting room whose time is up; returns how many ended."""
        async with self._jobs:
            return await self._end_due()

    async def _end_due(self) -> int:
        async with self.bot.sessions() as session:
            due = list(await repo.due_waiting_rooms(session, self.bot.clock.now()))
        ended = 0
        for room in due:
            guild = self.bot.get_guild(room.guild_id)
            if guild is None:
                continue
            try:
                await self.end_room(guild, room.id, actor_id=None)
                ended += 1
            except Conflict:
                continue
            except Exception:
                log.exception("could not end expired waiting room %s", room.id)
        return ended

    # --- /waitingroom start ------------------------------------------------------------

    @waitingroom.command(name="start", description="Move members with the chosen COI out of a meeting channel")
    @app_commands.describe(
        channel="The meeting's channel (usually a voice channel)",
        categories="Which conflicts of interest wait outside, e.g. 'funders, law_enforcement' or 'all'",
        minutes="How long at most (it ends by itself); default 60",
        reason="Optional, only for moderators and the audit log (not shown in the channel)",
    )
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
        all_categories = categories_of(self.bot)
        try:
            keys = logic.parse_categories(categories, all_categories)
            length = logic.validate_minutes(minutes, self.bot.settings.coi.waiting_room_default_minutes)
        except logic.CoiError as exc:
            raise BadInput(str(exc)) from None
        wiring = self.bot.wiring_for(guild)
        missing_roles = [k for k in keys if k not in wiring.coi_roles]
        if missing_roles:
            labels = logic.ordered_labels(missing_roles, all_categories)
            raise BotMissingPermission(
                f"The role for {logic.human_join(labels)} doesn't exist in this server, so there is nobody to "
                "move. A server admin can create it, or give me **Manage Roles** so I create it. Nothing was "
                "changed.")
        roles = [wiring.coi_roles[k] for k in keys]
        is_voice = isinstance(target, discord.VoiceChannel | discord.StageChannel)
        room_channel = wiring.waiting_room_channel
        if is_voice:
            if room_channel is None:
                raise BotMissingPermission(
                    "There is no waiting-room voice channel (setting `guild.waiting_room_channel`). A server "
                    "admin can create one, or give me **Manage Channels** so I create it. Nothing was changed.")
            if room_channel.id == target.id:
                raise BadInput("That is the waiting room itself. Please pick the meeting's channel.")
        missing = missing_channel_permissions(target, guild.me, room_channel if is_voice else None)
        if missing:
            raise BotMissingPermission(
                f"I need these permissions to set up a waiting room: {'; '.join(missing)}. A server admin can "
                "grant them to my role. Nothing was changed.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self._lock(target.id):
            room, to_move = await self._store(guild, target, keys, roles, moderator, reason, length, is_voice)
            applied = Applied()
            try:
                await self._apply(target, roles, room_channel, to_move, applied, room.id)
            except discord.HTTPException as exc:
                problem = await self._roll_back(target, applied, room.id, exc)
                await interaction.followup.send(problem, ephemeral=True, allowed_mentions=NO_MENTIONS)
                return
        labels = logic.ordered_labels(keys, all_categories)
        notice_ok = True
        try:
            await target.send(logic.waiting_room_notice(labels, length), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            notice_ok = False
        async with self.bot.sessions() as session, session.begin():
            await audit.record(session, guild.id, moderator.id, "coi.waitingroom.start", f"channel:{target.id}",
                               at=self.bot.clock.now())
        moved = len(applied.moved)
        text = (f"The waiting room is on for {target.mention}: {logic.human_join(labels)} can't see, join or "
                f"speak there. I moved {moved} {'person' if moved == 1 else 'people'} to "
                f"{room_channel.mention if room_channel else 'the waiting room'}. It ends with "
                f"`/waitingroom end` or by itself in {length} minutes.")
        if not notice_ok:
            text += f"\n(I couldn't post the notice in {target.mention}'s chat — please tell people there.)"
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        await self.bot.modlog.post(wiring.mod_log_channel,
                                   f"Waiting room started in {target.mention} by {moderator.mention} "
                                   f"({logic.human_join(labels)}; {length} min).")

    async def _store(self, guild: discord.Guild, target: RestrictableChannel, keys: list[str],
                     roles: list[discord.Role], moderator: discord.Member, reason: str | None, length: int,
                     is_voice: bool) -> tuple[WaitingRoom, list[discord.Member]]:
        previous = {role.id: overwrite_pair(target, role.id) for role in roles}
        role_set = set(roles)
        to_move = [m for m in target.members if role_set.intersection(m.roles)] if is_voice else []
        now = self.bot.clock.now()
        async with self.bot.sessions() as session, session.begin():
            if await repo.active_waiting_room(session, guild.id, target.id) is not None:
                raise Conflict(f"A waiting room is already on for {target.mention}. End it first with "
                               "`/waitingroom end` if you want to change it. Nothing was changed.")
            room = await repo.create_waiting_room(
                session, guild_id=guild.id, channel_id=target.id, category_keys=keys,
                previous_overwrites=logic.encode_previous(previous), started_by=moderator.id, reason=reason,
                started_at=now, expires_at=logic.expiry(now, length))
            # Who is about to be moved is stored first, so a restart mid-way can still move them back.
            await repo.set_moved_members(session, room.id, [m.id for m in to_move])
        return room, to_move

    async def _apply(self, target: RestrictableChannel, roles: list[discord.Role],
                     room_channel: discord.VoiceChannel | None, to_move: list[discord.Member], applied: Applied,
                     room_id: int) -> None:
        for role in roles:
            previous = overwrite_pair(target, role.id)
            await target.set_permissions(role, overwrite=as_overwrite(logic.restricted(previous)), reason=REASON)
            applied.overwrites.append((role, previous))
        skipped: list[int] = []
        applied.step = "move people to the waiting room"
        for member in to_move:
            try:
                await member.move_to(room_channel, reason=REASON)
                applied.moved.append(member)
            except discord.HTTPException as exc:
                if exc.code == 40032:  # they left voice in the meantime: nothing to do
                    skipped.append(member.id)
                    continue
                raise
        if skipped:
            async with self.bot.sessions() as session, session.begin():
                await repo.set_moved_members(session, room_id, [m.id for m in applied.moved])

    async def _roll_back(self, target: RestrictableChannel, applied: Applied, room_id: int,
                         error: discord.HTTPException) -> str:
        undo_failed = False
        for member in reversed(applied.moved):
            if not isinstance(target, discord.VoiceChannel | discord.StageChannel):
                break
            try:
                await member.move_to(target, reason=REASON + ": undo")
            except discord.HTTPException:
                undo_failed = True
        for role, previous in reversed(applied.overwrites):
            try:
                await target.set_permissions(role, overwrite=None if previous is None else as_overwrite(previous),
                                             reason=REASON + ": undo")
            except discord.HTTPException:
                undo_failed = True
        if undo_failed:
            # Keep the stored room so `/waitingroom end` (or expiry) can restore the rest.
            log.warning("waiting room %s: rollback incomplete", room_id)
        else:
            async with self.bot.sessions() as session, session.begin():
                await repo.delete_waiting_room(session, room_id)
        step = applied.step
        if isinstance(error, discord.Forbidden):
            cause = (f"Discord said I'm missing a permission when I tried to {step}. I need **Manage Roles** "
                     f"(Manage Permissions) on {target.mention}, **Move Members**, and **Connect** in both "
                     "channels.")
        else:
            cause = f"Discord had a problem (HTTP {error.status}) when I tried to {step}. Please try again."
        if undo_failed:
            return (f"I couldn't set up the waiting room: {cause} I could not undo every change, so the waiting "
                    f"room is still stored: run `/waitingroom end channel:{target.name}` to restore the rest.")
        return f"I couldn't set up the waiting room: {cause} I undid everything I had changed, so " \
               f"{target.mention} is exactly as it was."

    # --- /waitingroom end -----------------------------------------------------------------

    @waitingroom.command(name="end", description="End the waiting room and bring people back")
    @app_commands.describe(channel="The meeting's channel")
    async def end(self, interaction: discord.Interaction, channel: RestrictableChannel) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        async with self.bot.sessions() as session:
            room = await repo.active_waiting_room(session, guild.id, channel.id)
        if room is None:
            raise NotFound(f"There is no waiting room on {channel.mention} right now, so there is nothing to end.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        back = await self.end_room(guild, room.id, actor_id=moderator.id)
        await interaction.followup.send(
            f"The waiting room on {channel.mention} has ended: its permissions are back to how they were, and I "
            f"moved {back} {'person' if back == 1 else 'people'} back from the waiting room.",
            ephemeral=True, allowed_mentions=NO_MENTIONS)
        await self.bot.modlog.post(self.bot.wiring_for(guild).mod_log_channel,
                                   f"Waiting room in {channel.mention} ended by {moderator.mention}.")

    async def end_room(self, guild: discord.Guild, room_id: int, actor_id: int | None) -> int:
        """Restore and move back; returns how many people were moved back. Raises Conflict if already ended."""
        async with self.bot.sessions() as session:
            room = await repo.get_waiting_room(session, room_id)
        if room is None:
            raise Conflict("That waiting room no longer exists.")
        async with self._lock(room.channel_id):
            async with self.bot.sessions() as session, session.begin():
                if not await repo.claim_end(session, room.id, self.bot.clock.now()):
                    raise Conflict("That waiting room has already ended.")
            channel = guild.get_channel(room.channel_id)
            back = 0
            if isinstance(channel, RestrictableChannel):
                try:
                    await self._restore(guild, channel, room)
                except discord.HTTPException as exc:
                    async with self.bot.sessions() as session, session.begin():
                        await repo.unclaim_end(session, room.id)
                    raise BotMissingPermission(
                        f"I couldn't restore the permissions of {channel.mention} (Discord said: HTTP {exc.status}). "
                        "I need **Manage Roles** (Manage Permissions) on that channel. The waiting room is still "
                        "on; please try `/waitingroom end` again once that is fixed.") from None
                back = await self._move_back(guild, channel, room)
                try:
                    await channel.send(logic.waiting_room_ended_notice(), allowed_mentions=NO_MENTIONS)
                except discord.HTTPException:
                    log.warning("could not post the end notice in channel %s", channel.id)
            action = "coi.waitingroom.end" if actor_id is not None else "coi.waitingroom.expire"
            async with self.bot.sessions() as session, session.begin():
                await repo.set_moved_members(session, room.id, [])  # no longer needed once it has ended
                await audit.record(session, guild.id, actor_id, action, f"channel:{room.channel_id}",
                                   at=self.bot.clock.now())
        if actor_id is None:
            await self.bot.modlog.post(self.bot.wiring_for(guild).mod_log_channel,
                                       f"Waiting room in <#{room.channel_id}> ended by itself (time was up); "
                                       f"I moved {back} back.")
        return back

    async def _restore(self, guild: discord.Guild, channel: RestrictableChannel, room: WaitingRoom) -> None:
        for role_id, previous in logic.decode_previous(room.previous_overwrites).items():
            role = guild.get_role(role_id)
            if role is None:
                continue  # the role was deleted: its overwrite went with it
            try:
                await channel.set_permissions(role, overwrite=None if previous is None else as_overwrite(previous),
                                              reason=REASON + ": ended")
            except discord.NotFound:
                continue  # "no overwrite" and there is none: already as it was

    async def _move_back(self, guild: discord.Guild, channel: RestrictableChannel, room: WaitingRoom) -> int:
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return 0
        voice: discord.VoiceChannel | discord.StageChannel = channel
        waiting = self.bot.wiring_for(guild).waiting_room_channel
        back = 0
        for uid in room.moved_member_ids:
            member = guild.get_member(int(uid))
            if member is None or member.voice is None or member.voice.channel is None:
                continue
            if waiting is None or member.voice.channel.id != waiting.id:
                continue  # they went somewhere else on their own: leave them be
            try:
                await member.move_to(voice, reason=REASON + ": ended")
                back += 1
            except discord.HTTPException as exc:
                log.warning("could not move member back after waiting room %s (HTTP %s)", room.id, exc.status)
        return back

    @start.autocomplete("categories")
    async def _categories_autocomplete(self, interaction: discord.Interaction,
                                       current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=value)
                for name, value in logic.suggest_categories(current, categories_of(self.bot))]
