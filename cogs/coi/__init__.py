"""Conflicts of interest: self-tagging, the moderators' waiting room, the meeting opening."""

from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.coi.enabled:
        return
    from cogs.coi.cog import CoiCog
    from cogs.coi.meeting import MeetingCog
    from cogs.coi.waiting_room import WaitingRoomCog

    await bot.add_cog(CoiCog(bot))
    await bot.add_cog(WaitingRoomCog(bot))
    await bot.add_cog(MeetingCog(bot))
