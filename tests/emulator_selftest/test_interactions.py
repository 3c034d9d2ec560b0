from __future__ import annotations

import discord

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import SelftestBot, post_panel


async def test_slash_command_reply(emulator: Emulator, standard_guild: StandardGuild,
                                   selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    result = await alex.slash(standard_guild.guild, "ping")
    assert result.type == 4
    assert result.message is not None and result.message.content == "pong"
    assert not result.ephemeral
    assert standard_guild.general.last_message(visible_to=None) is result.message


async def test_interactions_carry_the_clients_locale(emulator: Emulator, standard_guild: StandardGuild,
                                                     selftest_bot: SelftestBot) -> None:
    ana = emulator.create_user("Ana", locale="es-419")
    alex = emulator.create_user("Alex")
    for person in (ana, alex):
        await person.join(standard_guild.guild)
    assert (await ana.slash(standard_guild.guild, "locale")).message.content == "es-419"
    assert (await ana.slash(None, "locale")).message.content == "es-419"
    assert (await alex.slash(standard_guild.guild, "locale")).message.content == "en-US"
    alex.user.locale = "es-ES"  # the person switched their Discord client's language
    assert (await alex.slash(standard_guild.guild, "locale")).message.content == "es-ES"


async def test_typed_options_and_resolved(emulator: Emulator, standard_guild: StandardGuild,
                                          selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    bob = emulator.create_user("Bob")
    g = standard_guild.guild
    await alex.join(g)
    await bob.join(g)
    result = await alex.slash(g, "echo", text="hi", count=3, loud=True, member=bob, channel=standard_guild.welcome,
                              role=standard_guild.moderator_role)
    assert result.message is not None
    assert result.message.content == "hi|3|True|Bob|welcome|Moderator"


async def test_subcommands_and_groups(emulator: Emulator, standard_guild: StandardGuild,
                                      selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    bob = emulator.create_user("Bob")
    await alex.join(standard_guild.guild)
    await bob.join(standard_guild.guild)
    r1 = await alex.slash(standard_guild.guild, "onboarding start", member=bob)
    assert r1.ephemeral and r1.message is not None and r1.message.content == "started Bob"
    r2 = await alex.slash(standard_guild.guild, "onboarding admin reset", confirm=False)
    assert r2.message is not None and r2.message.content == "reset False"


async def test_ephemeral_visible_only_to_interacting_user(emulator: Emulator, standard_guild: StandardGuild,
                                                          selftest_bot: SelftestBot) -> None:
    alex, sam = emulator.create_user("Alex"), emulator.create_user("Sam")
    await alex.join(standard_guild.guild)
    await sam.join(standard_guild.guild)
    result = await alex.slash(standard_guild.guild, "secret")
    msg = result.message
    assert msg is not None and result.ephemeral and msg.content == "psst"
    ch = standard_guild.general
    assert msg in ch.all_messages(visible_to=alex)
    assert msg not in ch.all_messages(visible_to=sam)
    assert msg not in ch.all_messages()
    # and the bot itself cannot fetch it
    bot_channel = selftest_bot.get_channel(ch.id)
    assert isinstance(bot_channel, discord.TextChannel)
    assert [m async for m in bot_channel.history()] == []


async def test_button_update_message_in_place(emulator: Emulator, standard_guild: StandardGuild,
                                              selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    sent = await post_panel(selftest_bot, standard_guild.welcome.id)
    msg = standard_guild.welcome.last_message()
    assert msg is not None and msg.id == sent.id
    assert "I understand and agree" in [b["label"] for b in msg.buttons]
    result = await alex.click(msg, "I understand and agree")
    assert result.type == 7
    assert result.message is msg
    assert msg.content == "agreed" and msg.components == []


async def test_button_ephemeral_and_deferred_followup(emulator: Emulator, standard_guild: StandardGuild,
                                                      selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    await post_panel(selftest_bot, standard_guild.welcome.id)
    msg = standard_guild.welcome.last_message()
    assert msg is not None
    r = await alex.click(msg, "Private")
    assert r.type == 4 and r.ephemeral and r.message is not None and r.message.content == "only for Alex"
    slow = await alex.click(msg, "Slow")
    assert slow.type == 5
    done = await slow.wait_message()
    assert done.content == "done slowly" and done.ephemeral_for == alex.id
    quiet = await alex.click(msg, "Quiet")
    assert quiet.type == 6
    await emulator.wait_for(lambda: msg.content == "edited after defer", description="@original edit")


async def test_modal_round_trip(emulator: Emulator, standard_guild: StandardGuild, selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    await post_panel(selftest_bot, standard_guild.welcome.id)
    msg = standard_guild.welcome.last_message()
    assert msg is not None
    r = await alex.click(msg, "Form")
    assert r.type == 9 and r.modal is not None
    assert r.modal.title == "Tell us"
    submitted = await r.modal.submit({"Your name": "Alex A."})
    assert submitted.message is not None and submitted.message.content == "thanks Alex A. (-)"


async def test_selects(emulator: Emulator, standard_guild: StandardGuild, selftest_bot: SelftestBot) -> None:
    alex, bob = emulator.create_user("Alex"), emulator.create_user("Bob")
    await alex.join(standard_guild.guild)
    await bob.join(standard_guild.guild)
    await post_panel(selftest_bot, standard_guild.welcome.id)
    msg = standard_guild.welcome.last_message()
    assert msg is not None
    r = await alex.select(msg, ["Funders"], placeholder="Pick a group")
    assert r.message is not None and r.message.content == "picked ['funders']"
    r = await alex.select(msg, [standard_guild.moderator_role], custom_id="panel:roles")
    assert r.message is not None and r.message.content == "roles ['Moderator']"
    r = await alex.select(msg, [bob], custom_id="panel:users")
    assert r.message is not None and r.message.content == "users ['Bob']"


async def test_autocomplete(emulator: Emulator, standard_guild: StandardGuild, selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    choices = await alex.autocomplete(standard_guild.guild, "acronym", term="IH")
    assert [c["value"] for c in choices] == ["IHRRC", "IHRA"]


async def test_dm_slash_and_dm_messages(emulator: Emulator, standard_guild: StandardGuild,
                                        selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    r = await alex.slash(None, "repair")
    assert r.message is not None and r.message.content == "repair noted"
    await alex.send_dm(standard_guild.bot, "yes")
    reply = await alex.wait_dm(lambda m: m.content == "you said yes")
    assert reply.author.id == standard_guild.bot.id


async def test_deferred_thinking_replaced_by_followup(emulator: Emulator, standard_guild: StandardGuild,
                                                      selftest_bot: SelftestBot) -> None:
    alex = emulator.create_user("Alex")
    await alex.join(standard_guild.guild)
    r = await alex.slash(standard_guild.guild, "think")
    assert r.type == 5
    msg = await r.wait_message()
    assert msg.content == "thought" and msg is r.message
