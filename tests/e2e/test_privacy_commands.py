"""/privacy (server and DM, paged) and /audit recent (moderators only, read-only)."""

from __future__ import annotations

from datetime import UTC, datetime

from cogs.privacy.inventory import INVENTORY
from cogs.privacy.texts import LANGUAGE_NOTE
from db.repositories import audit
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot


async def test_privacy_pages_in_the_server_and_in_dms(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    alex = emulator.create_user("Alex")
    await alex.join(sg.guild)
    for guild in (sg.guild, None):
        result = await alex.slash(guild, "privacy")
        page = await result.wait_message()
        assert result.ephemeral or guild is None
        assert "What I store and why" in page.text and "Page 1 of" in page.text
        assert LANGUAGE_NOTE in page.text, "the language noted without being asked is said on the first page"
        assert [b["label"] for b in page.buttons] == ["Next page"]
        seen = [page.text]
        while "Next page" in [b["label"] for b in page.buttons]:
            moved = await alex.click(page, "Next page")
            assert moved.type == 7 and moved.message is page
            seen.append(page.text)
            assert len(page.embeds[0]["description"]) <= 4096
        assert "Previous page" in [b["label"] for b in page.buttons]
        total = len(seen)
        assert f"Page {total} of {total}" in page.text
        everything = "\n".join(seen)
        for table in INVENTORY:
            assert table.title in everything, table.title
        assert "never stores message content" in everything
        back = await alex.click(page, "Previous page")
        assert f"Page {total - 1} of {total}" in back.message.text  # type: ignore[union-attr]
        assert not page.pings_anyone


async def test_audit_recent_is_for_moderators_and_filters(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    async with bot_in_process.bot.sessions() as session, session.begin():
        at = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
        await audit.record(session, sg.guild.id, sg.moderator.id, "repair.close", "case:4", at=at)
        await audit.record(session, sg.guild.id, sg.moderator.id, "coi.waiting_room.start", "channel:9", at=at)
        await audit.record(session, sg.guild.id + 1, sg.moderator.id, "repair.secret", "case:1", at=at)
    member = emulator.create_user("Alex")
    await member.join(sg.guild)

    refused = await member.slash(sg.guild, "audit recent")
    assert refused.ephemeral and "Only moderators" in (await refused.wait_message()).text

    result = await sg.moderator.slash(sg.guild, "audit recent", in_channel=sg.moderators)
    text = (await result.wait_message()).text
    assert result.ephemeral
    assert "**repair.close** by <@" in text and "case:4" in text and "coi.waiting_room.start" in text
    assert "repair.secret" not in text, "another server's log never shows"
    assert text.index("coi.waiting_room.start") < text.index("repair.close"), "most recent first"
    assert not result.message.pings_anyone  # type: ignore[union-attr]

    filtered = await sg.moderator.slash(sg.guild, "audit recent", action="repair", in_channel=sg.moderators)
    text = (await filtered.wait_message()).text
    assert "repair.close" in text and "coi.waiting_room" not in text

    bad = await sg.moderator.slash(sg.guild, "audit recent", action="drop table;", in_channel=sg.moderators)
    assert "letters, digits" in (await bad.wait_message()).text
    # Read-only: there is no command that edits or deletes entries.
    commands = {c["name"] for c in sg.bot.commands_for(sg.guild)}
    audit_cmd = next(c for c in sg.bot.commands_for(sg.guild) if c["name"] == "audit")
    assert "audit" in commands and [o["name"] for o in audit_cmd["options"]] == ["recent"]
