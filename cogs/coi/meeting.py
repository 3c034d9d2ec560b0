"""The meeting opening: /meeting start and /meeting end, and the note-taker button.

The opening is posted in the meeting channel's chat: introductions with conflicts of
interest, the call for a volunteer note-taker (a persistent "I'll take notes" button),
the meeting norms and confidentiality reminders, and that acronyms must be explained.
The first volunteer is recorded with one conditional UPDATE, so two people clicking at
the same moment cannot both become the note-taker.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.errors import BadInput, BotMissingPermission, Conflict, NotFound
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.coi import logic
from cogs.coi.views import notetaker_view
from db.models import Meeting
from db.repositories import audit
from db.repositories import coi as repo

log = logging.getLogger(__name__)

MeetingChannel = discord.VoiceChannel | discord.StageChannel | discord.TextChannel


def meeting_channel(channel: object) -> MeetingChannel:
    if not isinstance(channel, discord.VoiceChannel | discord.StageChannel | discord.TextChannel):
        raise BadInput("Please pick the meeting's voice (or text) channel: I post the opening in its chat. "
                       "Categories, forums and threads can't hold it.")
    return channel


class MeetingCog(commands.Cog, name="MeetingCog"):
    meeting = app_commands.Group(name="meeting", guild_only=True, default_permissions=MODERATOR_COMMANDS,
                                 description="Moderators: open and close a meeting")

    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot

    def opening_embed(self) -> discord.Embed:
        content = self.bot.content
        text = logic.meeting_opening(content.meeting.introductions, content.meeting.notetaker,
                                     content.confidential.title, content.confidential.reminders)
        return discord.Embed(title=f"Welcome to this {content.community.short_name} meeting", description=text)

    @meeting.command(name="start", description="Post the meeting opening: introductions, note-taker, norms")
    @app_commands.describe(channel="The meeting's channel (its chat gets the opening)")
    async def start(self, interaction: discord.Interaction, channel: MeetingChannel) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        target = meeting_channel(channel)
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.sessions() as session, session.begin():
            if await repo.active_meeting(session, guild.id, target.id) is not None:
                raise Conflict(f"A meeting is already open in {target.mention}. Close it with `/meeting end` "
                               "before opening a new one.")
            meeting = await repo.create_meeting(session, guild_id=guild.id, channel_id=target.id,
                                                started_by=moderator.id, started_at=self.bot.clock.now())
        try:
            message = await target.send(logic.notetaker_line(None), embed=self.opening_embed(),
                                        view=notetaker_view(meeting.id), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            async with self.bot.sessions() as session, session.begin():
                await repo.delete_meeting(session, meeting.id)
            if isinstance(exc, discord.Forbidden):
                raise BotMissingPermission(
                    f"I can't post in {target.mention}'s chat: I need **View Channel** and **Send Messages** "
                    "there. A server admin can grant them to my role. Nothing was posted.") from None
            raise
        async with self.bot.sessions() as session, session.begin():
            await repo.set_opening_message(session, meeting.id, message.id)
            await audit.record(session, guild.id, moderator.id, "coi.meeting.start", f"channel:{target.id}",
                               at=self.bot.clock.now())
        await interaction.followup.send(
            f"The meeting opening is posted in {target.mention}. Close it with `/meeting end` when you're done.",
            ephemeral=True, allowed_mentions=NO_MENTIONS)

    @meeting.command(name="end", description="Close the meeting (the note-taker button stops)")
    @app_commands.describe(channel="The meeting's channel (default: this channel)")
    async def end(self, interaction: discord.Interaction, channel: MeetingChannel | None = None) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        async with self.bot.sessions() as session:
            if channel is not None:
                found = await repo.active_meeting(session, guild.id, channel.id)
                meetings = [found] if found is not None else []
            else:
                here = interaction.channel_id
                found = await repo.active_meeting(session, guild.id, here) if here else None
                meetings = [found] if found is not None else list(await repo.active_meetings(session, guild.id))
        if not meetings:
            where = f" in {channel.mention}" if channel is not None else ""
            raise NotFound(f"There is no open meeting{where}, so there is nothing to close.")
        if len(meetings) > 1:
            raise BadInput("Several meetings are open: " + ", ".join(f"<#{m.channel_id}>" for m in meetings)
                           + ". Please say which one with the `channel` option.")
        meeting = meetings[0]
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.sessions() as session, session.begin():
            if not await repo.end_meeting(session, meeting.id, self.bot.clock.now()):
                raise Conflict("That meeting has already been closed.")
            await audit.record(session, guild.id, moderator.id, "coi.meeting.end", f"channel:{meeting.channel_id}",
                               at=self.bot.clock.now())
        await self._close_opening(guild, meeting)
        await interaction.followup.send(f"The meeting in <#{meeting.channel_id}> is closed. Thank you!",
                                        ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _close_opening(self, guild: discord.Guild, meeting: Meeting) -> None:
        channel = guild.get_channel(meeting.channel_id)
        if not isinstance(channel, MeetingChannel) or meeting.opening_message_id is None:
            return
        async with self.bot.sessions() as session:
            fresh = await repo.get_meeting(session, meeting.id)
        notetaker = fresh.notetaker_id if fresh else None
        content = logic.meeting_closed(f"<@{notetaker}>" if notetaker else None)
        try:
            await channel.get_partial_message(meeting.opening_message_id).edit(
                content=content, view=notetaker_view(meeting.id, disabled=True), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not close the opening message of meeting %s (HTTP %s)", meeting.id, exc.status)

    # --- the note-taker button ----------------------------------------------------------

    async def on_notetaker_click(self, interaction: discord.Interaction, meeting_id: int) -> None:
        user = interaction.user
        async with self.bot.sessions() as session, session.begin():
            won = await repo.claim_notetaker(session, meeting_id, user.id)
            meeting = await repo.get_meeting(session, meeting_id)
        if meeting is None:
            raise NotFound("This meeting no longer exists.")
        if won:
            await interaction.response.edit_message(content=logic.notetaker_line(user.mention),
                                                    allowed_mentions=NO_MENTIONS)
            return
        if meeting.ended_at is not None:
            await interaction.response.send_message("This meeting has ended, so no note-taker is needed now. "
                                                    "Thank you for offering!", ephemeral=True)
            return
        taker = meeting.notetaker_id
        member = interaction.guild.get_member(taker) if interaction.guild and taker else None
        name = discord.utils.escape_markdown(member.display_name) if member else "someone"
        await interaction.response.send_message(logic.notetaker_taken(name, taker == user.id), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
