"""The acronym glossary: /acronym lookup and /acronym list (for everyone)."""

from bot.client import CoalitionBot
from cogs.acronyms.cog import AcronymCog
from cogs.acronyms.service import AcronymService


async def setup(bot: CoalitionBot) -> None:
    await bot.add_cog(AcronymCog(AcronymService(bot.content)))
