"""The acronym glossary: /acronym lookup and /acronym list (for everyone)."""

from bot.client import CoalitionBot
from cogs.acronyms.cog import AcronymCog


async def setup(bot: CoalitionBot) -> None:
    await bot.add_cog(AcronymCog(bot))
