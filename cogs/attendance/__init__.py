"""Meeting attendance by organization: the organizations list, "I'm here" at monthly Coalition meetings,
and each organization's figure against the 50% ask. It rides on the COI feature's meetings."""

from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.coi.enabled:  # the meetings (/meeting start) belong to the COI feature
        return
    from cogs.attendance.cog import AttendanceCog
    from cogs.attendance.service import ATTENDANCE, AttendanceService

    service = AttendanceService(bot.sessions, bot.clock)
    bot.services.provide(ATTENDANCE, service)
    await bot.add_cog(AttendanceCog(bot, service))


async def teardown(bot: CoalitionBot) -> None:
    from cogs.attendance.service import ATTENDANCE

    bot.services.remove(ATTENDANCE)
