from __future__ import annotations

import asyncio

import discord

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .clients import intents, running
from .conftest import SelftestBot


async def test_resume_replays_missed_events(emulator: Emulator, standard_guild: StandardGuild,
                                            selftest_bot: SelftestBot) -> None:
    resumed: list[bool] = []

    async def on_resumed() -> None:
        resumed.append(True)
    selftest_bot.add_listener(on_resumed, "on_resumed")
    for n, code in enumerate((4000, None)):  # clean close, then an abrupt TCP drop
        user = emulator.create_user(f"Newcomer{n}")
        assert await emulator.drop_gateway(standard_guild.bot, code=code) == 1
        await user.join(standard_guild.guild)  # dispatched while disconnected
        expected = ("join", user.id)
        await emulator.wait_for(lambda e=expected: e in selftest_bot.events, description="replayed join")
        await emulator.wait_for(lambda k=n + 1: len(resumed) == k, description="on_resumed")
    sessions = emulator.sessions(standard_guild.bot)
    assert len(sessions) == 1 and sessions[0].received.count("RESUMED") == 2


async def test_unknown_session_gets_invalid_session(emulator: Emulator, standard_guild: StandardGuild,
                                                    selftest_bot: SelftestBot) -> None:
    async def no_identify_delay(*args: object, **kwargs: object) -> None:
        return None
    selftest_bot.before_identify_hook = no_identify_delay  # type: ignore[method-assign]  # skip the 5 s back-off
    old = emulator.sessions(standard_guild.bot)[0]
    del emulator.hub.sessions[old.id]
    await emulator.drop_gateway(standard_guild.bot)
    await emulator.wait_for(lambda: any(s.conn for s in emulator.sessions(standard_guild.bot)),
                            description="fresh IDENTIFY after INVALID_SESSION")
    assert emulator.sessions(standard_guild.bot)[0].id != old.id


async def test_intents_are_honoured(emulator: Emulator, standard_guild: StandardGuild) -> None:
    client = discord.Client(intents=intents(members=False, voice=False, content=False), guild_ready_timeout=0.05)
    async with running(emulator, client, standard_guild.bot.token):
        s = emulator.sessions(standard_guild.bot)[0]
        alex = emulator.create_user("Alex")
        await alex.join(standard_guild.guild)
        await alex.join_voice(standard_guild.waiting_room)
        await alex.send(standard_guild.welcome, "secret words")
        await emulator.wait_for(lambda: "MESSAGE_CREATE" in s.received)
        assert "GUILD_MEMBER_ADD" not in s.received and "VOICE_STATE_UPDATE" not in s.received
        dg = client.get_guild(standard_guild.guild.id)
        assert dg is not None and {m.id for m in dg.members} == {standard_guild.bot.id}
        waiter = asyncio.ensure_future(client.wait_for("message", timeout=5))
        await alex.send(standard_guild.welcome, "more words")
        message = await waiter
        assert message.content == ""


async def test_member_chunking_large_guild(emulator: Emulator, standard_guild: StandardGuild) -> None:
    emulator.populate(standard_guild.guild, 5000)
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, standard_guild.bot.token):
        dg = client.get_guild(standard_guild.guild.id)
        assert dg is not None and dg.large and dg.chunked
        assert len(dg.members) == len(standard_guild.guild.members) > 5000
        s = emulator.sessions(standard_guild.bot)[0]
        assert s.received.count("GUILD_MEMBERS_CHUNK") == 6


async def test_shard_routing(emulator: Emulator) -> None:
    bot = emulator.create_bot("shard.token", "Sharded")
    guilds = [emulator.create_guild(f"G{i}", shard=(i, 2)) for i in range(2)]
    for g in guilds:
        emulator.add_bot_to_guild(bot, g)
    clients = [discord.Client(intents=intents(), shard_id=i, shard_count=2, guild_ready_timeout=0.05)
               for i in range(2)]
    async with running(emulator, clients[0], bot.token), running(emulator, clients[1], bot.token):
        for i, c in enumerate(clients):
            assert [g.id for g in c.guilds] == [guilds[i].id]
        by_shard = {s.shard: set(s.guild_create_seq) for s in emulator.sessions(bot)}
        assert by_shard == {(0, 2): {guilds[0].id}, (1, 2): {guilds[1].id}}


async def test_two_bots_at_once(emulator: Emulator, standard_guild: StandardGuild) -> None:
    other = emulator.create_bot("other.token", "Recorder")
    emulator.add_bot_to_guild(other, standard_guild.guild)
    a = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    b = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, a, standard_guild.bot.token), running(emulator, b, other.token):
        assert a.user is not None and b.user is not None and a.user.id != b.user.id
        ch = b.get_channel(standard_guild.welcome.id)
        assert isinstance(ch, discord.TextChannel)
        waiter = asyncio.ensure_future(a.wait_for("message", timeout=5))
        await ch.send("from the recorder")
        seen = await waiter
        assert seen.author.id == other.id


async def test_request_all_guild_members_once_per_guild_per_30_seconds(
        emulator: Emulator, standard_guild: StandardGuild) -> None:
    """Discord (2025-08-14): ALL members (query "", limit 0) once per guild per session per 30 s;
    more gets a RATE_LIMITED event and no chunk. A query by name or by IDs is not limited."""
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05, chunk_guilds_at_startup=False)
    async with running(emulator, client, standard_guild.bot.token):
        guild = client.get_guild(standard_guild.guild.id)
        assert guild is not None
        await guild.chunk()
        session = emulator.sessions(standard_guild.bot)[0]
        chunks = session.received.count("GUILD_MEMBERS_CHUNK")
        assert chunks == 1 and emulator.hub.rate_limited == []
        await guild.query_members("Mor")  # by name: allowed at any time
        await guild.query_members(user_ids=[standard_guild.moderator.id])
        ws = client.ws
        assert ws is not None
        await ws.request_chunks(guild.id, query="", limit=0, nonce="again")  # the same request, too soon
        await emulator.wait_for(lambda: "RATE_LIMITED" in session.received, description="RATE_LIMITED")
        (limited,) = emulator.hub.rate_limited
        assert limited["opcode"] == 8 and 0 < limited["retry_after"] <= 30
        assert limited["meta"] == {"guild_id": str(guild.id), "nonce": "again"}
        assert session.received.count("GUILD_MEMBERS_CHUNK") == chunks + 2  # the two queries only
        emulator.hub.rate_limited.clear()  # expected here; the fixture fails any other test that gets one
        emulator.hub.all_members_window = 0.0  # the window passed: allowed again
        await ws.request_chunks(guild.id, query="", limit=0, nonce="later")
        await emulator.wait_for(lambda: session.received.count("GUILD_MEMBERS_CHUNK") == chunks + 3,
                                description="the chunk after the window")
        assert emulator.hub.rate_limited == []
