"""Each person's language: /language (in servers and DMs), English or Spanish."""

from bot.client import CoalitionBot
from cogs.language.cog import LanguageCog


async def setup(bot: CoalitionBot) -> None:
    # Always on: a person's language is how every other feature speaks to them.
    await bot.add_cog(LanguageCog(bot))
