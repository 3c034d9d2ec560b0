"""Repair & justice requests routed privately to moderators (issue 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.repair.enabled:
        return
    from cogs.repair.actions import ModerationCog
    from cogs.repair.cog import RepairCog
    from cogs.repair.filing import FilingCog
    from cogs.repair.service import REPAIR, RepairService

    service = RepairService(sessions=bot.sessions, cipher=bot.cipher, clock=bot.clock, settings=bot.settings.repair,
                            resource=bot.content.repair.resource)
    bot.services.provide(REPAIR, service)  # others reach repair's use cases as bot.services[REPAIR]
    await bot.add_cog(RepairCog(bot, service))
    await bot.add_cog(FilingCog(bot, service))
    await bot.add_cog(ModerationCog(bot, service))
