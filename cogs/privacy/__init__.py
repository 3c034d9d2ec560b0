"""Privacy and data rights: /privacy, /mydata, /audit, departures and retention purges."""

from bot.client import CoalitionBot
from cogs.privacy.cog import PrivacyCog


async def setup(bot: CoalitionBot) -> None:
    # Always on: data rights and retention are not optional.
    await bot.add_cog(PrivacyCog(bot))
