"""The meeting opening: /meeting start and /meeting end (the note-taker button is in views.py).

The opening is posted in the meeting channel's chat: introductions with conflicts of
interest, the call for a volunteer note-taker (a persistent "I'll take notes" button),
the meeting norms and confidentiality reminders, and that acronyms must be explained.
The first volunteer is recorded with one conditional UPDATE, so two people clicking at
the same moment cannot both become the note-taker.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.errors import BadInput, BotMissingPermission
from bot.i18n import t_server
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.coi import logic, texts
from cogs.coi.service import CoiService, MeetingInfo
from cogs.coi.views import MEETING_BUTTONS, NotetakerButton, notetaker_view

log = logging.getLogger(__name__)

MeetingChannel = discord.VoiceChannel | discord.StageChannel | discord.TextChannel


def meeting_channel(channel: object) -> MeetingChannel:
    if not isinstance(channel, discord.VoiceChannel | discord.StageChannel | discord.TextChannel):
        raise BadInput(t_server(texts.NOT_A_MEETING_CHANNEL))
    return channel


class MeetingCog(commands.Cog, name="MeetingCog"):
    meeting = app_commands.Group(name="meeting", guild_only=True, default_permissions=MODERATOR_COMMANDS,
                                 description=texts.CMD_MEETING)

    def __init__(self, bot: CoalitionBot, service: CoiService) -> None:
        self.bot = bot
        self.service = service

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(NotetakerButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(NotetakerButton)

    def opening_embed(self) -> discord.Embed:
        content = self.bot.content
        text = logic.meeting_opening(content.meeting.introductions, content.meeting.notetaker,
                                     content.confidential.title, content.confidential.reminders)
        return discord.Embed(title=t_server(texts.OPENING_TITLE, community=content.community.short_name),
                             description=text)

    def more_buttons(self, meeting_id: int, kind: str, *, disabled: bool = False) -> Sequence[discord.ui.Item[Any]]:
        """Other features' buttons on the opening (attendance's "I'm here"), when they are running."""
        more = self.bot.services.get(MEETING_BUTTONS)
        return more.meeting_buttons(meeting_id, kind, disabled=disabled) if more is not None else ()

    @meeting.command(name="start", description=texts.CMD_MEETING_START)
    @app_commands.describe(channel=texts.OPT_MEETING_START_CHANNEL, kind=texts.OPT_MEETING_KIND)
    @app_commands.choices(kind=[app_commands.Choice(name=label, value=key)
                                for key, label in texts.MEETING_KIND_LABELS.items()])
    async def start(self, interaction: discord.Interaction, channel: MeetingChannel, kind: str) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        target = meeting_channel(channel)
        await interaction.response.defer(ephemeral=True, thinking=True)
        meeting_id = await self.service.open_meeting(guild.id, target.id, moderator.id, target.mention, kind)
        try:
            message = await target.send(logic.notetaker_line(None), embed=self.opening_embed(),
                                        view=notetaker_view(meeting_id, more=self.more_buttons(meeting_id, kind)),
                                        allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            await self.service.forget_meeting(meeting_id)
            if isinstance(exc, discord.Forbidden):
                raise BotMissingPermission(t_server(texts.OPENING_FORBIDDEN, channel=target.mention)) from None
            raise
        await self.service.opening_posted(guild.id, meeting_id, message.id, moderator.id, target.id)
        await interaction.followup.send(t_server(texts.OPENING_POSTED, channel=target.mention), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    @meeting.command(name="end", description=texts.CMD_MEETING_END)
    @app_commands.describe(channel=texts.OPT_MEETING_END_CHANNEL)
    async def end(self, interaction: discord.Interaction, channel: MeetingChannel | None = None) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        meeting = await self.service.meeting_to_end(guild.id, channel.id if channel else None,
                                                    interaction.channel_id, channel.mention if channel else None)
        await interaction.response.defer(ephemeral=True, thinking=True)
        ended = await self.service.end_meeting(guild.id, meeting.id, moderator.id)
        await self._close_opening(guild, ended)
        await interaction.followup.send(t_server(texts.MEETING_CLOSED_REPLY, channel_id=ended.channel_id),
                                        ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _close_opening(self, guild: discord.Guild, meeting: MeetingInfo) -> None:
        channel = guild.get_channel(meeting.channel_id)
        if not isinstance(channel, MeetingChannel) or meeting.opening_message_id is None:
            return
        notetaker = meeting.notetaker_id
        content = logic.meeting_closed(f"<@{notetaker}>" if notetaker else None)
        try:
            await channel.get_partial_message(meeting.opening_message_id).edit(
                content=content, allowed_mentions=NO_MENTIONS,
                view=notetaker_view(meeting.id, disabled=True, more=self.more_buttons(meeting.id, meeting.kind,
                                                                                      disabled=True)))
        except discord.HTTPException as exc:
            log.warning("could not close the opening message of meeting %s (HTTP %s)", meeting.id, exc.status)
