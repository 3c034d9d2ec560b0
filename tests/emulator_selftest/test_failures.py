from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest

from tests.conftest import StandardGuild
from tests.emulator import Emulator
from tests.emulator import permissions as P
from tests.emulator.interactions import COMPONENT

from .clients import intents, running
from .conftest import SelftestBot, post_panel


async def _raw(emu: Emulator, method: str, path: str, token: str | None, json: Any = None) -> tuple[int, Any, Any]:
    headers = {"Authorization": f"Bot {token}"} if token else {}
    async with aiohttp.ClientSession() as s, s.request(method, emu.api_base_url + path, headers=headers,
                                                       json=json) as r:
        body = await r.json() if r.content_type == "application/json" else None
        return r.status, body, r.headers


async def test_global_limit_429_and_exempts_interaction_callbacks(emulator: Emulator,
                                                                  standard_guild: StandardGuild) -> None:
    emulator.failures.enforce_global_limit = True
    token = standard_guild.bot.token
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, token):
        alex = emulator.create_user("Alex")
        await alex.join(standard_guild.guild)
        results = await asyncio.gather(*[_raw(emulator, "GET", "/users/@me", token) for _ in range(60)])
        limited = [r for r in results if r[0] == 429]
        assert len(limited) >= 10
        status, body, headers = limited[0]
        assert body["global"] is True and body["retry_after"] > 0
        assert headers["X-RateLimit-Global"] == "true" and headers["X-RateLimit-Scope"] == "global"
        assert "Retry-After" in headers
        assert emulator.count_429 == len(limited)
        # window is saturated, yet interaction callbacks still go through
        rec = emulator.interactions.dispatch(standard_guild.bot, alex.user, standard_guild.guild,
                                             standard_guild.welcome, COMPONENT,
                                             {"custom_id": "x", "component_type": 2})
        status, body, _ = await _raw(emulator, "POST", f"/interactions/{rec.id}/{rec.token}/callback?with_response=1",
                                     None, {"type": 4, "data": {"content": "ok"}})
        assert status == 200 and body["resource"]["message"]["content"] == "ok"
        assert emulator.requests(route="POST /interactions/{interaction_id}/{interaction_token}/callback")[0].exempt


async def test_discord_py_survives_global_limit(emulator: Emulator, standard_guild: StandardGuild) -> None:
    emulator.failures.enforce_global_limit = True
    emulator.failures.global_limit = 10
    emulator.failures.global_window = 0.2
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, standard_guild.bot.token):
        ch = client.get_channel(standard_guild.welcome.id)
        assert isinstance(ch, discord.TextChannel)
        await asyncio.gather(*[ch.send(f"m{i}") for i in range(25)])
        assert len(standard_guild.welcome.all_messages()) == 25
        assert emulator.count_429 >= 1


async def test_injected_429_and_500_are_retried(emulator: Emulator, standard_guild: StandardGuild) -> None:
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, standard_guild.bot.token):
        ch = client.get_channel(standard_guild.welcome.id)
        assert isinstance(ch, discord.TextChannel)
        emulator.failures.inject_429(1, route="POST /channels/{channel_id}/messages", retry_after=0.05)
        await ch.send("after 429")
        statuses = [r.status for r in emulator.requests(route="POST /channels/{channel_id}/messages")]
        assert statuses == [429, 200] and emulator.count_429 == 1
        emulator.failures.inject_500(1, path_contains="/messages")
        await ch.send("after 500")
        statuses = [r.status for r in emulator.requests(route="POST /channels/{channel_id}/messages")]
        assert statuses == [429, 200, 500, 200]
        emulator.reset_failures()
        assert emulator.failures.injections == []


async def test_random_failures_are_seeded(emulator: Emulator, standard_guild: StandardGuild) -> None:
    def run() -> list[int]:
        emulator.failures.reset()
        emulator.failures.fail_randomly(0.5, seed=7)
        return [1 if emulator.failures.take("GET /x", "/x") else 0 for _ in range(20)]
    first = run()
    assert first == run() and 0 < sum(first) < 20


async def test_closed_dms_answer_50007(emulator: Emulator, standard_guild: StandardGuild) -> None:
    shy = emulator.create_user("Shy", dms_open=False)
    await shy.join(standard_guild.guild)
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, standard_guild.bot.token):
        member = client.get_guild(standard_guild.guild.id).get_member(shy.id)  # type: ignore[union-attr]
        assert member is not None
        with pytest.raises(discord.Forbidden) as exc:
            await member.send("welcome!")
        assert exc.value.code == 50007
        assert emulator.requests(route="POST /users/@me/channels")[0].status == 200
        assert shy.dm_messages() == []


async def test_missing_permissions_and_hierarchy(emulator: Emulator, build_guild: Any) -> None:
    sg = build_guild(bot_permissions=P.DEFAULT_BOT_PERMS & ~P.MANAGE_CHANNELS & ~P.MOVE_MEMBERS)
    g = sg.guild
    above = g.create_role("Board", position=g.top_position() + 1)
    alex = emulator.create_user("Alex")
    await alex.join(g)
    await alex.join_voice(sg.waiting_room)
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, sg.bot.token):
        dg = client.get_guild(g.id)
        assert dg is not None
        member = dg.get_member(alex.id)
        assert member is not None
        with pytest.raises(discord.Forbidden) as exc:
            await member.add_roles(discord.Object(above.id))
        assert exc.value.code == 50013
        await member.add_roles(discord.Object(sg.moderator_role.id))  # below the bot: fine
        assert "Moderator" in alex.roles(g)
        with pytest.raises(discord.Forbidden) as exc:
            await dg.create_text_channel("new")
        assert exc.value.code == 50013
        with pytest.raises(discord.Forbidden):
            await member.move_to(None)
        assert alex.voice_channel(g) is sg.waiting_room
        with pytest.raises(discord.Forbidden):
            await dg.get_role(above.id).edit(name="x")  # type: ignore[union-attr]


async def test_late_and_double_callbacks(emulator: Emulator, standard_guild: StandardGuild,
                                         selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    await post_panel(selftest_bot, standard_guild.welcome.id)
    msg = standard_guild.welcome.last_message()
    assert msg is not None
    emulator.interaction_deadline = 0.0
    result = await alex.click(msg, "Private", expect_response=False)
    route = "POST /interactions/{interaction_id}/{interaction_token}/callback"
    late = await emulator.wait_for(lambda: emulator.requests(route=route), description="late callback")
    assert late[0].status == 404 and late[0].response["code"] == 10062
    assert result.type is None
    emulator.interaction_deadline = 3.0
    ok = await alex.click(msg, "Private")
    status, body, _ = await _raw(emulator, "POST", f"/interactions/{ok.record.id}/{ok.record.token}/callback",
                                 None, {"type": 6})
    assert status == 400 and body["code"] == 40060
    assert len(emulator.ack_latencies()) == 1 and emulator.ack_latencies()[0] >= 0
