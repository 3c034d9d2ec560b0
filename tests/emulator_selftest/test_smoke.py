from __future__ import annotations

import discord

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .clients import intents, running


async def test_bare_client_connects_and_sees_guild(emulator: Emulator, standard_guild: StandardGuild) -> None:
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, standard_guild.bot.token):
        g = client.get_guild(standard_guild.guild.id)
        assert g is not None
        assert {c.name for c in g.channels} >= {"welcome", "moderators", "mod-log", "waiting-room"}
        assert g.me.top_role.name == "Coalition Bot"
        ch = g.get_channel(standard_guild.welcome.id)
        msg = await ch.send("hello", allowed_mentions=discord.AllowedMentions.none())
        stored = standard_guild.welcome.last_message()
        assert stored is not None and stored.id == msg.id and stored.content == "hello"
        assert stored.allowed_mentions == {"parse": []}
