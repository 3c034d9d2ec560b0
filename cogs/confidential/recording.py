"""Recording exceptions for accessibility needs: `/recording allow` and `/recording status`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.client import CoalitionBot
from bot.errors import BadInput
from bot.plaintext import plain
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.confidential import logic, texts
from cogs.confidential.actions import ConfidentialActions, VoiceLike
from cogs.confidential.service import ConfidentialService


class RecordingCog(commands.Cog):
    recording = app_commands.Group(name="recording",
                                   description="Moderators: recording exceptions for accessibility needs",
                                   guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot, service: ConfidentialService, actions: ConfidentialActions) -> None:
        self.bot = bot
        self.service = service
        self.actions = actions

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
        cleaned = self.service.check_request(minutes, reason)
        if bot is not None and not bot.bot:
            raise BadInput(texts.NOT_A_BOT.format(name=plain(bot.display_name)))
        if bot is not None and self.bot.user is not None and bot.id == self.bot.user.id:
            raise BadInput(texts.IS_ME)
        await interaction.response.defer(ephemeral=True, thinking=True)
        granted = await self.service.allow(guild.id, channel.id, bot.id if bot else None, cleaned, moderator.id,
                                           minutes)
        await self.actions.send_in_voice_chat(channel, [self.actions.recording_embed(guild, [granted])])
        who = texts.ALLOWED_BOT.format(name=plain(bot.display_name)) if bot else texts.ANY_BOT
        text = texts.ALLOWED.format(who=who, channel=channel.mention, duration=logic.describe_duration(minutes),
                                    until=format_dt(granted.expires_at, "t"))
        if not await self.actions.is_confidential(channel):
            text += "\n" + texts.ALLOWED_NOT_CONFIDENTIAL.format(channel=channel.mention)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @recording.command(name="status", description="Show the recording exceptions that are active now")
    async def status(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        if guild is None:
            raise BadInput(texts.IN_SERVER_ONLY)
        is_mod = self.bot.is_moderator(interaction.user)
        recordings = await self.service.active(guild.id, with_reasons=is_mod)
        if not recordings:
            await interaction.response.send_message(texts.NO_RECORDING, ephemeral=True)
            return
        lines = [texts.RECORDING_HEADING]
        for r in recordings:
            who = texts.BOT_MENTION.format(bot_id=r.bot_user_id) if r.bot_user_id else texts.ANY_BOT
            values = {"channel_id": r.channel_id, "who": who, "until": format_dt(r.expires_at, "t"),
                      "relative": format_dt(r.expires_at, "R")}
            if r.reason is not None:
                lines.append(texts.RECORDING_LINE_WITH_REASON.format(**values, reason=plain(r.reason)))
            else:
                lines.append(texts.RECORDING_LINE.format(**values))
        await interaction.response.send_message("\n".join(lines)[:2000], ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
