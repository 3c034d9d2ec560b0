from __future__ import annotations

import io
import time

import discord

from tests.conftest import StandardGuild
from tests.emulator import Emulator
from tests.emulator import permissions as P

from .clients import intents, running


async def test_request_log_and_message_evidence(emulator: Emulator, standard_guild: StandardGuild) -> None:
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, standard_guild.bot.token):
        alex = emulator.create_user("Alex")
        await alex.join(standard_guild.guild)
        ch = client.get_channel(standard_guild.welcome.id)
        assert isinstance(ch, discord.TextChannel)
        embed = discord.Embed(title="Welcome", description="read the agreements")
        await ch.send(f"hi <@{alex.id}>", embed=embed, allowed_mentions=discord.AllowedMentions.none(),
                      file=discord.File(io.BytesIO(b"abc"), filename="agreements.txt"))
        [rec] = emulator.requests("POST", "POST /channels/{channel_id}/messages", bot=standard_guild.bot)
        assert rec.status == 200 and not rec.exempt and rec.bot_id == standard_guild.bot.id
        assert rec.path == f"/channels/{ch.id}/messages" and rec.body["content"].startswith("hi")
        assert rec.files == [("agreements.txt", b"abc")]
        msg = standard_guild.welcome.last_message()
        assert msg is not None and msg.embeds[0]["title"] == "Welcome"
        assert msg.mentioned_user_ids == [alex.id] and msg.pinged_user_ids == [] and not msg.pings_anyone
        assert msg.attachments[0].filename == "agreements.txt" and msg.attachments[0].data == b"abc"
        assert "read the agreements" in msg.text
        fetched = await ch.fetch_message(msg.id)
        await fetched.pin()
        assert msg.pinned and [m.id async for m in ch.pins()] == [msg.id]
        await fetched.edit(content="edited")
        assert msg.content == "edited" and msg.edited_timestamp is not None
        await fetched.delete()
        assert standard_guild.welcome.all_messages() == []
        assert all(r.time <= time.monotonic() for r in emulator.request_log)


async def test_roles_overwrites_threads_voice(emulator: Emulator, standard_guild: StandardGuild) -> None:
    g = standard_guild.guild
    alex, bob = emulator.create_user("Alex"), emulator.create_user("Bob")
    await alex.join(g)
    await bob.join(g)
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    async with running(emulator, client, standard_guild.bot.token):
        dg = client.get_guild(g.id)
        assert dg is not None
        # role CRUD and member roles
        role = await dg.create_role(name="Newcomer", permissions=discord.Permissions(P.VIEW_CHANNEL))
        assert g.role("Newcomer").permissions == P.VIEW_CHANNEL
        await role.edit(name="Newcomers")
        await dg.edit_role_positions({role: 2})
        member = dg.get_member(alex.id)
        assert member is not None
        await member.add_roles(role)
        assert alex.has_role(g, "Newcomers")
        await emulator.wait_for(lambda: role in member.roles, description="GUILD_MEMBER_UPDATE in cache")
        await member.remove_roles(role)
        assert not alex.has_role(g, "Newcomers")
        # private channel via overwrites
        secret = await dg.create_text_channel("confidential", overwrites={
            dg.default_role: discord.PermissionOverwrite(view_channel=False),
            member: discord.PermissionOverwrite(view_channel=True),
            dg.me: discord.PermissionOverwrite(view_channel=True)})  # without it the bot locks itself out
        sch = g.channel("confidential")
        assert alex.can_view(sch) and not bob.can_view(sch)
        await secret.set_permissions(dg.get_member(bob.id), view_channel=True)  # type: ignore[arg-type]
        assert bob.can_view(sch)
        await secret.set_permissions(dg.get_member(bob.id), overwrite=None)  # type: ignore[arg-type]
        assert not bob.can_view(sch)
        # private thread and thread members
        welcome = dg.get_channel(standard_guild.welcome.id)
        assert isinstance(welcome, discord.TextChannel)
        thread = await welcome.create_thread(name="repair-1", type=discord.ChannelType.private_thread)
        await thread.add_user(discord.Object(alex.id))
        th = g.channel("repair-1")
        assert th.type == 12 and set(th.thread_members) == {standard_guild.bot.id, alex.id}
        assert alex.can_view(th) and not bob.can_view(th)
        await thread.send("private note")
        assert [m.content for m in th.all_messages()] == ["private note"]
        # voice move and disconnect
        await alex.join_voice(standard_guild.waiting_room)
        await emulator.wait_for(lambda: member.voice is not None, description="voice state in cache")
        meeting = await dg.create_voice_channel("meeting")
        await member.move_to(meeting)
        assert alex.voice_channel(g) is g.channel("meeting")
        await member.move_to(None)
        assert alex.voice_channel(g) is None
        # deleting
        await role.delete()
        assert not g.has_role_named("Newcomers")
        await secret.delete()
        assert g.find_channel("confidential") is None


async def test_commands_registry_and_dm_channel(emulator: Emulator, standard_guild: StandardGuild) -> None:
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    tree = discord.app_commands.CommandTree(client)

    @tree.command(name="hello", description="hi")
    async def hello(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("hi")

    async with running(emulator, client, standard_guild.bot.token):
        synced = await tree.sync(guild=discord.Object(standard_guild.guild.id))
        assert synced == [] and standard_guild.bot.guild_commands[standard_guild.guild.id] == []
        tree.copy_global_to(guild=discord.Object(standard_guild.guild.id))
        synced = await tree.sync(guild=discord.Object(standard_guild.guild.id))
        assert [c.name for c in synced] == ["hello"]
        again = await tree.sync(guild=discord.Object(standard_guild.guild.id))
        assert again[0].id == synced[0].id  # ids stable across re-sync, as on Discord
        fetched = await tree.fetch_commands(guild=discord.Object(standard_guild.guild.id))
        assert [c.name for c in fetched] == ["hello"]
        alex = emulator.create_user("Alex")
        user = await client.fetch_user(alex.id)
        await user.send("a direct message")
        assert [m.content for m in alex.dm_messages()] == ["a direct message"]
