"""Gateway v10 over WebSocket: HELLO/IDENTIFY/READY, RESUME replay, intents, shards, chunking.

Each IDENTIFY creates a ``Session``; dispatches are sequenced and buffered per session so a
client that RESUMEs after a drop receives exactly what it missed. Frames are uncompressed JSON
TEXT (discord.py accepts those even though it asks for zlib-stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .ids import shard_of
from .state import JSON, Guild

if TYPE_CHECKING:
    from .server import Emulator
    from .world import BotApp

log = logging.getLogger("emulator.gateway")

GUILDS, GUILD_MEMBERS, GUILD_PRESENCES, GUILD_VOICE_STATES = 1 << 0, 1 << 1, 1 << 8, 1 << 7
GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 9, 1 << 10, 1 << 12, 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

EVENT_INTENT: dict[str, int] = {
    "GUILD_MEMBER_ADD": GUILD_MEMBERS, "GUILD_MEMBER_UPDATE": GUILD_MEMBERS, "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
    "VOICE_STATE_UPDATE": GUILD_VOICE_STATES, "MESSAGE_REACTION_ADD": GUILD_MESSAGE_REACTIONS,
}
for _e in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE",
           "GUILD_ROLE_DELETE", "CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE", "THREAD_CREATE",
           "THREAD_UPDATE", "THREAD_DELETE", "THREAD_MEMBERS_UPDATE", "THREAD_MEMBER_UPDATE"):
    EVENT_INTENT[_e] = GUILDS

BUFFER_LIMIT = 5000  # older events cannot be replayed: RESUME then gets INVALID_SESSION
Variant = Callable[[int, bool], JSON]


class Session:
    """A gateway session; survives disconnects until invalidated, buffering dispatches."""

    def __init__(self, bot: BotApp, intents: int, shard: tuple[int, int] | None, large_threshold: int) -> None:
        self.id = uuid.uuid4().hex
        self.bot = bot
        self.intents = intents
        self.shard = shard
        self.large_threshold = large_threshold
        self.seq = 0
        self.buffer: list[tuple[int, str]] = []
        self.conn: Connection | None = None
        self.invalidated = False
        self.received: list[str] = []  # event names, for tests
        self.guild_create_seq: dict[int, int] = {}
        self.created_at = time.monotonic()
        self.all_members_requested: dict[int, float] = {}  # guild -> when ALL its members were last requested

    def handles_guild(self, guild_id: int) -> bool:
        return self.shard is None or shard_of(guild_id, self.shard[1]) == self.shard[0]

    def push(self, event: str, data: JSON) -> None:
        self.seq += 1
        text = json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}, separators=(",", ":"))
        self.buffer.append((self.seq, text))
        if event == "GUILD_CREATE":
            self.guild_create_seq[int(data["id"])] = self.seq
        self.received.append(event)
        if len(self.buffer) > BUFFER_LIMIT:
            del self.buffer[: BUFFER_LIMIT // 2]
        if self.conn is not None:
            self.conn.wake.set()

    def entries_after(self, seq: int) -> int | None:
        """Buffer index of the first entry with sequence > ``seq`` (None: too old to replay)."""
        if not self.buffer:
            return 0 if seq >= self.seq else None
        first = self.buffer[0][0]
        if seq + 1 < first:
            return None
        return seq + 1 - first


class Connection:
    """One WebSocket; a writer task drains its session's buffer in order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        self.session: Session | None = None
        self.cursor = 0  # next buffer index to send
        self.wake = asyncio.Event()
        self.writer: asyncio.Task[None] | None = None
        self.identified = asyncio.Event()

    async def send_json(self, payload: JSON) -> None:
        if not self.ws.closed:
            await self.ws.send_str(json.dumps(payload, separators=(",", ":")))

    def attach(self, session: Session, cursor: int) -> None:
        if session.conn is not None and session.conn is not self:
            session.conn.session = None
        session.conn = self
        self.session = session
        self.cursor = cursor
        self.writer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        s = self.session
        try:
            while s is not None and self.session is s and not self.ws.closed:
                self.wake.clear()
                while s.buffer and s.buffer[-1][0] > self.cursor:
                    idx = max(0, self.cursor + 1 - s.buffer[0][0])
                    seq, text = s.buffer[idx]
                    await self.ws.send_str(text)
                    self.cursor = seq  # cursor = last sequence sent
                    if self.ws.closed or self.session is not s:
                        return
                await self.wake.wait()
        except (ConnectionResetError, RuntimeError, asyncio.CancelledError):
            return


class GatewayHub:
    """All sessions, routing of dispatches, and the WebSocket endpoint."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.heartbeat_interval = 41250
        # Request Guild Members for ALL members (query "", limit 0): once per guild per session per 30 s
        # (Discord, 2025-08-14); more gets a RATE_LIMITED event and no chunks. Both lists are evidence.
        self.all_members_window = 30.0
        self.member_requests: list[tuple[float, str, int, bool]] = []  # (time, session, guild, all members)
        self.rate_limited: list[JSON] = []

    # routing --------------------------------------------------------------------
    def sessions_for(self, bot_id: int) -> list[Session]:
        return [s for s in self.sessions.values() if s.bot.id == bot_id and not s.invalidated]

    def dispatch_guild(self, guild: Guild, event: str, data: JSON, *, channel: Any = None,
                       variant: Variant | None = None) -> None:
        intent = EVENT_INTENT.get(event)
        if intent is None and event.startswith("MESSAGE"):
            intent = GUILD_MESSAGES
        for bot_id in guild.bot_ids:
            if channel is not None and not guild.can_view(bot_id, channel):
                continue
            for s in self.sessions_for(bot_id):
                if not s.handles_guild(guild.id) or (intent and not s.intents & intent):
                    continue
                payload = variant(bot_id, bool(s.intents & MESSAGE_CONTENT)) if variant else data
                s.push(event, payload)

    def dispatch_dm(self, bot: BotApp, event: str, data: JSON) -> None:
        intent = DIRECT_MESSAGES if event.startswith("MESSAGE") else 0
        for s in self.sessions_for(bot.id):
            if (s.shard is None or s.shard[0] == 0) and (not intent or s.intents & intent):
                s.push(event, data)

    def dispatch_interaction(self, bot: BotApp, guild_id: int | None, data: JSON) -> bool:
        sent = False
        for s in self.sessions_for(bot.id):
            ok = s.handles_guild(guild_id) if guild_id else (s.shard is None or s.shard[0] == 0)
            if ok:
                s.push("INTERACTION_CREATE", data)
                sent = True
        return sent

    def guild_joined(self, bot: BotApp, guild: Guild) -> None:
        for s in self.sessions_for(bot.id):
            if s.handles_guild(guild.id):
                s.push("GUILD_CREATE", self.guild_create(s, guild))

    # payloads -------------------------------------------------------------------
    def guild_create(self, s: Session, guild: Guild) -> JSON:
        world = self.emu.world
        d = guild.to_base_dict()
        large = len(guild.members) > s.large_threshold
        members_intent = bool(s.intents & GUILD_MEMBERS)
        voice_intent = bool(s.intents & GUILD_VOICE_STATES)
        if members_intent and not large:
            members = [m.to_dict() for m in guild.members.values()]
        else:
            ids = {s.bot.id, *(guild.voice_states if voice_intent else ())}
            members = [guild.members[i].to_dict() for i in ids if i in guild.members]
        threads = []
        for c in guild.channels.values():
            if c.is_thread() and not c.archived and guild.can_view(s.bot.id, c):
                threads.append(c.to_dict())
        d.update({
            "channels": [c.to_dict() for c in guild.channels.values() if not c.is_thread()],
            "threads": threads, "members": members, "member_count": len(guild.members), "large": large,
            "voice_states": [world.voice_state_dict(guild, u, c) for u, c in guild.voice_states.items()]
            if voice_intent else [],
            "presences": [], "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "unavailable": False, "joined_at": guild.members[s.bot.id].joined_at,
        })
        for vs in d["voice_states"]:
            vs.pop("guild_id", None)
        return d

    def ready(self, s: Session) -> JSON:
        d: JSON = {
            "v": 10, "user": {**s.bot.user.to_dict(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self._guilds_for(s)],
            "session_id": s.id, "session_type": "normal", "resume_gateway_url": self.emu.gateway_url,
            "application": {"id": str(s.bot.id), "flags": (1 << 12) | (1 << 14) | (1 << 18)},
            "private_channels": [], "relationships": [], "user_settings": {}, "presences": [],
            "guild_join_requests": [], "geo_ordered_rtc_regions": ["us-east"],
        }
        if s.shard is not None:
            d["shard"] = list(s.shard)
        return d

    def _guilds_for(self, s: Session) -> list[Guild]:
        return [g for g in self.emu.world.guilds.values() if s.bot.id in g.bot_ids and s.handles_guild(g.id)]

    # websocket ------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.add(conn)
        try:
            await conn.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval}, "s": None, "t": None})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._on_frame(conn, json.loads(msg.data))
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.connections.discard(conn)
            if conn.writer is not None:
                conn.writer.cancel()
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
        return ws

    async def _on_frame(self, conn: Connection, frame: JSON) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == 1:
            await conn.send_json({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, d)
        elif op == 6:
            await self._resume(conn, d)
        elif op == 8:
            self._request_members(conn, d)
        elif op == 4 and conn.session is not None:
            self._bot_voice(conn.session, d)

    async def _identify(self, conn: Connection, d: JSON) -> None:
        bot = self.emu.world.bots_by_token.get(str(d.get("token", "")).removeprefix("Bot "))
        if bot is None:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(d.get("intents", 0b11111111111111111))
        if intents & PRIVILEGED and not bot.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = tuple(d["shard"]) if d.get("shard") else None
        for old in list(self.sessions.values()):  # a new IDENTIFY supersedes a dead session for the same shard
            if old.bot is bot and old.shard == shard and old.conn is None:
                old.invalidated = True
                del self.sessions[old.id]
        s = Session(bot, intents, shard, int(d.get("large_threshold", 50)))  # type: ignore[arg-type]
        self.sessions[s.id] = s
        s.push("READY", self.ready(s))
        for g in self._guilds_for(s):
            s.push("GUILD_CREATE", self.guild_create(s, g))
        conn.attach(s, 0)
        conn.identified.set()

    async def _resume(self, conn: Connection, d: JSON) -> None:
        s = self.sessions.get(str(d.get("session_id")))
        token = str(d.get("token", "")).removeprefix("Bot ")
        seq = int(d.get("seq") or 0)
        if s is None or s.invalidated or s.bot.token != token or s.entries_after(seq) is None:
            await conn.send_json({"op": 9, "d": False, "s": None, "t": None})
            return
        s.push("RESUMED", {})
        conn.attach(s, seq)
        conn.identified.set()

    def _request_members(self, conn: Connection, d: JSON) -> None:
        s = conn.session
        if s is None:
            return
        guild = self.emu.world.guilds.get(int(d["guild_id"]))
        if guild is None or s.bot.id not in guild.bot_ids:
            return
        query = d.get("query")
        limit = int(d.get("limit") or 0)
        user_ids = [int(x) for x in d.get("user_ids") or []]
        everyone = not user_ids and not query and limit == 0
        now = time.monotonic()
        self.member_requests.append((now, s.id, guild.id, everyone))
        if everyone:
            last = s.all_members_requested.get(guild.id)
            if last is not None and now - last < self.all_members_window:
                limited: JSON = {"opcode": 8, "retry_after": round(self.all_members_window - (now - last), 3),
                                 "meta": {"guild_id": str(guild.id), "nonce": d.get("nonce")}}
                self.rate_limited.append(limited)
                s.push("RATE_LIMITED", limited)
                return
            s.all_members_requested[guild.id] = now
        if user_ids:
            members = [guild.members[u] for u in user_ids if u in guild.members]
        elif not s.intents & GUILD_MEMBERS and not query:
            members = []
        else:
            q = (query or "").lower()
            members = [m for m in guild.members.values()
                       if not q or m.user.name.lower().startswith(q) or (m.nick or "").lower().startswith(q)]
            if limit or q:
                members = members[: limit or 100]
        chunks = [members[i:i + 1000] for i in range(0, len(members), 1000)] or [[]]
        for i, chunk in enumerate(chunks):
            payload: JSON = {"guild_id": str(guild.id), "members": [m.to_dict() for m in chunk],
                             "chunk_index": i, "chunk_count": len(chunks)}
            if d.get("nonce"):
                payload["nonce"] = d["nonce"]
            if user_ids and i == 0:
                payload["not_found"] = [str(u) for u in user_ids if u not in guild.members]
            s.push("GUILD_MEMBERS_CHUNK", payload)

    def _bot_voice(self, s: Session, d: JSON) -> None:
        guild = self.emu.world.guilds.get(int(d["guild_id"]))
        if guild is not None:
            cid = d.get("channel_id")
            self.emu.world.set_voice(guild, s.bot.id, int(cid) if cid else None)

    # failure switches -------------------------------------------------------------
    async def drop(self, bot: BotApp | None = None, *, code: int | None = 4000) -> int:
        """Close live connections (``code=None``: abort the TCP transport abruptly)."""
        n = 0
        for conn in list(self.connections):
            if conn.session is None or (bot is not None and conn.session.bot is not bot):
                continue
            n += 1
            s = conn.session
            s.conn = None
            conn.session = None
            if conn.writer is not None:
                conn.writer.cancel()
            if code is None:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            else:
                await conn.ws.close(code=code, message=b"emulator forced drop")
        return n

    async def close_all(self) -> None:
        for conn in list(self.connections):
            if conn.writer is not None:
                conn.writer.cancel()
            with contextlib.suppress(TimeoutError, RuntimeError, ConnectionResetError):
                await asyncio.wait_for(conn.ws.close(code=1001), 1)
