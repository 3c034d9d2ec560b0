"""Access needs (/access request): a member tells staff privately what they need for meetings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CoalitionBot


async def setup(bot: CoalitionBot) -> None:
    if not bot.settings.access.enabled:
        return
    from cogs.access.cog import AccessCog
    from cogs.access.service import ACCESS, AccessService

    service = AccessService(sessions=bot.sessions, cipher=bot.cipher, clock=bot.clock)
    bot.services.provide(ACCESS, service)  # others (privacy's erasure) reach it as bot.services[ACCESS]
    await bot.add_cog(AccessCog(bot, service))
