"""The confidential feature's entries in the bot's service registry: typed, no get_cog."""

from __future__ import annotations

from bot.services import ServiceKey
from cogs.confidential.actions import ConfidentialActions

# Granting a recording exception the way /recording allow does (an access request's button uses it).
RECORDING = ServiceKey("recording exceptions", ConfidentialActions)
