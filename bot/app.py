"""Assemble the bot: settings + content + database + key -> a ready-to-start bot.

Used by `python -m bot` and by the in-process end-to-end fixtures, so tests run
exactly what production runs, only with another database and API address.
"""

from __future__ import annotations

import asyncio
import logging

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.client import CoalitionBot
from bot.clock import Clock
from bot.content import Content, load_content
from bot.keys import load_cipher
from bot.settings import Settings
from db.crypto import DataCipher
from db.schema_version import is_current
from db.session import create_engine, create_session_factory

log = logging.getLogger(__name__)


def point_at(api_base_url: str, gateway_url: str) -> None:
    """Send REST (incl. interaction webhooks) and the gateway to the configured addresses."""
    Route.BASE = api_base_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class BotApp:
    def __init__(self, settings: Settings, content: Content, engine: AsyncEngine, cipher: DataCipher,
                 bot: CoalitionBot) -> None:
        self.settings = settings
        self.content = content
        self.engine = engine
        self.cipher = cipher
        self.bot = bot

    @classmethod
    async def create(cls, settings: Settings, *, data_key: str | None = None, clock: Clock | None = None) -> BotApp:
        content = load_content(settings.content_file)
        engine = create_engine(settings.database.url, echo=settings.database.echo)
        if not await is_current(engine):
            from db.migrate import upgrade_to_head  # Alembic is imported only when needed

            await upgrade_to_head(engine)
        cipher = load_cipher(data_key, settings.database.url)
        point_at(settings.discord.api_base_url, settings.discord.gateway_url)
        bot = CoalitionBot(settings, content, create_session_factory(engine), cipher, clock)
        return cls(settings, content, engine, cipher, bot)

    async def start(self, token: str) -> None:
        """Run until the bot is closed."""
        try:
            await self.bot.start(token)
        except discord.LoginFailure:
            log.error("Discord rejected the token in DISCORD_TOKEN; check it in the Developer Portal")
            raise

    async def close(self) -> None:
        if not self.bot.is_closed():
            await self.bot.close()
        # Let event and interaction handlers that are mid-transaction finish before the
        # engine goes away; disposing under them strands their connections' close.
        await drain_handlers(timeout=5.0)
        await self.engine.dispose()


HANDLER_TASK_PREFIXES = ("discord.py: ", "discord-ui-", "CommandTree-invoker", "discord-ext-tasks")


async def drain_handlers(timeout: float) -> None:  # noqa: ASYNC109 - a bounded wait is the point
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks()
               if task is not current and not task.done() and task.get_name().startswith(HANDLER_TASK_PREFIXES)]
    if pending:
        _, still = await asyncio.wait(pending, timeout=timeout)
        if still:
            log.warning("%d handler(s) still running at shutdown; closing anyway", len(still))
    # A few loop turns for connection clean-up callbacks the handlers scheduled.
    for _ in range(3):
        await asyncio.sleep(0)
