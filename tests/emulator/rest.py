"""REST front door: route matching, auth, failure injection, global limit and the request log."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .state import Channel, Guild

if TYPE_CHECKING:
    from .server import Emulator
    from .world import BotApp

API_PREFIX = "/api/v10"


@dataclass
class RequestRecord:
    """One REST request as the emulator saw it (evidence for tests)."""

    time: float
    method: str
    route: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[tuple[str, bytes]]
    status: int
    bot_id: int | None
    exempt: bool
    response: Any = None
    # The Host header the client used: two processes sharing one token can be told apart by
    # pointing them at the emulator under different names (127.0.0.1 / localhost).
    host: str = ""


@dataclass
class Ctx:
    emu: Emulator
    request: web.Request
    params: dict[str, str]
    body: Any
    files: list[tuple[str, bytes, str | None]]
    bot: BotApp | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def query(self) -> Any:
        return self.request.query

    @property
    def me(self) -> BotApp:
        if self.bot is None:
            raise ApiError(401, 0, "401: Unauthorized")
        return self.bot

    def guild(self) -> Guild:
        g = self.emu.world.guilds.get(int(self.params["guild_id"]))
        if g is None or (self.bot is not None and self.bot.id not in g.bot_ids):
            raise ApiError(404, 10004, "Unknown Guild")
        return g

    def channel(self) -> Channel:
        ch = self.emu.world.channels.get(int(self.params["channel_id"]))
        if ch is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return ch


Handler = Callable[[Ctx], Awaitable[tuple[int, Any]]]


class Router:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], str, Handler, int]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")
        self.routes.append((method, pattern, template, handler, template.count("{")))

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.add(method, template, fn)
            return fn
        return deco

    def match(self, method: str, path: str) -> tuple[str, dict[str, str], Handler] | None:
        best = None
        for m, pat, tmpl, handler, nparams in self.routes:
            if m != method:
                continue
            mo = pat.match(path)
            if mo and (best is None or nparams < best[3]):
                best = (tmpl, mo.groupdict(), handler, nparams)
        return None if best is None else (best[0], best[1], best[2])


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    if status == 204 or body is None:
        return web.Response(status=204, headers=headers)
    # discord.py compares the header to exactly "application/json" (no charset)
    hdrs = {**(headers or {}), "Content-Type": "application/json"}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=hdrs)


def rate_limit_response(retry_after: float, is_global: bool, scope: str, route: str) -> web.Response:
    now = time.time()
    headers = {
        "Retry-After": str(max(1, math.ceil(retry_after))), "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": f"{now + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}", "X-RateLimit-Bucket": f"emu-{abs(hash(route)) % 10**8:x}",
        "X-RateLimit-Scope": scope, "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global, "code": 0}
    return json_response(429, body, headers)


async def parse_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes, str | None]]]:
    ctype = request.content_type
    if ctype == "multipart/form-data":
        body: Any = {}
        files: list[tuple[str, bytes, str | None]] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                body = json.loads(await part.text())  # type: ignore[union-attr]
            elif part.filename is not None:
                data = await part.read()  # type: ignore[union-attr]
                files.append((part.filename, bytes(data), part.headers.get("Content-Type")))
        return body, files
    raw = await request.read()
    if not raw:
        return {}, []
    try:
        return json.loads(raw), []
    except ValueError:
        return {"_raw": raw.decode("utf-8", "replace")}, []


EXEMPT_PREFIXES = ("POST /interactions/", "/webhooks/")


async def dispatch_request(emu: Emulator, router: Router, request: web.Request) -> web.StreamResponse:
    path = request.path[len(API_PREFIX):] if request.path.startswith(API_PREFIX) else request.path
    method = request.method
    matched = router.match(method, path)
    body, files = await parse_body(request)
    record = RequestRecord(time.monotonic(), method, f"{method} ?", path, dict(request.query), body,
                           [(f[0], f[1]) for f in files], 0, None, False, host=request.host)
    emu.request_log.append(record)
    if matched is None:
        record.status = 404
        return json_response(404, {"message": "404: Not Found", "code": 0})
    template, params, handler = matched
    record.route = f"{method} {template}"
    ctx = Ctx(emu, request, params, body, files)
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bot "):
        ctx.bot = emu.world.bots_by_token.get(auth[4:])
        if ctx.bot is None:
            record.status = 401
            return json_response(401, {"message": "401: Unauthorized", "code": 0})
    token = params.get("interaction_token") or params.get("webhook_token")
    if token is not None:
        rec = emu.interactions.by_token.get(token)
        if rec is not None:
            record.exempt = True
            ctx.bot = ctx.bot or rec.bot
    record.bot_id = ctx.bot.id if ctx.bot else None
    inj = emu.failures.take(record.route, path)
    if inj is not None:
        record.status = inj.status
        if inj.status == 429:
            return rate_limit_response(inj.retry_after, inj.is_global, inj.scope, template)
        return json_response(inj.status, {"message": "500: Internal Server Error", "code": 0})
    if ctx.bot is not None and not record.exempt:
        wait = emu.failures.global_check(ctx.bot.id)
        if wait is not None:
            record.status = 429
            return rate_limit_response(round(wait, 3), True, "global", template)
    try:
        status, out = await handler(ctx)
    except ApiError as e:
        record.status = e.status
        record.response = {"message": e.message, "code": e.code}
        if getattr(e, "errors", None):
            record.response["errors"] = e.errors  # type: ignore[attr-defined]
        if e.code == 50035:
            emu.form_errors.append((record, str(e)))
        return json_response(e.status, record.response)
    record.status = status
    record.response = out
    return json_response(status, out)
