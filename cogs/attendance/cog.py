"""Organizations and attendance: thin commands calling AttendanceService.

Members: /organization set|clear, /attendance mine (their own organization's figure, nothing else).
Moderators (hidden by Discord and checked here): /mod-organization add|remove|list, /mod-attendance report.
Every reply is private.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.errors import BadInput
from bot.i18n import t, t_server
from bot.plaintext import clip, plain
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.attendance import logic, texts, views
from cogs.attendance.service import AttendanceService
from cogs.coi.views import MEETING_BUTTONS

Year = app_commands.Range[int, logic.FIRST_YEAR, logic.LAST_YEAR]


def guild_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise BadInput(t(texts.SERVER_ONLY))
    return interaction.guild_id


class AttendanceCog(commands.Cog, name="AttendanceCog"):
    organization = app_commands.Group(name="organization", description=texts.CMD_ORGANIZATION, guild_only=True)
    moderate_organizations = app_commands.Group(name="mod-organization", description=texts.CMD_MOD_ORGANIZATION,
                                                guild_only=True, default_permissions=MODERATOR_COMMANDS)
    attendance = app_commands.Group(name="attendance", description=texts.CMD_ATTENDANCE, guild_only=True)
    moderate_attendance = app_commands.Group(name="mod-attendance", description=texts.CMD_MOD_ATTENDANCE,
                                             guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot, service: AttendanceService) -> None:
        self.bot = bot
        self.service = service

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*views.DYNAMIC_ITEMS)
        self.bot.services.provide(MEETING_BUTTONS, views.MeetingCheckIn())

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*views.DYNAMIC_ITEMS)
        self.bot.services.remove(MEETING_BUTTONS)

    async def _pages(self, interaction: discord.Interaction, pages: list[str]) -> None:
        await interaction.response.send_message(pages[0], ephemeral=True, allowed_mentions=NO_MENTIONS)
        for page in pages[1:]:
            await interaction.followup.send(page, ephemeral=True, allowed_mentions=NO_MENTIONS)

    # --- members ----------------------------------------------------------------------------------------

    @organization.command(name="set", description=texts.CMD_ORGANIZATION_SET)
    @app_commands.describe(organization=texts.OPT_ORGANIZATION)
    async def set_(self, interaction: discord.Interaction, organization: str) -> None:
        chosen = await self.service.set_affiliation(guild_of(interaction), interaction.user.id, organization)
        if chosen.organization is None:
            await interaction.response.send_message(t(texts.SET_INDIVIDUAL), ephemeral=True)
            return
        name = plain(chosen.organization.name)
        await interaction.response.send_message(t(texts.SET_ORGANIZATION, name=name), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
        if interaction.guild is not None:  # the person first (3-second deadline), then the moderators' line
            await self.bot.modlog.post(self.bot.wiring_for(interaction.guild).mod_log_channel,
                                       t_server(texts.MODLOG_REPRESENTS, user=interaction.user.mention,
                                                organization=name))

    @set_.autocomplete("organization")
    async def _pick(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        found = await self.service.suggestions(guild_of(interaction), current, individual=True)
        return [app_commands.Choice(name=label, value=value) for label, value in found]

    @organization.command(name="clear", description=texts.CMD_ORGANIZATION_CLEAR)
    async def clear(self, interaction: discord.Interaction) -> None:
        cleared = await self.service.clear_affiliation(guild_of(interaction), interaction.user.id)
        await interaction.response.send_message(t(texts.CLEARED if cleared else texts.NOTHING_TO_CLEAR), ephemeral=True)

    @organization.command(name="cannot-participate", description=texts.CMD_CANNOT_PARTICIPATE)
    @app_commands.describe(reason=texts.OPT_REASON)
    async def cannot_participate(self, interaction: discord.Interaction,
                                 reason: app_commands.Range[str, 1, logic.REASON_LIMIT] | None = None) -> None:
        """One line for staff, like stepping back: the reason is posted (one line, defused), never stored."""
        guild_id = guild_of(interaction)
        said = logic.one_line(reason)
        shown = plain(clip(said, logic.REASON_LIMIT))
        kept = t(texts.YOUR_REASON, reason=shown) if said else ""
        organization = await self.service.represented(guild_id, interaction.user.id, kept)
        name = plain(organization.name)
        if said:
            line = t_server(texts.MODLOG_CANNOT_PARTICIPATE_WITH_REASON, user=interaction.user.mention,
                            organization=name, reason=shown)
        else:
            line = t_server(texts.MODLOG_CANNOT_PARTICIPATE, user=interaction.user.mention, organization=name)
        # The person first (3-second deadline); a repeat within minutes is not posted twice.
        key = f"cannot-participate-{interaction.user.id}"
        if self.bot.modlog.recently(guild_id, key):
            await interaction.response.send_message(t(texts.CANNOT_PARTICIPATE_AGAIN), ephemeral=True)
            return
        await interaction.response.send_message(t(texts.CANNOT_PARTICIPATE_DONE, organization=name), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
        assert interaction.guild is not None
        await self.bot.modlog.alert_once(guild_id, key, self.bot.wiring_for(interaction.guild).mod_log_channel, line)

    @attendance.command(name="mine", description=texts.CMD_ATTENDANCE_MINE)
    @app_commands.describe(year=texts.OPT_YEAR)
    async def mine(self, interaction: discord.Interaction, year: Year | None = None) -> None:
        when = year or self.service.this_year()
        figure = await self.service.own_figure(guild_of(interaction), interaction.user.id, when)
        await interaction.response.send_message(views.own_figure(figure, when), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    # --- moderators ---------------------------------------------------------------------------------------

    @moderate_organizations.command(name="add", description=texts.CMD_MOD_ORGANIZATION_ADD)
    @app_commands.describe(name=texts.OPT_NAME)
    async def add(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        moderator = self.bot.require_moderator(interaction)
        added = await self.service.add_organization(moderator.guild.id, moderator.id, name)
        await interaction.response.send_message(t(texts.ADDED, name=plain(added.name)), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @moderate_organizations.command(name="remove", description=texts.CMD_MOD_ORGANIZATION_REMOVE)
    @app_commands.describe(organization=texts.OPT_ORGANIZATION)
    async def remove(self, interaction: discord.Interaction, organization: str) -> None:
        moderator = self.bot.require_moderator(interaction)
        removed = await self.service.remove_organization(moderator.guild.id, moderator.id, organization)
        await interaction.response.send_message(t(texts.REMOVED, name=plain(removed.name)), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @remove.autocomplete("organization")
    async def _pick_listed(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if not self.bot.is_moderator(interaction.user):
            return []  # the list is the moderators' to edit
        found = await self.service.suggestions(guild_of(interaction), current, individual=False)
        return [app_commands.Choice(name=label, value=value) for label, value in found]

    @moderate_organizations.command(name="list", description=texts.CMD_MOD_ORGANIZATION_LIST)
    async def list_(self, interaction: discord.Interaction) -> None:
        moderator = self.bot.require_moderator(interaction)
        found = await self.service.organizations(moderator.guild.id)
        await self._pages(interaction, views.organization_pages([o.name for o in found]))

    @moderate_attendance.command(name="report", description=texts.CMD_MOD_ATTENDANCE_REPORT)
    @app_commands.describe(year=texts.OPT_YEAR)
    async def report(self, interaction: discord.Interaction, year: Year | None = None) -> None:
        moderator = self.bot.require_moderator(interaction)
        report = await self.service.report(moderator.guild.id, year or self.service.this_year())
        await self._pages(interaction, views.report_pages(report))
