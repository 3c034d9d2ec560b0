"""Data safety as a volunteer meets it (issue 19): a second copy of the bot, a moved key file,
`rotate-key`/`db upgrade` while the bot runs, and an erased value lingering in the WAL."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import RepairCase
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import BotProcess, RunBot, SpawnBot, e2e_backend
from .test_onboarding_flow import newcomer
from .test_repair_e2e import case_place, file_request, summary_of

sqlite_only = pytest.mark.skipif(e2e_backend() != "sqlite", reason="the SQLite file and its lock")


async def run_command(proc: BotProcess, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """`python -m bot --config <the bot's config> args...` beside a BotProcess; (exit code, stderr)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(proc.config), *args, cwd=proc.directory,
        env={**proc.env(), **(env or {})}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode is not None
    return child.returncode, err.decode()


def fingerprint_files(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.iterdir())
            if (p.name.startswith("bot.db") or p.name.endswith(".key")) and p.suffix != ".lock"}  # (a pid)


@sqlite_only
async def test_a_second_bot_and_writing_commands_are_refused_while_a_bot_runs(
        emulator: Emulator, standard_guild: StandardGuild, spawn_bot: SpawnBot) -> None:
    first = await spawn_bot(standard_guild)
    for args in (("run",), ("rotate-key",), ("db", "upgrade")):
        code, err = await run_command(first, *args)
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1, (args, err)
        assert str((first.directory / "bot.db").resolve()) in lines[0], lines[0]
        assert f"process {first.proc.pid}" in lines[0]  # type: ignore[union-attr]
        assert ("already running" if args == ("run",) else "Stop it first") in lines[0]
    assert first.running and emulator.connected(standard_guild.bot)
    # Once the first has stopped, the same commands work.
    await first.stop()
    code, err = await run_command(first, "rotate-key")
    assert code == 0, err


@sqlite_only
async def test_a_moved_or_wrong_key_stops_the_start_with_one_line_and_writes_nothing(
        emulator: Emulator, standard_guild: StandardGuild, spawn_bot: SpawnBot) -> None:
    bot = await spawn_bot(standard_guild)
    await bot.stop()
    key_file = bot.directory / "bot-data.key"
    moved = bot.directory / "backup.key"
    key_file.rename(moved)
    before = fingerprint_files(bot.directory)

    code, err = await run_command(bot, "run")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert f"the key file {key_file.resolve()} is missing" in lines[0] and "nothing was changed" in lines[0]
    assert not key_file.exists(), "no new key may be created for a database that holds data"
    assert fingerprint_files(bot.directory) == before

    from db.crypto import DataCipher, fingerprint

    wrong = DataCipher.generate_key().decode()
    code, err = await run_command(bot, "run", env={"BOT_DATA_KEY": wrong})
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    original = moved.read_text().strip()
    assert fingerprint(original) in lines[0] and fingerprint(wrong) in lines[0]
    assert fingerprint_files(bot.directory) == before

    moved.rename(key_file)
    await bot.start()  # the right key: it starts


@sqlite_only
async def test_an_erased_requester_link_is_gone_from_the_database_file_and_the_wal(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot) -> None:
    sg = standard_guild
    handle = await run_bot(sg, config={"repair": {"cooldown_minutes": 0}})
    riley = await newcomer(emulator, sg, "Riley")
    await file_request(riley, sg.guild, what="Something happened at the meeting MARK-1")
    await summary_of(emulator, await case_place(emulator, sg, 1))
    async with handle.bot.sessions() as session:
        case = (await session.execute(select(RepairCase))).scalar_one()
    secrets = [bytes(case.requester_enc), case.requester_index.encode()]
    database = handle.directory / "bot.db"

    def files() -> bytes:
        return b"".join(p.read_bytes() for p in (database, database.with_name("bot.db-wal")) if p.exists())

    assert all(s in files() for s in secrets)  # the test can see them before

    asked = await riley.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    await riley.click(prompt, "Yes, delete my data")
    await emulator.wait_for(lambda: "Done." in prompt.text, description="the erasure reply")
    found = [s[:12] for s in secrets if s in files()]
    assert found == [], f"erased values still in bot.db or bot.db-wal: {found}"


async def test_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    from bot.keys import key_file_path, open_cipher, write_key_file
    from db.migrate import upgrade_to_head
    from db.session import create_engine

    old = os.umask(0o022)
    try:
        folder = tmp_path / "data"
        url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
        stale = key_file_path(url).with_suffix(".tmp")
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
            stale.write_text("left over\n")
            os.chmod(stale, 0o644)
            await open_cipher(engine, None, url)
            names = sorted(p.name for p in folder.iterdir())
            assert {"bot.db", "bot.db-wal", "bot.db-shm", "bot-data.key"} <= set(names), names
            modes = {p.name: oct(p.stat().st_mode & 0o777) for p in folder.iterdir()}
        finally:
            await engine.dispose()
        write_key_file(key_file_path(url), ["x"])
        assert oct(key_file_path(url).stat().st_mode & 0o777) == "0o600"
    finally:
        os.umask(old)
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert all(mode == "0o600" for mode in modes.values()), modes
