"""A small discord.py bot exercising every interaction shape the emulator supports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .clients import intents, running


class Form(discord.ui.Modal, title="Tell us"):
    name = discord.ui.TextInput(label="Your name", custom_id="name")
    why = discord.ui.TextInput(label="Why", style=discord.TextStyle.paragraph, required=False, custom_id="why")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks {self.name.value} ({self.why.value or '-'})", ephemeral=True)


class Panel(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="I understand and agree", custom_id="panel:agree")
    async def agree(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content="agreed", view=None)

    @discord.ui.button(label="Private", custom_id="panel:private")
    async def private(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_message(f"only for {interaction.user.name}", ephemeral=True)

    @discord.ui.button(label="Form", custom_id="panel:form")
    async def form(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_modal(Form())

    @discord.ui.button(label="Slow", custom_id="panel:slow")
    async def slow(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("done slowly", ephemeral=True)

    @discord.ui.button(label="Quiet", custom_id="panel:quiet")
    async def quiet(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="edited after defer")

    @discord.ui.select(custom_id="panel:pick", placeholder="Pick a group",
                       options=[discord.SelectOption(label="Funders", value="funders"),
                                discord.SelectOption(label="Peers", value="peers")])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_message(f"picked {select.values}", ephemeral=True)

    @discord.ui.select(cls=discord.ui.RoleSelect, custom_id="panel:roles", placeholder="Roles")
    async def roles(self, interaction: discord.Interaction, select: discord.ui.RoleSelect[Any]) -> None:
        await interaction.response.send_message(f"roles {[r.name for r in select.values]}", ephemeral=True)

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="panel:users", placeholder="People")
    async def users(self, interaction: discord.Interaction, select: discord.ui.UserSelect[Any]) -> None:
        await interaction.response.send_message(f"users {[u.name for u in select.values]}", ephemeral=True)


class SelftestBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        super().__init__(command_prefix="!", intents=intents(), guild_ready_timeout=0.05)
        self.guild_id = guild_id
        self.events: list[tuple[str, Any]] = []
        self.errors: list[BaseException] = []

    async def setup_hook(self) -> None:
        self.add_view(Panel())
        register_commands(self.tree)

    async def on_ready(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)
        await self.tree.sync()

    async def on_member_join(self, member: discord.Member) -> None:
        self.events.append(("join", member.id))

    async def on_member_remove(self, member: discord.Member) -> None:
        self.events.append(("remove", member.id))

    async def on_voice_state_update(self, member: discord.Member, before: Any, after: Any) -> None:
        self.events.append(("voice", (member.id, after.channel and after.channel.id)))

    async def on_message(self, message: discord.Message) -> None:
        self.events.append(("message", (message.id, message.content)))
        if message.guild is None and message.author != self.user:
            try:
                await message.channel.send(f"you said {message.content}")
            except discord.HTTPException as e:
                self.errors.append(e)


def register_commands(tree: app_commands.CommandTree[Any]) -> None:
    @tree.command(name="ping", description="pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @tree.command(name="secret", description="ephemeral")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", ephemeral=True)

    @tree.command(name="think", description="deferred")
    async def think(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.01)
        await interaction.followup.send("thought")

    @tree.command(name="echo", description="options")
    async def echo(interaction: discord.Interaction, text: str, count: int, loud: bool, member: discord.Member,
                   channel: discord.TextChannel, role: discord.Role) -> None:
        await interaction.response.send_message(
            f"{text}|{count}|{loud}|{member.name}|{channel.name}|{role.name}")

    onboarding = app_commands.Group(name="onboarding", description="onboarding")
    admin = app_commands.Group(name="admin", description="admin", parent=onboarding)

    @onboarding.command(name="start", description="start")
    async def start(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"started {member.name}", ephemeral=True)

    @admin.command(name="reset", description="reset")
    async def reset(interaction: discord.Interaction, confirm: bool) -> None:
        await interaction.response.send_message(f"reset {confirm}")

    tree.add_command(onboarding)

    @tree.command(name="panel", description="post the panel")
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("panel", view=Panel())

    async def acronyms(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        words = ["IHRRC", "IHRA", "NSP", "OD"]
        return [app_commands.Choice(name=w, value=w) for w in words if w.startswith(current.upper())]

    @tree.command(name="acronym", description="lookup")
    @app_commands.autocomplete(term=acronyms)
    async def acronym(interaction: discord.Interaction, term: str) -> None:
        await interaction.response.send_message(term)

    @tree.command(name="locale", description="the client's language")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    async def locale(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(interaction.locale.value, ephemeral=True)

    @tree.command(name="repair", description="dm ok")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    async def repair(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("repair noted", ephemeral=True)


@pytest.fixture
async def selftest_bot(emulator: Emulator, standard_guild: StandardGuild) -> AsyncIterator[SelftestBot]:
    bot = SelftestBot(standard_guild.guild.id)
    async with running(emulator, bot, standard_guild.bot.token):
        await emulator.wait_bot_ready(standard_guild.bot, standard_guild.guild)
        yield bot


async def post_panel(bot: SelftestBot, channel_id: int) -> discord.Message:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return await channel.send("panel", view=Panel())
