"""Repair & justice requests routed privately to moderators (issue 7)."""

from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.repair.enabled:
        return
    from cogs.repair.cog import RepairCog

    await bot.add_cog(RepairCog(bot))
