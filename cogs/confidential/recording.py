"""Recording exceptions for accessibility needs: `/recording allow` and `/recording status`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.client import CoalitionBot
from bot.errors import BadInput
from bot.i18n import t, t_server
from bot.plaintext import plain
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.confidential import logic, texts
from cogs.confidential.actions import ConfidentialActions, VoiceLike
from cogs.confidential.keys import RECORDING
from cogs.confidential.service import ConfidentialService


class RecordingCog(commands.Cog):
    recording = app_commands.Group(name="recording",
                                   description=texts.CMD_RECORDING,
                                   guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot, service: ConfidentialService, actions: ConfidentialActions) -> None:
        self.bot = bot
        self.service = service
        self.actions = actions

    async def cog_load(self) -> None:
        # Others grant an exception the same way (an access request for a recording): bot.services[RECORDING].
        self.bot.services.provide(RECORDING, self.actions)

    async def cog_unload(self) -> None:
        self.bot.services.remove(RECORDING)

    @recording.command(name="allow", description=texts.CMD_RECORDING_ALLOW)
    @app_commands.describe(channel=texts.OPT_ALLOW_CHANNEL, minutes=texts.OPT_ALLOW_MINUTES,
                           reason=texts.OPT_ALLOW_REASON, bot=texts.OPT_ALLOW_BOT)
    async def allow(self, interaction: discord.Interaction, channel: VoiceLike,
                    minutes: app_commands.Range[int, 1, logic.MAX_EXCEPTION_MINUTES],
                    reason: app_commands.Range[str, 1, logic.MAX_REASON_CHARS],
                    bot: discord.Member | None = None) -> None:
        moderator = self.bot.require_moderator(interaction)
        cleaned = self.actions.check_grant(minutes, reason, bot)
        await interaction.response.defer(ephemeral=True, thinking=True)
        granted = await self.actions.grant(channel, bot, cleaned, moderator.id, minutes)
        await interaction.followup.send(granted.text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @recording.command(name="status", description=texts.CMD_RECORDING_STATUS)
    async def status(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        if guild is None:
            raise BadInput(t(texts.IN_SERVER_ONLY))
        is_mod = self.bot.is_moderator(interaction.user)
        say = t_server if is_mod else t  # a moderator's tool in the server's language; a member's answer in theirs
        recordings = await self.service.active(guild.id, with_reasons=is_mod)
        if not recordings:
            await interaction.response.send_message(say(texts.NO_RECORDING), ephemeral=True)
            return
        lines = [say(texts.RECORDING_HEADING)]
        for r in recordings:
            who = say(texts.BOT_MENTION, bot_id=r.bot_user_id) if r.bot_user_id else say(texts.ANY_BOT)
            values = {"channel_id": r.channel_id, "who": who, "until": format_dt(r.expires_at, "t"),
                      "relative": format_dt(r.expires_at, "R")}
            if r.reason is not None:
                lines.append(say(texts.RECORDING_LINE_WITH_REASON, **values, reason=plain(r.reason)))
            else:
                lines.append(say(texts.RECORDING_LINE, **values))
        await interaction.response.send_message("\n".join(lines)[:2000], ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
