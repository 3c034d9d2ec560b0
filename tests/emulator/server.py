"""The ``Emulator``: one aiohttp server on 127.0.0.1 serving REST v10 and the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import discord
import yarl
from aiohttp import web

from . import permissions as P
from .failures import Failures
from .gateway import GatewayHub, Session
from .interactions import InteractionEngine, InteractionRecord
from .rest import API_PREFIX, RequestRecord, Router, dispatch_request
from .rest_app import router as app_router
from .rest_channels import router as channel_router
from .rest_guilds import router as guild_router
from .state import Guild, User
from .users import ScriptedUser
from .world import BotApp, World


class Emulator:
    """A loopback Discord. Build the world with ``create_*``, act with scripted users, and
    inspect evidence with ``requests()``, ``count_429`` and ``ack_latencies()``."""

    def __init__(self, *, heartbeat_interval: int = 41250, interaction_deadline: float = 3.0,
                 recommended_shards: int = 1, default_timeout: float = 10.0) -> None:
        self.hub = GatewayHub(self)
        self.hub.heartbeat_interval = heartbeat_interval
        self.world = World(self.hub)
        self.world.emu = self
        self.interactions = InteractionEngine(self)
        self.interactions.deadline = interaction_deadline
        self.failures = Failures()
        self.request_log: list[RequestRecord] = []
        # Requests refused with 50035 (a Discord limit broken); the `emulator` fixture fails the test on any.
        self.form_errors: list[tuple[RequestRecord, str]] = []
        self.recommended_shards = recommended_shards
        self.default_timeout = default_timeout
        self.app_owner = self.world.create_user("App Owner")
        self.router = Router()
        for r in (app_router, channel_router, guild_router):
            self.router.routes.extend(r.routes)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # lifecycle ----------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.hub.handle)
        app.router.add_get("/gateway/", self.hub.handle)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        await self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        return await dispatch_request(self, self.router, request)

    @property
    def base_http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.base_http_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # world building ---------------------------------------------------------------------
    def create_bot(self, token: str | None = None, name: str = "Coalition Bot", *,
                   permissions: int = P.DEFAULT_BOT_PERMS, privileged_intents: bool = True) -> BotApp:
        token = token or f"emu.{secrets.token_urlsafe(24)}"
        return self.world.create_bot(token, name, permissions, privileged_intents)

    def create_user(self, name: str, *, dms_open: bool = True, bot: bool = False,
                    locale: str = "en-US") -> ScriptedUser:
        """``locale`` is the person's Discord client language ("es-419"): every interaction carries it."""
        return ScriptedUser(self, self.world.create_user(name, bot=bot, dms_open=dms_open, locale=locale))

    def create_guild(self, name: str, owner: ScriptedUser | User | None = None, *, id: int | None = None,
                     shard: tuple[int, int] | None = None, general: bool = True) -> Guild:
        """``shard=(i, n)`` picks an id that Discord routes to shard i of n."""
        owner_user = owner.user if isinstance(owner, ScriptedUser) else owner or self.app_owner
        if id is None and shard is not None:
            id = self.world.ids.for_shard(*shard)
        return self.world.create_guild(name, owner_user, id=id, general=general)

    def add_bot_to_guild(self, bot: BotApp, guild: Guild, *, permissions: int | None = None) -> None:
        self.world.add_bot_to_guild(bot, guild, permissions)

    def populate(self, guild: Guild, count: int, prefix: str = "member") -> list[User]:
        return self.world.bulk_add_members(guild, count, prefix)

    def user(self, user: User) -> ScriptedUser:
        return ScriptedUser(self, user)

    @property
    def interaction_deadline(self) -> float:
        return self.interactions.deadline

    @interaction_deadline.setter
    def interaction_deadline(self, value: float) -> None:
        self.interactions.deadline = value

    # waiting ------------------------------------------------------------------------------
    async def wait_for(self, condition: Callable[[], Any], timeout: float | None = None, interval: float = 0.02,  # noqa: ASYNC109
                       description: str | None = None) -> Any:
        """Poll ``condition`` until truthy; AssertionError naming what was awaited on timeout."""
        deadline = time.monotonic() + (timeout or self.default_timeout)
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                what = description or getattr(condition, "__name__", "condition")
                raise AssertionError(f"timed out after {timeout or self.default_timeout}s waiting for {what}")
            await asyncio.sleep(interval)

    def sessions(self, bot: BotApp | None = None) -> list[Session]:
        return [s for s in self.hub.sessions.values() if bot is None or s.bot is bot]

    def connected(self, bot: BotApp) -> bool:
        return any(s.conn is not None for s in self.sessions(bot))

    async def wait_bot_ready(self, bot: BotApp, guild: Guild | None = None, *, commands: bool = True,
                             timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Connected, GUILD_CREATE for ``guild`` delivered, and (by default) guild commands synced."""
        def ready() -> bool:
            for s in self.sessions(bot):
                conn = s.conn
                if conn is None or (guild is not None and not s.handles_guild(guild.id)):
                    continue
                if conn.cursor < s.guild_create_seq.get(guild.id if guild else 0, 1):
                    continue
                want = guild.id if guild else None
                if commands and not any(gid == want and t >= s.created_at for t, gid in bot.command_syncs):
                    continue  # only syncs made by this session's process count (restarts re-sync)
                return True
            return False
        await self.wait_for(ready, timeout=timeout, description=f"bot {bot.name} ready in "
                            f"{guild.name if guild else 'gateway'}{' with commands synced' if commands else ''}")

    # evidence -------------------------------------------------------------------------------
    def requests(self, method: str | None = None, route: str | None = None, *, bot: BotApp | None = None,
                 status: int | None = None, path_contains: str | None = None) -> list[RequestRecord]:
        """Filter the request log; ``route`` is a template like ``POST /channels/{channel_id}/messages``."""
        return [r for r in self.request_log
                if (method is None or r.method == method) and (route is None or r.route == route)
                and (bot is None or r.bot_id == bot.id) and (status is None or r.status == status)
                and (path_contains is None or path_contains in r.path)]

    @property
    def count_429(self) -> int:
        return sum(1 for r in self.request_log if r.status == 429)

    def interaction_records(self) -> list[InteractionRecord]:
        return list(self.interactions.by_id.values())

    def ack_latencies(self) -> list[float]:
        return [r.ack_latency for r in self.interactions.by_id.values() if r.ack_latency is not None]

    def unacknowledged_interactions(self) -> list[InteractionRecord]:
        return [r for r in self.interactions.by_id.values() if r.callback_type is None]

    # failures ---------------------------------------------------------------------------------
    async def drop_gateway(self, bot: BotApp | None = None, *, code: int | None = 4000) -> int:
        """Force a disconnect (``code=None`` aborts the TCP connection); clients should RESUME."""
        return await self.hub.drop(bot, code=code)

    def reset_failures(self) -> None:
        self.failures.reset()
        self.interactions.deadline = 3.0


@contextlib.contextmanager
def point_discord_py_at(emu: Emulator) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at the emulator (restored on exit)."""
    old_base = discord.http.Route.BASE
    old_gw = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emu.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gw
