"""Privacy and data rights: /privacy, /mydata, /audit, departures and retention purges."""

from bot.client import CoalitionBot
from cogs.privacy.actions import PrivacyActions
from cogs.privacy.cog import PrivacyCog
from cogs.privacy.keys import PRIVACY, PRIVACY_ACTIONS
from cogs.privacy.mydata import MyDataCog
from cogs.privacy.service import PrivacyService


async def setup(bot: CoalitionBot) -> None:
    # Always on: data rights and retention are not optional.
    service = PrivacyService(bot.sessions, bot.reads, bot.clock, bot.settings.privacy, bot.cipher, bot.content,
                             bot.languages)
    actions = PrivacyActions(bot)
    bot.services.provide(PRIVACY, service)  # what the buttons reach: no get_cog
    bot.services.provide(PRIVACY_ACTIONS, actions)
    await bot.add_cog(PrivacyCog(bot, service, actions))
    await bot.add_cog(MyDataCog(bot, service, actions))


async def teardown(bot: CoalitionBot) -> None:
    bot.services.remove(PRIVACY)
    bot.services.remove(PRIVACY_ACTIONS)
