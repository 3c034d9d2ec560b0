"""A bare discord.py bot: the yardstick for the join-wave benchmark.

It has the same intents as the coalition bot, posts one panel with a button,
and answers every click with a static message edit of similar size (embed +
three buttons) — no database, no logic. Its CPU per interaction and peak RSS
are what the coalition bot is compared against.

Usage (by benchmarks/join_wave.py): python benchmarks/baseline_bot.py API_URL GATEWAY_URL CHANNEL_ID
with DISCORD_TOKEN in the environment.
"""

from __future__ import annotations

import os
import sys

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

STATIC_TEXT = (
    "We aim to prioritize the voices and leadership of people with lived experience/expertise (PLE) "
    "and ensure participation, promotion of funding opportunities, and support to the organizations led by PLE."
)


def static_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="I understand and agree", custom_id="baseline:next",
                                    style=discord.ButtonStyle.success))
    view.add_item(discord.ui.Button(label="Back", custom_id="baseline:back"))
    view.add_item(discord.ui.Button(label="I have a question", custom_id="baseline:ask"))
    return view


def static_embed() -> discord.Embed:
    embed = discord.Embed(title="Why we're here", description=STATIC_TEXT)
    embed.set_footer(text="Step 5 of 20 ▓▓▓░░░░░░░░░")
    return embed


class BaselineBot(discord.Client):
    def __init__(self, channel_id: int) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.members = intents.guild_messages = intents.dm_messages = True
        intents.voice_states = True
        super().__init__(intents=intents)
        self.channel_id = channel_id
        self.posted = False

    async def on_ready(self) -> None:
        if self.posted:
            return
        self.posted = True
        channel = self.get_channel(self.channel_id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send(embed=static_embed(), view=static_view())

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.component:
            await interaction.response.edit_message(embed=static_embed(), view=static_view())


def main() -> None:
    api, gateway, channel_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    Route.BASE = api
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    BaselineBot(channel_id).run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()
