"""Confidential spaces: reminders, the recording / AI-notetaker guard, recording exceptions."""

from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.confidential.enabled:
        return
    from cogs.confidential.actions import ConfidentialActions
    from cogs.confidential.cog import ConfidentialCog
    from cogs.confidential.recording import RecordingCog
    from cogs.confidential.service import ConfidentialService
    from cogs.confidential.spaces import ConfidentialSpacesCog
    from cogs.confidential.voice import ConfidentialVoiceCog

    service = ConfidentialService(bot.sessions, bot.clock, bot.settings.confidential, bot.cipher)
    actions = ConfidentialActions(bot, service)
    for cog in (ConfidentialCog, ConfidentialSpacesCog, ConfidentialVoiceCog, RecordingCog):
        await bot.add_cog(cog(bot, service, actions))
