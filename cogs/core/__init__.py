"""Core commands every server gets: /about and /help."""

from bot.client import CoalitionBot
from cogs.core.cog import CoreCog


async def setup(bot: CoalitionBot) -> None:
    await bot.add_cog(CoreCog(bot))
