"""Confidential voice and stage channels: the reminders when a meeting begins, and the bot guard.

The first person joining an empty confidential channel gets the reminders in the channel's chat,
not again until it has stood empty for `voice_quiet_minutes`. Any other bot joining is
disconnected and reported in the mod-log, unless allow-listed or covered by `/recording allow`.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.client import CoalitionBot
from bot.i18n import t_server
from cogs.confidential import logic, texts
from cogs.confidential.actions import ConfidentialActions, VoiceLike, humans_in, place_of
from cogs.confidential.service import ConfidentialService


class ConfidentialVoiceCog(commands.Cog):
    def __init__(self, bot: CoalitionBot, service: ConfidentialService, actions: ConfidentialActions) -> None:
        self.bot = bot
        self.service = service
        self.actions = actions

    @commands.Cog.listener()
    async def on_voice_state_update(self, member: discord.Member, before: discord.VoiceState,
                                    after: discord.VoiceState) -> None:
        if before.channel == after.channel:
            return  # mute/deafen/video changes
        joined, left = after.channel, before.channel
        if joined is not None and await self.actions.is_confidential(joined):
            if member.bot:
                if self.actions.is_other_bot(member):
                    await self.actions.guard(member, joined)
            elif [m.id for m in humans_in(joined)] == [member.id]:
                await self._meeting_starts(joined)
        if left is not None and not member.bot and not humans_in(left) and await self.actions.is_confidential(left):
            await self.service.emptied(left.guild.id, left.id, lambda: bool(humans_in(left)))

    async def _meeting_starts(self, channel: VoiceLike) -> None:
        recordings = await self.service.first_joined(channel.guild.id, channel.id)
        if isinstance(channel, discord.VoiceChannel):
            # Someone may have changed or cleared the status meanwhile.
            await self.actions.set_voice_status(channel, t_server(texts.VOICE_STATUS))
        if recordings is None:
            return
        embeds = [self.actions.reminder_embed()]
        if recordings:
            embeds.append(self.actions.recording_embed(channel.guild, recordings))
        await self.actions.send_in_voice_chat(channel, embeds)

    @commands.Cog.listener()
    async def on_coalition_guild_ready(self, guild: discord.Guild) -> None:
        """Catch bots that joined confidential voice channels while this bot was offline."""
        marked = await self.service.marked(guild.id)
        if not marked:
            return
        channels: list[VoiceLike] = [*guild.voice_channels, *guild.stage_channels]
        for channel in channels:
            if logic.is_confidential(place_of(channel), marked):
                await self.actions.guard_all(channel, texts.WHY_THERE_AT_START)
