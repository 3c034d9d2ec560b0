"""Confidential spaces: `/confidential add|remove|list` (moderators) and deleted channels.

Text, voice and stage channels or whole categories can be marked; threads of confidential
channels count too. A marked voice channel shows the status "Confidential — no recording".
"""

from __future__ import annotations

import contextlib

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.errors import NotFound
from bot.i18n import t_server
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.confidential import logic, texts
from cogs.confidential.actions import ConfidentialActions, place_of
from cogs.confidential.service import ConfidentialService

Target = discord.TextChannel | discord.VoiceChannel | discord.StageChannel | discord.CategoryChannel


def kind_of(target: Target) -> str:
    if isinstance(target, discord.CategoryChannel):
        return "category"
    if isinstance(target, discord.StageChannel):
        return "stage"
    if isinstance(target, discord.VoiceChannel):
        return "voice"
    return "text"


class ConfidentialSpacesCog(commands.Cog):
    confidential = app_commands.Group(name="confidential", description=texts.CMD_CONFIDENTIAL,
                                      guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot, service: ConfidentialService, actions: ConfidentialActions) -> None:
        self.bot = bot
        self.service = service
        self.actions = actions

    @confidential.command(name="add", description=texts.CMD_CONFIDENTIAL_ADD)
    @app_commands.describe(target=texts.OPT_ADD_TARGET)
    async def add(self, interaction: discord.Interaction, target: Target) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        kind = kind_of(target)
        if not await self.service.add_space(guild.id, target.id, kind, moderator.id):
            await interaction.response.send_message(t_server(texts.ALREADY_CONFIDENTIAL, target=target.mention),
                                                    ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        settings = self.service.settings
        if kind == "category":
            what = t_server(texts.ADDED_CATEGORY)
        elif kind == "text":
            what = t_server(texts.ADDED_TEXT, every_messages=settings.every_messages, every_hours=settings.every_hours)
        else:
            what = t_server(texts.ADDED_VOICE)
        await interaction.response.send_message(t_server(texts.ADDED, target=target.mention, what=what),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
        await self._show_voice_status(guild, target)  # after the answer: a category may hold many channels

    @confidential.command(name="remove", description=texts.CMD_CONFIDENTIAL_REMOVE)
    @app_commands.describe(target=texts.OPT_REMOVE_TARGET)
    async def remove(self, interaction: discord.Interaction, target: Target) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        if not await self.service.remove_space(guild.id, target.id, moderator.id):
            via_category = await self.actions.is_confidential(target)
            raise NotFound(t_server(texts.NOT_MARKED_VIA_CATEGORY if via_category else texts.NOT_MARKED,
                                    target=target.mention))
        await self._drop_stale_reminders(guild)
        await interaction.response.send_message(t_server(texts.REMOVED, target=target.mention),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
        await self._show_voice_status(guild, target)

    @confidential.command(name="list", description=texts.CMD_CONFIDENTIAL_LIST)
    async def list_spaces(self, interaction: discord.Interaction) -> None:
        moderator = self.bot.require_moderator(interaction)
        spaces = await self.service.spaces(moderator.guild.id)
        if not spaces:
            await interaction.response.send_message(t_server(texts.NO_SPACES), ephemeral=True)
            return
        lines = [t_server(texts.SPACE_LINE, target_id=target_id, kind=t_server(texts.KIND_LABELS.get(kind, kind)))
                 for target_id, kind in spaces]
        text = "\n".join([t_server(texts.SPACES_HEADING), *lines, t_server(texts.SPACES_FOOTNOTE)])
        await interaction.response.send_message(text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _show_voice_status(self, guild: discord.Guild, target: Target) -> None:
        """After `target` was marked or unmarked: the voice-channel status "Confidential — no
        recording" on each voice channel it covers that is confidential now, removed from each that
        is no longer. Only where the bot may set it (Set Voice Channel Status, and Manage Channels
        since it is not in the channel)."""
        marked = await self.service.marked(guild.id)
        for channel in guild.voice_channels:
            if target.id in (channel.id, channel.category_id):
                covered = logic.is_confidential(place_of(channel), marked)
                await self.actions.set_voice_status(channel, t_server(texts.VOICE_STATUS) if covered else None)

    async def _drop_stale_reminders(self, guild: discord.Guild) -> None:
        """After an unmark, forget the state of channels no longer confidential (and delete their reminder)."""
        marked = await self.service.marked(guild.id)
        keep = {ch.id for ch in [*guild.channels, *guild.threads] if logic.is_confidential(place_of(ch), marked)}
        for channel_id, message_id in await self.service.drop_outside(guild.id, keep):
            channel = guild.get_channel_or_thread(channel_id)
            if message_id is not None and isinstance(channel, discord.TextChannel | discord.Thread):
                with contextlib.suppress(discord.HTTPException):  # already gone, or no access
                    await channel.get_partial_message(message_id).delete()

    # --- channel deletion ----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.service.forget_channel(channel.guild.id, channel.id)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        if self.bot.get_guild(payload.guild_id) is not None:
            await self.service.forget_channel(payload.guild_id, payload.thread_id)
