"""Assemble the bot: settings + content + database + key -> a ready-to-start bot.

Used by `python -m bot` and by the in-process end-to-end fixtures, so tests run
exactly what production runs, only with another database and API address.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot import health
from bot.client import CoalitionBot
from bot.clock import Clock
from bot.content import Content, load_content
from bot.instance import SHARD_RUNNING, lock_postgres
from bot.keys import open_cipher, verify_keys
from bot.settings import Settings
from bot.startup import NO_NETWORK, reason
from db.crypto import DataCipher
from db.schema_version import is_current
from db.session import create_engine, create_read_engine, create_session_factory

log = logging.getLogger(__name__)
# Waiting for Discord at start: 1, 2, 4 ... seconds between tries, never more than this.
NETWORK_RETRY_MAX_SECONDS = 60.0
# A stop waits this long for servers being set up to finish (docker stop allows 10 s in all).
SETUP_FINISH_SECONDS = 8.0


def point_at(api_base_url: str, gateway_url: str) -> None:
    """Send REST (incl. interaction webhooks) and the gateway to the configured addresses."""
    Route.BASE = api_base_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class BotApp:
    def __init__(self, settings: Settings, content: Content, engine: AsyncEngine, cipher: DataCipher,
                 bot: CoalitionBot, read_engine: AsyncEngine | None = None) -> None:
        self.settings = settings
        self.content = content
        self.engine = engine
        self.read_engine = read_engine
        self.instance_lock: AsyncConnection | None = None
        self.cipher = cipher
        self.bot = bot
        self.heartbeat: asyncio.Task[None] | None = None

    @classmethod
    async def create(cls, settings: Settings, *, data_key: str | None = None, clock: Clock | None = None) -> BotApp:
        content = load_content(settings.content_file)
        engine = create_engine(settings.database.url, echo=settings.database.echo)
        # PostgreSQL: one process per shard (SQLite's lock is taken by `python -m bot` before this).
        shard = (settings.discord.shard_ids or [0])[0] if settings.discord.shard_count else None
        held = await lock_postgres(engine, shard, SHARD_RUNNING, exclusive=False)
        await verify_keys(engine, data_key, settings.database.url, settings.data_dir)  # before migration writes
        if not await is_current(engine):
            from db.migrate import upgrade_to_head  # Alembic is imported only when needed

            await upgrade_to_head(engine)
        cipher = await open_cipher(engine, data_key, settings.database.url, settings.data_dir)
        point_at(settings.discord.api_base_url, settings.discord.gateway_url)
        read_engine = create_read_engine(settings.database.url, echo=settings.database.echo)
        reads = create_session_factory(read_engine) if read_engine is not None else None
        bot = CoalitionBot(settings, content, create_session_factory(engine), cipher, clock, reads=reads)
        app = cls(settings, content, engine, cipher, bot, read_engine)
        app.instance_lock = held
        return app

    async def start(self, token: str) -> None:
        """Run until the bot is closed (what `discord.Client.start` does, with patience for the network)."""
        await self.wait_for_network()
        await self.bot.login(token)
        self.heartbeat = asyncio.create_task(health.beat(self.bot, health.heartbeat_path(self.settings.data_dir)),
                                             name="coalition-heartbeat")
        await self.bot.connect(reconnect=True)  # discord.py reconnects the gateway by itself

    async def wait_for_network(self) -> None:
        """No network at start (a Pi that boots faster than its Wi-Fi) is waited out, not a crash.

        Probed with a plain TCP connection, not with `login`: a failed login leaves discord.py's
        HTTP session half set up, and retrying it would open a new one each time.
        """
        api = yarl.URL(self.settings.discord.api_base_url)
        delay = 1.0
        while True:
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(api.host, api.port), timeout=10)
            except (OSError, TimeoutError, aiohttp.ClientError) as exc:
                log.warning(NO_NETWORK, api.host, reason(exc), delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, NETWORK_RETRY_MAX_SECONDS)
                continue
            writer.close()
            return

    async def close(self) -> None:
        # A stop lets the work in progress finish first: a server set-up, an event or a click
        # mid-request would otherwise meet a closed HTTP session ("Session is closed") and be
        # left half done. Bounded, so `docker stop` (10 s) never needs its SIGKILL; what a set-up
        # leaves undone then is created on the next start.
        deadline = asyncio.get_running_loop().time() + SETUP_FINISH_SECONDS
        await self.bot.finish_guild_setups(timeout=SETUP_FINISH_SECONDS)
        await self.finish_becoming_ready(timeout=max(0.0, deadline - asyncio.get_running_loop().time()))
        await drain_handlers(timeout=max(0.0, deadline - asyncio.get_running_loop().time()),
                             prefixes=EVENT_HANDLER_PREFIXES)
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.heartbeat
        if not self.bot.is_closed():
            await self.bot.close()
        # Let event and interaction handlers that are mid-transaction finish before the
        # engine goes away; disposing under them strands their connections' close.
        await drain_handlers(timeout=5.0)
        await self.bot.languages.drain()  # app languages noted behind the last clicks
        if self.instance_lock is not None:
            await self.instance_lock.close()
        await self.engine.dispose()
        if self.read_engine is not None:
            await self.read_engine.dispose()


    async def finish_becoming_ready(self, timeout: float) -> None:  # noqa: ASYNC109 - a bounded wait
        """A stop just after connecting waits for discord.py's own start-up to end (bounded): closing
        under it makes its ready task fail on the closed client ("Task exception was never retrieved")."""
        if self.bot.ws is None or not self.bot.ws.open or self.bot.is_ready() or self.bot.is_closed():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.bot.wait_until_ready(), timeout)


# Event and interaction handlers: finished before the connection closes.
EVENT_HANDLER_PREFIXES = ("discord.py: ", "discord-ui-", "CommandTree-invoker")
# ...and background loops too, before the database goes away.
HANDLER_TASK_PREFIXES = (*EVENT_HANDLER_PREFIXES, "discord-ext-tasks")


async def drain_handlers(timeout: float, prefixes: tuple[str, ...] = HANDLER_TASK_PREFIXES) -> None:  # noqa: ASYNC109
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks()
               if task is not current and not task.done() and task.get_name().startswith(prefixes)]
    if pending:
        _, still = await asyncio.wait(pending, timeout=timeout)
        if still:
            log.warning("%d handler(s) still running at shutdown; closing anyway", len(still))
    # A few loop turns for connection clean-up callbacks the handlers scheduled.
    for _ in range(3):
        await asyncio.sleep(0)
