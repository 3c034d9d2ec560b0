"""Conflicts of interest: self-tagging, the moderators' waiting room, the meeting opening."""

from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.coi.enabled:
        return
    from cogs.coi.cog import CoiCog
    from cogs.coi.meeting import MeetingCog
    from cogs.coi.service import CoiService
    from cogs.coi.tagging import Tagging
    from cogs.coi.waiting_room import WaitingRoomCog

    service = CoiService(bot.sessions, bot.clock, bot.content)
    await bot.add_cog(CoiCog(bot, service, Tagging(bot, service)))
    await bot.add_cog(WaitingRoomCog(bot, service))
    await bot.add_cog(MeetingCog(bot, service))
