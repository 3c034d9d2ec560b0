"""Confidential spaces: listeners and commands.

- `/confidential add|remove|list` (moderators) marks text, voice and stage channels or whole
  categories; threads of confidential channels count too.
- Voice/stage: the first person joining an empty confidential channel gets the reminders in the
  channel's chat, not again until it has stood empty for `voice_quiet_minutes`.
- Text: one "sticky" reminder, replaced after `every_messages` messages or `every_hours`.
  Messages are COUNTED, never read: the bot has no message-content intent and nothing here
  touches `message.content`. Counts live in memory and are written to the database in
  `run_due_jobs()` (every minute) and on unload, so there is no database write per message;
  a crash loses at most a minute of counting (the next reminder just comes a little later).
- Guard: any other bot joining a confidential voice channel is disconnected and reported in the
  mod-log, unless allow-listed or covered by an active `/recording allow` exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown, format_dt

from bot.client import CoalitionBot
from bot.errors import BadInput, NotFound
from bot.jobs import due_jobs_loop
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.confidential import logic
from cogs.confidential.logic import BotVerdict, ChannelPlace, ExceptionWindow, StickyRule, VoiceMeeting
from db.models import RecordingException
from db.repositories import audit
from db.repositories import confidential as repo

log = logging.getLogger(__name__)

VoiceLike = discord.VoiceChannel | discord.StageChannel
Target = discord.TextChannel | discord.VoiceChannel | discord.StageChannel | discord.CategoryChannel
StickyChannel = discord.TextChannel | discord.Thread

# Shown under a confidential voice channel's name in the channel list, for everyone to see.
VOICE_STATUS = "Confidential — no recording"
FOOTER = "I repost this now and then so it stays near the bottom. I never read or store what you write."


@dataclass
class StickyCounter:
    """In-memory sticky-reminder state for one channel (IDs, a time and a count; no content)."""

    message_id: int | None
    posted_at: datetime | None
    count: int
    dirty: bool = False


def place_of(channel: discord.abc.GuildChannel | discord.Thread) -> ChannelPlace:
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        return ChannelPlace(channel.id, None, channel.parent_id,
                            parent.category_id if parent is not None else None)
    return ChannelPlace(channel.id, channel.category_id)


def kind_of(target: Target) -> str:
    if isinstance(target, discord.CategoryChannel):
        return "category"
    if isinstance(target, discord.StageChannel):
        return "stage"
    if isinstance(target, discord.VoiceChannel):
        return "voice"
    return "text"


def humans_in(channel: VoiceLike) -> list[discord.Member]:
    return [m for m in channel.members if not m.bot]


def window_of(row: RecordingException) -> ExceptionWindow:
    return ExceptionWindow(row.channel_id, row.bot_user_id, row.starts_at, row.expires_at)


class ConfidentialCog(commands.Cog):
    confidential = app_commands.Group(name="confidential", description="Moderators: mark confidential spaces",
                                      guild_only=True, default_permissions=MODERATOR_COMMANDS)
    recording = app_commands.Group(name="recording",
                                   description="Moderators: recording exceptions for accessibility needs",
                                   guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot
        self.settings = bot.settings.confidential
        self._marked: dict[int, set[int]] = {}
        self._sticky: dict[tuple[int, int], StickyCounter] = {}
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}

    # --- lifecycle -------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self.due_loop.start()

    async def cog_unload(self) -> None:
        self.due_loop.cancel()
        try:
            await asyncio.wait_for(self.flush_counts(), timeout=5)
        except Exception:  # the database may already be gone (or stuck) at shutdown
            log.warning("could not save sticky-reminder counts at shutdown")

    due_loop = due_jobs_loop("confidential", seconds=60)

    async def run_due_jobs(self) -> None:
        """Save message counts and end recording exceptions whose time is up (tests call this)."""
        await self.flush_counts()
        await self.expire_exceptions()

    # --- helpers ------------------------------------------------------------------------------

    def _lock(self, guild_id: int, channel_id: int) -> asyncio.Lock:
        return self._locks.setdefault((guild_id, channel_id), asyncio.Lock())

    async def marked(self, guild_id: int) -> set[int]:
        cached = self._marked.get(guild_id)
        if cached is None:
            async with self.bot.sessions() as session:
                cached = await repo.marked_ids(session, guild_id)
            self._marked[guild_id] = cached
        return cached

    async def is_confidential(self, channel: discord.abc.GuildChannel | discord.Thread) -> bool:
        marked = await self.marked(channel.guild.id)
        return bool(marked) and logic.is_confidential(place_of(channel), marked)

    def reminder_embed(self) -> discord.Embed:
        content = self.bot.content.confidential
        embed = discord.Embed(title=content.title, description=logic.reminder_text(content.title, content.reminders),
                              colour=discord.Colour.dark_teal())
        return embed

    async def alert(self, guild: discord.Guild, key: str, text: str) -> None:
        await self.bot.modlog.alert_once(guild.id, key, self.bot.wiring_for(guild).mod_log_channel, text)

    # --- /confidential ------------------------------------------------------------------------------

    @confidential.command(name="add", description="Mark a channel or a whole category as confidential")
    @app_commands.describe(target="A text, voice or stage channel, or a category (its channels inherit)")
    async def add(self, interaction: discord.Interaction, target: Target) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        kind = kind_of(target)
        async with self.bot.sessions() as session, session.begin():
            added = await repo.add_space(session, guild.id, target.id, kind, moderator.id, self.bot.clock.now())
            if added:
                await audit.record(session, guild.id, moderator.id, "confidential.add", f"channel:{target.id}")
        (await self.marked(guild.id)).add(target.id)
        if not added:
            await interaction.response.send_message(f"{target.mention} is already confidential. Nothing changed.",
                                                    ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        what = {
            "category": "Every channel in this category (and its threads) now counts as confidential.",
            "text": (f"I'll keep one reminder near the bottom, refreshed every {self.settings.every_messages} "
                     f"messages or {self.settings.every_hours:g} hours of activity."),
        }.get(kind, "When a meeting begins there, I'll post the reminders in its chat, and I'll remove "
                    "bots that aren't allowed (AI notetakers, recorders).")
        await interaction.response.send_message(f"Done: {target.mention} is now a confidential space. {what}",
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
        await self._show_voice_status(guild, target)  # after the answer: a category may hold many channels

    @confidential.command(name="remove", description="Stop treating a channel or category as confidential")
    @app_commands.describe(target="A channel or category marked with /confidential add")
    async def remove(self, interaction: discord.Interaction, target: Target) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        async with self.bot.sessions() as session, session.begin():
            removed = await repo.remove_space(session, guild.id, target.id)
            if removed:
                await audit.record(session, guild.id, moderator.id, "confidential.remove", f"channel:{target.id}")
        if not removed:
            hint = ""
            if await self.is_confidential(target):
                hint = " It is confidential through its category; remove the category instead."
            raise NotFound(f"{target.mention} wasn't marked confidential itself, so nothing changed.{hint}")
        (await self.marked(guild.id)).discard(target.id)
        await self._drop_stale_reminders(guild)
        await interaction.response.send_message(f"Done: {target.mention} is no longer marked confidential.",
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
        await self._show_voice_status(guild, target)

    @confidential.command(name="list", description="Show the confidential channels and categories")
    async def list_spaces(self, interaction: discord.Interaction) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        async with self.bot.sessions() as session:
            spaces = await repo.list_spaces(session, guild.id)
        if not spaces:
            await interaction.response.send_message(
                "No confidential spaces yet. Use `/confidential add` to mark a channel or category.", ephemeral=True)
            return
        labels = {"text": "text channel", "voice": "voice channel", "stage": "stage", "category": "category"}
        lines = [f"• <#{s.target_id}> ({labels.get(s.target_kind, s.target_kind)})" for s in spaces]
        text = "**Confidential spaces**\n" + "\n".join(lines)
        text += ("\nThreads of these channels, and channels inside these categories, count too. "
                 "Bots are removed from voice channels unless allow-listed or covered by `/recording allow`.")
        await interaction.response.send_message(text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _show_voice_status(self, guild: discord.Guild, target: Target) -> None:
        """After `target` was marked or unmarked: the voice-channel status "Confidential — no
        recording" on each voice channel it covers that is confidential now, removed from each that
        is no longer. Only where the bot may set it (Set Voice Channel Status, and Manage Channels
        since it is not in the channel)."""
        marked = await self.marked(guild.id)
        for channel in guild.voice_channels:
            if target.id in (channel.id, channel.category_id):
                covered = logic.is_confidential(place_of(channel), marked)
                await self._set_voice_status(channel, VOICE_STATUS if covered else None)

    async def _set_voice_status(self, channel: discord.VoiceChannel, status: str | None) -> None:
        perms = channel.permissions_for(channel.guild.me)
        if not (perms.set_voice_channel_status and perms.manage_channels and perms.view_channel):
            return  # optional: the reminders and the guard work without it
        try:
            await channel.edit(status=status)
        except discord.HTTPException as exc:
            log.warning("could not set the status of voice channel %s (HTTP %s)", channel.id, exc.status)

    async def _drop_stale_reminders(self, guild: discord.Guild) -> None:
        """After an unmark, forget the state of channels no longer confidential (and delete their reminder)."""
        marked = await self.marked(guild.id)
        keep = {ch.id for ch in [*guild.channels, *guild.threads] if logic.is_confidential(place_of(ch), marked)}
        async with self.bot.sessions() as session, session.begin():
            rows = await repo.drop_sticky_outside(session, guild.id, keep)
            await repo.drop_voice_states_outside(session, guild.id, keep)
        for row in rows:
            self._sticky.pop((guild.id, row.channel_id), None)
            channel = guild.get_channel_or_thread(row.channel_id)
            if row.message_id is not None and isinstance(channel, discord.TextChannel | discord.Thread):
                with contextlib.suppress(discord.HTTPException):  # already gone, or no access
                    await channel.get_partial_message(row.message_id).delete()

    # --- channel deletion ----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self._forget(channel.guild, channel.id)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        guild = self.bot.get_guild(payload.guild_id)
        if guild is not None:
            await self._forget(guild, payload.thread_id)

    async def _forget(self, guild: discord.Guild, channel_id: int) -> None:
        marked = await self.marked(guild.id)
        if not marked and (guild.id, channel_id) not in self._sticky:
            return
        async with self.bot.sessions() as session, session.begin():
            was_marked = await repo.forget_channel(session, guild.id, channel_id)
            if was_marked:
                await audit.record(session, guild.id, None, "confidential.channel_deleted", f"channel:{channel_id}")
        marked.discard(channel_id)
        self._sticky.pop((guild.id, channel_id), None)
        self._locks.pop((guild.id, channel_id), None)

    # --- sticky reminders in text channels --------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        # Only who/where is looked at: never message.content (the bot has no content intent anyway).
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        channel = message.channel
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return
        if not await self.is_confidential(channel):
            return
        guild_id = message.guild.id
        async with self._lock(guild_id, channel.id):
            counter = self._sticky.get((guild_id, channel.id))
            if counter is None:
                async with self.bot.sessions() as session:
                    row = await repo.get_sticky(session, guild_id, channel.id)
                counter = StickyCounter(row.message_id if row else None, row.posted_at if row else None,
                                        row.messages_since if row else 0)
                self._sticky[(guild_id, channel.id)] = counter
            counter.count += 1
            counter.dirty = True
            rule = StickyRule(self.settings.every_messages, self.settings.every_hours)
            if logic.sticky_due(counter.count, counter.posted_at, self.bot.clock.now(), rule):
                await self._repost(channel, counter)

    async def _repost(self, channel: StickyChannel, counter: StickyCounter) -> None:
        """Delete the previous reminder, then post the new one: there is never more than one."""
        guild = channel.guild
        now = self.bot.clock.now()
        counter.count, counter.posted_at, counter.dirty = 0, now, False
        if counter.message_id is not None:
            try:
                await channel.get_partial_message(counter.message_id).delete()
            except discord.NotFound:
                pass  # someone already removed it
            except discord.Forbidden:
                await self.alert(guild, "confidential:delete_reminder",
                                 f"⚠️ I couldn't remove my old confidentiality reminder in {channel.mention}: I'm "
                                 "missing the **View Channel** or **Manage Messages** permission there. I'll leave "
                                 "the old one in place (never two) until that is fixed.")
                await self._save_sticky(channel, counter)
                return
            except discord.HTTPException as exc:
                log.warning("could not delete the reminder in channel %s (HTTP %s)", channel.id, exc.status)
                await self._save_sticky(channel, counter)
                return
            counter.message_id = None
        try:
            embed = self.reminder_embed().set_footer(text=FOOTER)
            sent = await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
            counter.message_id = sent.id
        except discord.Forbidden:
            await self.alert(guild, "confidential:send_reminder",
                             f"⚠️ I couldn't post the confidentiality reminder in {channel.mention}: I'm missing the "
                             "**Send Messages** (or **Embed Links**) permission there.")
        except discord.HTTPException as exc:
            log.warning("could not post the reminder in channel %s (HTTP %s)", channel.id, exc.status)
        await self._save_sticky(channel, counter)

    async def _save_sticky(self, channel: StickyChannel, counter: StickyCounter) -> None:
        async with self.bot.sessions() as session, session.begin():
            await repo.save_sticky(session, channel.guild.id, channel.id, message_id=counter.message_id,
                                   posted_at=counter.posted_at, messages_since=counter.count)
        counter.dirty = False

    def message_count(self, guild_id: int, channel_id: int) -> int | None:
        """Messages counted since the last reminder in a channel (None: not tracked in memory)."""
        counter = self._sticky.get((guild_id, channel_id))
        return counter.count if counter else None

    def reminder_message_id(self, guild_id: int, channel_id: int) -> int | None:
        counter = self._sticky.get((guild_id, channel_id))
        return counter.message_id if counter else None

    async def flush_counts(self) -> int:
        """Write changed in-memory counts to the database; returns how many channels were saved."""
        dirty = [(gid, cid, c.count) for (gid, cid), c in self._sticky.items() if c.dirty]
        if not dirty:
            return 0
        async with self.bot.sessions() as session, session.begin():
            await repo.save_counts(session, dirty)
        for gid, cid, count in dirty:
            counter = self._sticky.get((gid, cid))
            if counter is not None and counter.count == count:
                counter.dirty = False
        return len(dirty)

    # --- voice: reminders, guard ---------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_voice_state_update(self, member: discord.Member, before: discord.VoiceState,
                                    after: discord.VoiceState) -> None:
        if before.channel == after.channel:
            return  # mute/deafen/video changes
        joined, left = after.channel, before.channel
        if joined is not None and await self.is_confidential(joined):
            if member.bot:
                if self.bot.user is None or member.id != self.bot.user.id:
                    await self._guard(member, joined)
            elif [m.id for m in humans_in(joined)] == [member.id]:
                await self._meeting_starts(joined)
        if left is not None and not member.bot and not humans_in(left) and await self.is_confidential(left):
            await self._emptied(left)

    async def _meeting_starts(self, channel: VoiceLike) -> None:
        guild = channel.guild
        now = self.bot.clock.now()
        quiet = timedelta(minutes=self.settings.voice_quiet_minutes)
        async with self._lock(guild.id, channel.id), self.bot.sessions() as session, session.begin():
            row = await repo.get_voice_state(session, guild.id, channel.id)
            state = VoiceMeeting(row.last_reminder_at, row.emptied_at) if row else VoiceMeeting()
            starts, new = logic.on_first_join(state, now, quiet)
            await repo.save_voice_state(session, guild.id, channel.id, new.last_reminder_at, new.emptied_at)
            exceptions = await repo.active_exceptions(session, guild.id, now, channel.id) if starts else []
            for exc in exceptions:
                exc.announced_at = now
        if isinstance(channel, discord.VoiceChannel):
            await self._set_voice_status(channel, VOICE_STATUS)  # someone may have changed or cleared it meanwhile
        if not starts:
            return
        embeds = [self.reminder_embed()]
        if exceptions:
            embeds.append(self._recording_embed(guild, exceptions))
        await self._send_in_voice_chat(channel, embeds)

    async def _emptied(self, channel: VoiceLike) -> None:
        guild = channel.guild
        async with self._lock(guild.id, channel.id):
            if humans_in(channel):
                return  # someone came back meanwhile
            async with self.bot.sessions() as session, session.begin():
                row = await repo.get_voice_state(session, guild.id, channel.id)
                state = VoiceMeeting(row.last_reminder_at, row.emptied_at) if row else VoiceMeeting()
                new = logic.on_emptied(state, self.bot.clock.now())
                await repo.save_voice_state(session, guild.id, channel.id, new.last_reminder_at, new.emptied_at)

    async def _send_in_voice_chat(self, channel: VoiceLike, embeds: list[discord.Embed]) -> None:
        try:
            await channel.send(embeds=embeds, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            await self.alert(channel.guild, "confidential:send_voice",
                             f"⚠️ I couldn't post the confidentiality reminders in {channel.mention}'s chat: I'm "
                             "missing the **Send Messages** (or **Embed Links**) permission there.")
        except discord.HTTPException as exc:
            log.warning("could not post in the chat of voice channel %s (HTTP %s)", channel.id, exc.status)

    def _recording_embed(self, guild: discord.Guild, rows: Sequence[RecordingException]) -> discord.Embed:
        names = []
        for row in rows:
            if row.bot_user_id is None:
                continue
            who = guild.get_member(row.bot_user_id)
            names.append(escape_markdown(who.display_name) if who else f"bot {row.bot_user_id}")
        until = max(row.expires_at for row in rows)
        return discord.Embed(description=logic.recording_announcement(names, int(until.timestamp())),
                             colour=discord.Colour.red())

    async def _guard(self, member: discord.Member, channel: VoiceLike, why: str = "it joined") -> None:
        guild = channel.guild
        now = self.bot.clock.now()
        async with self.bot.sessions() as session:
            rows = await repo.active_exceptions(session, guild.id, now, channel.id)
        verdict = logic.judge_bot(member.id, channel.id, self.settings.allowed_bot_ids,
                                  [window_of(r) for r in rows], now)
        if verdict is not BotVerdict.DISCONNECT:
            log.info("bot %s may stay in confidential channel %s (%s)", member.id, channel.id, verdict.value)
            return
        await self._disconnect(member, channel, why)

    async def _disconnect(self, member: discord.Member, channel: VoiceLike, why: str) -> bool:
        guild = channel.guild
        name = escape_markdown(member.display_name)
        try:
            await member.move_to(None, reason="Confidential space: no AI notetakers or recording bots")
        except discord.Forbidden:
            await self.alert(guild, "confidential:move_members",
                             f"⚠️ The bot **{name}** (`{member.id}`) is in the confidential channel "
                             f"{channel.mention} and I couldn't disconnect it: I'm missing the **Move Members** "
                             "permission there. Please give my role Move Members, or remove the bot yourself.")
            return False
        except discord.HTTPException as exc:
            log.warning("could not disconnect bot %s from channel %s (HTTP %s)", member.id, channel.id, exc.status)
            return False
        async with self.bot.sessions() as session, session.begin():
            me = self.bot.user.id if self.bot.user else None
            await audit.record(session, guild.id, me, "confidential.bot_disconnected", f"user:{member.id}")
        await self.bot.modlog.post(
            self.bot.wiring_for(guild).mod_log_channel,
            f"🛑 Disconnected the bot **{name}** (`{member.id}`) from the confidential channel {channel.mention} "
            f"({why}). Bots other than me aren't allowed there: no AI notetakers and no recording. If it is "
            "needed for an accessibility need, a moderator can use `/recording allow`.")
        return True

    @commands.Cog.listener()
    async def on_coalition_guild_ready(self, guild: discord.Guild) -> None:
        """Catch bots that joined confidential voice channels while this bot was offline."""
        marked = await self.marked(guild.id)
        if not marked:
            return
        channels: list[VoiceLike] = [*guild.voice_channels, *guild.stage_channels]
        for channel in channels:
            if not logic.is_confidential(place_of(channel), marked):
                continue
            for member in channel.members:
                if member.bot and (self.bot.user is None or member.id != self.bot.user.id):
                    await self._guard(member, channel, "it was there when I started")

    # --- /recording -----------------------------------------------------------------------------------------

    @recording.command(name="allow", description="Let a recording bot stay for an accessibility need, for a while")
    @app_commands.describe(
        channel="The voice or stage channel of the meeting",
        minutes="How long the exception lasts (1 to 1440 minutes)",
        reason="The accessibility need, as agreed with staff (only moderators see this)",
        bot="The recording bot allowed to stay (leave empty to allow any bot during the window)",
    )
    async def allow(self, interaction: discord.Interaction, channel: VoiceLike,
                    minutes: app_commands.Range[int, 1, logic.MAX_EXCEPTION_MINUTES],
                    reason: app_commands.Range[str, 1, logic.MAX_REASON_CHARS],
                    bot: discord.Member | None = None) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        try:
            cleaned = logic.check_recording_request(minutes, reason)
        except logic.RecordingRequestError as exc:
            raise BadInput(str(exc)) from None
        if bot is not None and not bot.bot:
            raise BadInput(f"{escape_markdown(bot.display_name)} is a person, not a bot account. Pick the recording "
                           "bot, or leave `bot` empty to allow any bot for this meeting.")
        if bot is not None and self.bot.user is not None and bot.id == self.bot.user.id:
            raise BadInput("That's me! I don't record. Pick the recording bot, or leave `bot` empty.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock.now()
        expires = now + timedelta(minutes=minutes)
        async with self.bot.sessions() as session, session.begin():
            row = await repo.add_exception(session, guild.id, channel.id, bot.id if bot else None,
                                           self.bot.cipher.encrypt(cleaned), moderator.id, now, expires)
            await audit.record(session, guild.id, moderator.id, "recording.allow", f"channel:{channel.id}")
        await self._send_in_voice_chat(channel, [self._recording_embed(guild, [row])])
        who = f"**{escape_markdown(bot.display_name)}**" if bot else "any bot"
        note = "" if await self.is_confidential(channel) else (
            f"\nNote: {channel.mention} isn't marked confidential, so I don't remove bots there anyway.")
        await interaction.followup.send(
            f"Done: {who} may record in {channel.mention} for {logic.describe_duration(minutes)}, until "
            f"{format_dt(expires, 't')}. I've announced it in the channel's chat and will announce it again "
            f"when the next meeting starts in that window. It ends by itself.{note}",
            ephemeral=True, allowed_mentions=NO_MENTIONS)

    @recording.command(name="status", description="Show the recording exceptions that are active now")
    async def status(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        if guild is None:
            raise BadInput("This command only works inside the server.")
        is_mod = self.bot.is_moderator(interaction.user)
        async with self.bot.sessions() as session:
            rows = await repo.active_exceptions(session, guild.id, self.bot.clock.now())
        if not rows:
            await interaction.response.send_message(
                "No recording is allowed right now: bots other than me are removed from confidential voice "
                "channels.", ephemeral=True)
            return
        lines = []
        for row in rows:
            who = f"<@{row.bot_user_id}>" if row.bot_user_id else "any bot"
            until = f"{format_dt(row.expires_at, 't')} ({format_dt(row.expires_at, 'R')})"
            line = f"• <#{row.channel_id}>: {who} until {until}"
            if is_mod:
                line += f" — reason: {escape_markdown(self.bot.cipher.decrypt(row.reason_enc))}"
            lines.append(line)
        text = "**Recording allowed for an accessibility need**\n" + "\n".join(lines)
        await interaction.response.send_message(text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def expire_exceptions(self) -> int:
        """End exceptions whose time is up: audit, tell the channel, remove bots no longer covered."""
        now = self.bot.clock.now()
        async with self.bot.sessions() as session, session.begin():
            # Only this shard's servers: another process would delete the row but could not announce
            # the end in the channel nor remove the recording bot (its server is not in its cache).
            rows = [r for r in await repo.expired_exceptions(session, now) if self.bot.owns_guild(r.guild_id)]
            for row in rows:
                await audit.record(session, row.guild_id, None, "recording.expired", f"channel:{row.channel_id}")
                await repo.delete_exception(session, row)
        for row in rows:
            guild = self.bot.get_guild(row.guild_id)
            channel = guild.get_channel(row.channel_id) if guild else None
            if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
                continue
            try:
                await channel.send("The recording exception for this channel has ended. Recording bots are no "
                                   "longer allowed here.", allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as exc:
                log.warning("could not announce the end of recording in channel %s (HTTP %s)", channel.id, exc.status)
            if await self.is_confidential(channel):
                for member in channel.members:
                    if member.bot and (self.bot.user is None or member.id != self.bot.user.id):
                        await self._guard(member, channel, "its recording exception ended")
        return len(rows)

