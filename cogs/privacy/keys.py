"""The privacy feature's entries in the bot's service registry (`bot.services[PRIVACY]`): typed, no get_cog."""

from __future__ import annotations

from bot.services import ServiceKey
from cogs.privacy.actions import PrivacyActions
from cogs.privacy.service import PrivacyService

PRIVACY = ServiceKey("privacy", PrivacyService)
# The Discord side of an erasure (roles, the bot's own messages): the confirm button needs it.
PRIVACY_ACTIONS = ServiceKey("privacy", PrivacyActions)
