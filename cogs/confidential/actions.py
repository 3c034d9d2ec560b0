"""What confidential spaces do on Discord, shared by its cogs: the reminders, alerts, voice status,
and the guard that removes bots (AI notetakers, recorders) not allowed in a confidential channel.

Decisions and storage are the service's (cogs/confidential/service.py); this only acts on them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import discord
from discord.utils import format_dt

from bot.client import CoalitionBot
from bot.errors import BadInput
from bot.i18n import t_server
from bot.plaintext import plain
from bot.ui import NO_MENTIONS
from cogs.confidential import logic, texts
from cogs.confidential.logic import BotVerdict, ChannelPlace
from cogs.confidential.service import ConfidentialService, Recording

log = logging.getLogger(__name__)

VoiceLike = discord.VoiceChannel | discord.StageChannel


def place_of(channel: discord.abc.GuildChannel | discord.Thread) -> ChannelPlace:
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        return ChannelPlace(channel.id, None, channel.parent_id,
                            parent.category_id if parent is not None else None)
    return ChannelPlace(channel.id, channel.category_id)


@dataclass(frozen=True)
class Granted:
    recording: Recording
    text: str  # what the moderator who granted it is told


def humans_in(channel: VoiceLike) -> list[discord.Member]:
    return [m for m in channel.members if not m.bot]


class ConfidentialActions:
    def __init__(self, bot: CoalitionBot, service: ConfidentialService) -> None:
        self.bot = bot
        self.service = service

    async def is_confidential(self, channel: discord.abc.GuildChannel | discord.Thread) -> bool:
        return await self.service.is_confidential(channel.guild.id, place_of(channel))

    def is_other_bot(self, member: discord.Member) -> bool:
        return member.bot and (self.bot.user is None or member.id != self.bot.user.id)

    def reminder_embed(self) -> discord.Embed:
        content = self.bot.content.confidential  # posted in a shared channel: the server's content
        return discord.Embed(title=content.title, description=logic.reminder_text(content.title, content.reminders),
                             colour=discord.Colour.dark_teal())

    def recording_embed(self, guild: discord.Guild, recordings: Sequence[Recording]) -> discord.Embed:
        names = []
        for recording in recordings:
            if recording.bot_user_id is None:
                continue
            who = guild.get_member(recording.bot_user_id)
            names.append(plain(who.display_name) if who else t_server(texts.UNKNOWN_BOT, bot_id=recording.bot_user_id))
        until = max(r.expires_at for r in recordings)
        return discord.Embed(description=logic.recording_announcement(names, int(until.timestamp())),
                             colour=discord.Colour.red())

    # --- granting a recording exception (/recording allow, and an access request's button) --------------

    def check_grant(self, minutes: int, reason: str, recorder: discord.Member | None) -> str:
        """BadInput (kind, says how to fix it) unless this grant can be made; returns the cleaned reason."""
        cleaned = self.service.check_request(minutes, reason)
        if recorder is not None and not recorder.bot:
            raise BadInput(t_server(texts.NOT_A_BOT, name=plain(recorder.display_name)))
        if recorder is not None and self.bot.user is not None and recorder.id == self.bot.user.id:
            raise BadInput(t_server(texts.IS_ME))
        return cleaned

    async def grant(self, channel: VoiceLike, recorder: discord.Member | None, reason: str, moderator_id: int,
                    minutes: int, *, access_request_id: int | None = None) -> Granted:
        """Grant it (stored, audited), announce it in the meeting's chat (the bot's name and the general
        reason only: never the private reason nor whose need it is), and say what was done (to a moderator:
        the server's language)."""
        granted = await self.service.allow(channel.guild.id, channel.id, recorder.id if recorder else None, reason,
                                           moderator_id, minutes, access_request_id=access_request_id)
        await self.send_in_voice_chat(channel, [self.recording_embed(channel.guild, [granted])])
        who = t_server(texts.ALLOWED_BOT, name=plain(recorder.display_name)) if recorder else t_server(texts.ANY_BOT)
        text = t_server(texts.ALLOWED, who=who, channel=channel.mention, duration=logic.describe_duration(minutes),
                        until=format_dt(granted.expires_at, "t"))
        if not await self.is_confidential(channel):
            text += "\n" + t_server(texts.ALLOWED_NOT_CONFIDENTIAL, channel=channel.mention)
        return Granted(granted, text)

    async def alert(self, guild: discord.Guild, key: str, text: str) -> None:
        await self.bot.modlog.alert_once(guild.id, key, self.bot.wiring_for(guild).mod_log_channel, text)

    async def send_in_voice_chat(self, channel: VoiceLike, embeds: list[discord.Embed]) -> None:
        try:
            await channel.send(embeds=embeds, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            await self.alert(channel.guild, "confidential:send_voice",
                             t_server(texts.CANT_POST_IN_VOICE_CHAT, channel=channel.mention))
        except discord.HTTPException as exc:
            log.warning("could not post in the chat of voice channel %s (HTTP %s)", channel.id, exc.status)

    async def set_voice_status(self, channel: discord.VoiceChannel, status: str | None) -> None:
        perms = channel.permissions_for(channel.guild.me)
        if not (perms.set_voice_channel_status and perms.manage_channels and perms.view_channel):
            return  # optional: the reminders and the guard work without it
        try:
            await channel.edit(status=status)
        except discord.HTTPException as exc:
            log.warning("could not set the status of voice channel %s (HTTP %s)", channel.id, exc.status)

    # --- the guard ----------------------------------------------------------------------------------

    async def guard(self, member: discord.Member, channel: VoiceLike, why: str = texts.WHY_JOINED) -> None:
        """`why` is one of texts.WHY_* (rendered in the mod-log's language when told)."""
        verdict = await self.service.verdict(channel.guild.id, channel.id, member.id)
        if verdict is not BotVerdict.DISCONNECT:
            log.info("bot %s may stay in confidential channel %s (%s)", member.id, channel.id, verdict.value)
            return
        await self._disconnect(member, channel, why)

    async def guard_all(self, channel: VoiceLike, why: str) -> None:
        for member in channel.members:
            if self.is_other_bot(member):
                await self.guard(member, channel, why)

    async def _disconnect(self, member: discord.Member, channel: VoiceLike, why: str) -> bool:
        guild = channel.guild
        name = plain(member.display_name)
        try:
            await member.move_to(None, reason=t_server(texts.DISCONNECT_REASON))
        except discord.Forbidden:
            await self.alert(guild, "confidential:move_members", t_server(
                texts.CANT_DISCONNECT, name=name, bot_id=member.id, channel=channel.mention))
            return False
        except discord.HTTPException as exc:
            log.warning("could not disconnect bot %s from channel %s (HTTP %s)", member.id, channel.id, exc.status)
            return False
        await self.service.bot_disconnected(guild.id, self.bot.user.id if self.bot.user else None, member.id)
        await self.bot.modlog.post(self.bot.wiring_for(guild).mod_log_channel, t_server(
            texts.DISCONNECTED, name=name, bot_id=member.id, channel=channel.mention, why=t_server(why)))
        return True

    async def end_expired(self) -> int:
        """End exceptions whose time is up: tell the channel, remove bots no longer covered."""
        ended = await self.service.expire(self.bot.owns_guild)
        for recording in ended:
            guild = self.bot.get_guild(recording.guild_id)
            channel = guild.get_channel(recording.channel_id) if guild else None
            if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
                continue
            try:
                await channel.send(t_server(texts.RECORDING_ENDED), allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as exc:
                log.warning("could not announce the end of recording in channel %s (HTTP %s)", channel.id,
                            exc.status)
            if await self.is_confidential(channel):
                await self.guard_all(channel, texts.WHY_EXCEPTION_ENDED)
        return len(ended)
