"""Moderators acting on a case: the summary's buttons, their forms, /mod-repair cases and export.

One hop in, one hop out: a click is parsed from its custom_id, the service checks and changes the
case (one transaction) and says whom to tell; this module renders that and tells them.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import REDACT, BadInput
from bot.i18n import speaking, t_server
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.repair import ids, texts, views
from cogs.repair.board import CaseBoard, RepairItem, language_of, service_of, source_of
from cogs.repair.logic import ACTION_LABELS, Action, CaseSummary, Status
from cogs.repair.service import MODAL_ACTIONS, RepairService

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

BUTTON_STYLES = {
    Action.ACKNOWLEDGE: discord.ButtonStyle.success,
    Action.ASSIGN: discord.ButtonStyle.primary,
    Action.REPLY: discord.ButtonStyle.primary,
    Action.NOTE: discord.ButtonStyle.secondary,
    Action.CLOSE: discord.ButtonStyle.danger,
    Action.REOPEN: discord.ButtonStyle.secondary,
}


class CaseButton(RepairItem[discord.ui.Button[Any]], spec=ids.CASE):
    def __init__(self, action: Action | str, case: int, style: discord.ButtonStyle = discord.ButtonStyle.secondary,
                 ) -> None:
        self.action = Action(action)
        self.case_id = case
        super().__init__(discord.ui.Button(label=t_server(ACTION_LABELS[self.action]), style=style,
                                           custom_id=ids.CASE.build(action=self.action.value, case=case)))

    async def act(self, interaction: discord.Interaction) -> None:
        await clicked(interaction, self.action, self.case_id)


def case_buttons(case_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action, style in BUTTON_STYLES.items():
        view.add_item(CaseButton(action, case_id, style))
    return view


class Summaries:
    """Shows a case's summary in its place (the service's `SummaryBoard`)."""

    def __init__(self, board: CaseBoard) -> None:
        self.board = board

    async def show_summary(self, case: CaseSummary) -> None:
        place = await self.board.place_of(case)
        if place is None or case.summary_message_id is None:
            return
        try:
            await place.get_partial_message(case.summary_message_id).edit(
                embed=views.summary_embed(case), view=case_buttons(case.case_id), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("repair: could not update the summary of case id %s (HTTP %s)", case.case_id, exc.status)


async def clicked(interaction: discord.Interaction, action: Action, case_id: int) -> None:
    board = CaseBoard(interaction.client)  # type: ignore[arg-type]
    service = service_of(interaction.client)
    reviewer = board.reviewer_of(interaction)
    if action in MODAL_ACTIONS:
        case = await service.open_form(case_id, reviewer, source_of(interaction), action)
        await interaction.response.send_modal(views.action_modal(action, case.case_id, case.number))
        return
    await act(interaction, service, board, case_id, action)


async def form_sent(interaction: discord.Interaction, found: dict[str, Any], values: dict[str, Any]) -> None:
    """A reply, note or closing form (ids.FORM) was sent. Its custom_id names no person: the sender is
    checked like a click (a reviewer of this case, from its summary)."""
    action = Action(ids.ACTION_OF[found["form"]])
    board = CaseBoard(interaction.client)  # type: ignore[arg-type]
    board.reviewer_of(interaction)  # refuse non-reviewers before reading anything
    outcome = None
    if action is Action.CLOSE:
        picked = values.get("outcome") or [Status.RESOLVED]
        outcome = str(picked[0]) if isinstance(picked, list) and picked else Status.RESOLVED
    await act(interaction, service_of(interaction.client), board, found["case"], action,
              text=str(values.get("text") or ""), outcome=outcome)


async def act(interaction: discord.Interaction, service: RepairService, board: CaseBoard, case_id: int,
              action: Action, *, text: str | None = None, outcome: str | None = None) -> None:
    done = await service.act(case_id, board.reviewer_of(interaction), source_of(interaction), action,
                             text=text, outcome=outcome)
    case = done.case
    if done.on_summary:
        await interaction.response.edit_message(embed=views.summary_embed(case), view=case_buttons(case.case_id),
                                                allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await Summaries(board).show_summary(case)
    delivered = None
    if done.to_requester is not None:
        # The requester reads it in their language (for an anonymous case the bot alone knows who they
        # are); nothing the moderators see depends on it (views.letter_pages).
        with speaking(language_of(interaction.client, done.requester_id)):
            pages = views.letter_pages(done.to_requester)
        delivered = await board.dm(done.requester_id, pages)
    shown = await service.dm_outcome(done, delivered)
    await board.post(case, views.action_line(case, interaction.user.mention, action, done.text, shown))
    if not done.on_summary:
        await interaction.followup.send(views.done(case), ephemeral=True)


# --- /mod-repair -----------------------------------------------------------------------------------


class ModerationCog(commands.Cog):
    moderate = app_commands.Group(name="mod-repair", description=texts.CMD_MOD_REPAIR,
                                  guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot, service: RepairService) -> None:
        self.bot = bot
        self.service = service
        self.board = CaseBoard(bot)

    @moderate.command(name="cases", description=texts.CMD_MOD_REPAIR_CASES, extras=REDACT)
    @app_commands.describe(status=texts.OPT_CASES_STATUS)
    @app_commands.choices(status=[app_commands.Choice(name=name, value=value)
                                  for value, name in texts.STATUS_CHOICES.items()])
    async def cases(self, interaction: discord.Interaction, status: str = "open") -> None:
        await self.list_cases(interaction, status)

    async def list_cases(self, interaction: discord.Interaction, status: str) -> None:
        if interaction.guild is None:
            raise BadInput(t_server(texts.CASES_IN_SERVER))
        member = self.bot.require_moderator(interaction)
        found = await self.service.list_cases(self.board.reviewer(member), status)
        if not found:
            await interaction.response.send_message(t_server(texts.NO_CASES), ephemeral=True)
            return
        await interaction.response.send_message(views.case_list(found, status), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @moderate.command(name="export", description=texts.CMD_MOD_REPAIR_EXPORT, extras=REDACT)
    @app_commands.describe(case=texts.OPT_EXPORT_CASE)
    async def export(self, interaction: discord.Interaction, case: app_commands.Range[int, 1, 10**9]) -> None:
        await self.export_case(interaction, case)

    async def export_case(self, interaction: discord.Interaction, number: int) -> None:
        guild = interaction.guild
        if guild is None:
            raise BadInput(t_server(texts.EXPORT_IN_SERVER))
        reviewer = self.board.reviewer_of(interaction)

        def name_of(user_id: int) -> str | None:
            found = guild.get_member(user_id)
            return found.display_name if found is not None else None

        number, text = await self.service.export(reviewer, number, name_of)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(
            t_server(texts.EXPORTED, number=number), ephemeral=True,
            file=discord.File(io.BytesIO(text.encode()), filename=t_server(texts.EXPORT_FILE, number=number)))
