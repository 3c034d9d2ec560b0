"""Confidential spaces: reminders, the recording / AI-notetaker guard, recording exceptions."""

from bot.client import CoalitionBot
from cogs.confidential.cog import ConfidentialCog


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.confidential.enabled:
        return
    await bot.add_cog(ConfidentialCog(bot))
