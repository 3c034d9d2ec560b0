"""The "I'm here" button on a monthly Coalition meeting's opening, and how figures are shown.

custom_id (declared once): `attendance:here:<meeting>` — the meeting only. Who pressed it comes from
Discord, never from the custom_id, and no custom_id names an organization, so a forged one can at
most try to check the presser in to another meeting (refused unless it is an open monthly meeting
of the same server). Every reply is private.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.errors import BadInput
from bot.i18n import t, t_server, tn
from bot.interactions import CustomId, Item, services_of
from bot.plaintext import pack_pages, plain
from cogs.attendance import logic, texts
from cogs.attendance.service import ATTENDANCE

CHECK_IN = CustomId("attendance:here:{meeting:int}")


class CheckInButton(Item[discord.ui.Button[Any]], spec=CHECK_IN):
    where = "attendance check-in"
    redact = True  # who checked in to which meeting stays out of the error log

    def __init__(self, meeting: int, *, disabled: bool = False) -> None:
        # On a shared message: the server's language.
        super().__init__(discord.ui.Button(label=t_server(texts.HERE_LABEL), emoji="👋",
                                           style=discord.ButtonStyle.success,
                                           custom_id=CHECK_IN.build(meeting=meeting), disabled=disabled))
        self.meeting_id = meeting

    async def act(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            raise BadInput(t(texts.SERVER_ONLY))
        done = await services_of(interaction.client)[ATTENDANCE].check_in(interaction.guild_id, self.meeting_id,
                                                                          interaction.user.id)
        if not done.new:
            text = t(texts.ALREADY_CHECKED_IN)
        elif done.organization is not None:
            text = t(texts.CHECKED_IN_FOR, organization=plain(done.organization))
        else:
            text = t(texts.CHECKED_IN_ALONE)
        await interaction.response.send_message(text, ephemeral=True)


DYNAMIC_ITEMS = (CheckInButton,)


class MeetingCheckIn:
    """The COI feature's `MeetingButtons` (cogs/coi/views.py): "I'm here" on monthly Coalition meetings only
    (other meetings take no attendance, so nothing is stored about them)."""

    def meeting_buttons(self, meeting_id: int, kind: str, *, disabled: bool) -> Sequence[discord.ui.Item[Any]]:
        return [CheckInButton(meeting_id, disabled=disabled)] if kind == logic.MONTHLY else []


def figure_line(figure: logic.Figure) -> str:
    template = texts.FIGURE_MEETS if figure.meets_ask else texts.FIGURE_BELOW
    return tn(template, figure.held, organization=plain(figure.organization), attended=figure.attended,
              held=figure.held, needed=figure.needed)


def report_pages(report: logic.Report) -> list[str]:
    if report.held == 0:
        return [t(texts.NO_MEETINGS, year=report.year)]
    head = t(texts.REPORT_HEAD, year=report.year, held=report.held)
    if not report.figures:
        return [f"{head}\n\n{t(texts.REPORT_NO_ORGANIZATIONS)}"]
    lines = [figure_line(f) for f in report.figures]
    return pack_pages([*lines, "", t(texts.REPORT_NOTE)], head=head + "\n\n")


def own_figure(figure: logic.Figure, year: int) -> str:
    if figure.held == 0:
        return t(texts.NO_MEETINGS, year=year)
    return "\n\n".join([t(texts.MINE_HEAD, organization=plain(figure.organization), year=year),
                        figure_line(figure), t(texts.MINE_NOTE)])


def organization_pages(names: list[str]) -> list[str]:
    if not names:
        return [t(texts.LIST_EMPTY)]
    return pack_pages([t(texts.LIST_LINE, name=plain(n)) for n in names],
                      head=t(texts.LIST_HEAD, count=len(names)) + "\n")
