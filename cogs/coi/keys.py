"""The COI feature's entries in the bot's service registry (`bot.services[COI]`): typed, no get_cog."""

from __future__ import annotations

from bot.services import ServiceKey
from cogs.coi.service import CoiService
from cogs.coi.tagging import Tagging

COI = ServiceKey("conflicts of interest", CoiService)
# The Discord side of declaring tags (roles, announcements, bursts folded into one): the tag select needs it.
COI_TAGGING = ServiceKey("conflicts of interest", Tagging)
