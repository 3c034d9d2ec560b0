"""Proof that message content never reaches the database or the logs.

The real bot runs as `python -m bot` with logging at DEBUG. Members write messages carrying a
unique marker in confidential and ordinary channels, a thread and a voice channel's chat; half of
them mention the bot, so the emulator delivers their full content to it (as Discord does for
mentions even without the message-content intent). Afterwards every column of every row of every
table, the raw database files and everything the process logged are searched for the marker.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.settings import load_settings
from db.session import create_engine, sqlite_path
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator

from .conftest import SpawnBot

TITLE = "Before we begin: how we keep this space safe"


def reminders(channel: Channel, sg: StandardGuild) -> list[Any]:
    return [m for m in channel.all_messages() if m.author.id == sg.bot.id and TITLE in m.text]


async def every_value(url: str) -> list[tuple[str, str, Any]]:
    """(table, column, value) for every cell of every table in the database (SQLite or PostgreSQL)."""
    engine = create_engine(url)

    def dump(connection: Connection) -> list[tuple[str, str, Any]]:
        cells = []
        for table in inspect(connection).get_table_names():
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                cells += [(table, col, value) for col, value in zip(columns, row, strict=True)]
        return cells

    try:
        async with engine.connect() as connection:
            return await connection.run_sync(dump)
    finally:
        await engine.dispose()


def contains(value: Any, marker: str) -> bool:
    if isinstance(value, bytes | bytearray | memoryview):
        return marker.encode() in bytes(value)
    return value is not None and marker in str(value)


async def test_no_message_content_in_database_or_logs(emulator: Emulator, standard_guild: StandardGuild,
                                                      spawn_bot: SpawnBot) -> None:
    sg = standard_guild
    marker = f"MARKER-{uuid.uuid4().hex}"
    secret_room = sg.guild.create_text_channel("peer-support")
    meeting = sg.guild.create_voice_channel("coalition-meeting")
    proc = await spawn_bot(sg, config={"logging": {"level": "DEBUG"}, "confidential": {"every_messages": 2}})
    for target in (secret_room, meeting):
        result = await sg.moderator.slash(sg.guild, "confidential add", target=target)
        assert "now a confidential space" in (await result.wait_message()).text

    alex = emulator.create_user("Alex")
    await alex.join(sg.guild)
    thread = emulator.world.create_thread(secret_room, "follow-up", alex.user, private=False)
    await alex.join_voice(meeting)
    await emulator.wait_for(lambda: reminders(meeting, sg), description="meeting reminders (bot is handling events)")

    mention = f"<@{sg.bot.id}>"
    sent = []
    for channel in (sg.general, meeting, thread, secret_room):
        sent.append(await alex.send(channel, f"{mention} my address is {marker}"))
        sent.append(await alex.send(channel, f"plain words {marker}"))
    # Mentioned messages reach the bot with their content: the test would see a leak.
    assert all(sg.bot.id in m.mentioned_user_ids for m in sent[::2])
    # The last confidential messages trigger a reminder; once it is there, the bot has seen everything.
    await emulator.wait_for(lambda: reminders(secret_room, sg), description="sticky reminder in the text channel")
    await emulator.wait_for(lambda: reminders(thread, sg), description="sticky reminder in the thread")
    await alex.send(secret_room, f"{mention} last one {marker}")
    await alex.send(secret_room, f"and another {marker}")
    first = reminders(secret_room, sg)[0]
    await emulator.wait_for(lambda: first.deleted and reminders(secret_room, sg),
                            description="the reminder replaced after the last messages")
    assert await proc.stop() == 0  # clean shutdown: in-memory counts are written too

    logs = proc.stdout + proc.stderr
    assert " DEBUG " in logs, "the bot should have logged at DEBUG level for this test to mean something"
    assert marker not in logs

    url = load_settings(proc.config).database.url
    cells = await every_value(url)
    assert any(table == "sticky_reminder" for table, _, _ in cells)  # the feature did write its counts
    leaks = [(table, column) for table, column, value in cells if contains(value, marker)]
    assert leaks == []
    db_file = sqlite_path(url)
    if db_file is not None:  # the raw SQLite files too (WAL, free pages)
        files = list(db_file.parent.glob(db_file.name + "*"))
        assert files
        for path in files:
            assert marker.encode() not in path.read_bytes(), f"marker found in {path.name}"

