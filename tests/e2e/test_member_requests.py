"""Request Guild Members: Discord answers "all members" once per server per 30 s (the emulator
enforces it, and the `emulator` fixture fails a test that gets RATE_LIMITED). The bot asks at most
once per server per session, and works without asking at all (chunk_guilds_at_startup = false)."""

from __future__ import annotations

from typing import Any

from db.repositories import coi_tags
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import RunBot


def all_member_requests(emulator: Emulator) -> list[tuple[str, int]]:
    return [(session, guild) for _, session, guild, everyone in emulator.hub.member_requests if everyone]


async def test_at_most_one_all_members_request_per_server_per_session(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    emulator.populate(sg.guild, 300, prefix="member")  # a "large" server: discord.py downloads its members
    handle = await run_bot(sg)
    await emulator.wait_for(lambda: handle.bot.get_guild(sg.guild.id).chunked, description="members downloaded")
    await handle.restart()  # a new session may ask again, once
    await emulator.wait_for(lambda: handle.bot.get_guild(sg.guild.id).chunked, description="members downloaded")
    await emulator.drop_gateway(sg.bot)  # a resumed session asks for nothing again
    await emulator.wait_for(lambda: emulator.connected(sg.bot), description="resumed")
    result = await sg.moderator.slash(sg.guild, "mod-coi list")
    await result.wait_message()
    asked = all_member_requests(emulator)
    assert [guild for _, guild in asked] == [sg.guild.id, sg.guild.id]  # one per session (two processes)
    assert len({session for session, _ in asked}) == 2 and emulator.hub.rate_limited == []


async def test_coi_list_works_without_downloading_members(
        emulator: Emulator, build_guild: Any, run_bot: RunBot) -> None:
    sg: StandardGuild = build_guild()
    people = emulator.populate(sg.guild, 300, prefix="member")  # a "large" server: GUILD_CREATE lists few
    handle = await run_bot(sg, config={"discord": {"chunk_guilds_at_startup": False}})
    bot = handle.bot
    async with bot.sessions() as session, session.begin():
        for person in people[:3]:
            await coi_tags.set_tags(session, sg.guild.id, person.id, {"funders"})
    assert all(bot.get_guild(sg.guild.id).get_member(p.id) is None for p in people[:3])

    result = await sg.moderator.slash(sg.guild, "mod-coi list", category="funders")
    page = await result.wait_message()
    for person in people[:3]:
        assert f"<@{person.id}>" in page.content
    assert "left the server" not in page.content, "a member not downloaded has not left"
    assert all_member_requests(emulator) == [] and emulator.hub.rate_limited == []
