"""Conflicts of interest: self-tagging, the moderators' waiting room, the meeting opening."""

from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.coi.enabled:
        return
    from cogs.coi.cog import CoiCog
    from cogs.coi.keys import COI, COI_TAGGING
    from cogs.coi.meeting import MeetingCog
    from cogs.coi.service import CoiService
    from cogs.coi.tagging import Tagging
    from cogs.coi.waiting_room import WaitingRoomCog

    service = CoiService(bot.sessions, bot.clock, bot.content)
    tagging = Tagging(bot, service)
    bot.services.provide(COI, service)  # what the buttons reach: no get_cog
    bot.services.provide(COI_TAGGING, tagging)
    await bot.add_cog(CoiCog(bot, service, tagging))
    await bot.add_cog(WaitingRoomCog(bot, service))
    await bot.add_cog(MeetingCog(bot, service))


async def teardown(bot: CoalitionBot) -> None:
    from cogs.coi.keys import COI, COI_TAGGING

    bot.services.remove(COI)
    bot.services.remove(COI_TAGGING)
