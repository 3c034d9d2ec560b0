"""Start-up as a volunteer meets it, with `python -m bot` as a real process against the emulator.

Each failure a volunteer can cause is one line and a documented exit code (bot/startup.py), never a
traceback; a bot started before the network is up waits for it; a stop while a server is being set
up finishes the set-up instead of leaving it half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import __version__
from bot.startup import EXIT_INTENTS, EXIT_NETWORK, EXIT_TOKEN
from tests.conftest import BOT_TOKEN, GuildBuilder
from tests.emulator import Emulator

from .conftest import BotProcess, write_config

ROLE_ROUTE = "POST /guilds/{guild_id}/roles"


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


async def exit_code(proc: BotProcess, timeout: float = 30) -> int:  # noqa: ASYNC109
    assert proc.proc is not None
    return await asyncio.wait_for(proc.proc.wait(), timeout)


@contextlib.asynccontextmanager
async def process(proc: BotProcess) -> AsyncIterator[BotProcess]:
    try:
        yield proc
    finally:
        if proc.running:
            with contextlib.suppress(AssertionError):
                await proc.stop()


async def test_dotenv_with_token_and_data_key_starts_the_bot(emulator: Emulator, build_guild: GuildBuilder,
                                                             tmp_path: Path) -> None:
    sg = build_guild()
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    (tmp_path / ".env").write_text(f"# from the README\nDISCORD_TOKEN={sg.bot.token}\nBOT_DATA_KEY={key}\n")
    # No token in the environment: only the .env beside the config file has it.
    proc = BotProcess(sg, tmp_path, write_config(tmp_path, emulator), env={"DISCORD_TOKEN": ""})
    async with process(proc):
        await proc.start()
        assert not (tmp_path / "bot-data.key").exists(), "the key came from .env: no key file is created"
        # Logged just after what wait_ready watches (the command sync), so wait for the lines.
        await emulator.wait_for(lambda: "logged in as" in proc.stderr and ") ready" in proc.stderr,
                                description="the start-up log")
        log = proc.stderr
        assert f"coalition bot {__version__} starting" in log
        assert f"logged in as {sg.bot.user.name}" in log and f"(ID {sg.bot.id})" in log and "IHRRC" in log
        assert f"server IHRRC ({sg.guild.id}) ready" in log
        assert "PyNaCl" not in log and "davey" not in log
        assert "Traceback" not in log and "error" not in log.lower(), log
        assert await proc.stop() == 0


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_a_refused_token_is_one_line_and_exit_3(emulator: Emulator, build_guild: GuildBuilder,
                                                      tmp_path: Path, level: str) -> None:
    sg = build_guild()
    config = write_config(tmp_path, emulator, {"logging": {"level": level}})
    proc = BotProcess(sg, tmp_path, config, env={"DISCORD_TOKEN": "not-the-token-at-all"})
    async with process(proc):
        await proc.start(wait=False)
        assert await exit_code(proc) == EXIT_TOKEN
    (line,) = error_lines(proc.stderr)
    assert "refused the token" in line and "DISCORD_TOKEN" in line
    assert "not-the-token-at-all" not in proc.stderr
    # The traceback is for whoever asks for DEBUG, never in the way otherwise.
    assert ("Traceback" in proc.stderr) == (level == "DEBUG"), proc.stderr


async def test_a_missing_privileged_intent_names_the_switch_and_exits_4(
        emulator: Emulator, build_guild: GuildBuilder, tmp_path: Path) -> None:
    emulator.create_bot(BOT_TOKEN, "Coalition Bot", privileged_intents=False)
    sg = build_guild()
    proc = BotProcess(sg, tmp_path, write_config(tmp_path, emulator))
    async with process(proc):
        await proc.start(wait=False)
        assert await exit_code(proc) == EXIT_INTENTS
    (line,) = error_lines(proc.stderr)
    assert "Server Members Intent" in line and "Developer Portal" in line
    assert "Traceback" not in proc.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


async def test_no_network_at_start_is_waited_out(emulator: Emulator, build_guild: GuildBuilder,
                                                 tmp_path: Path) -> None:
    """Discord's address answers nothing at first (no network yet); the bot says so, retries, then connects."""
    sg = build_guild()
    port = free_port()
    emu_port = int(emulator.api_base_url.split(":")[2].split("/")[0])
    api = f"http://127.0.0.1:{port}/api/v10"
    proc = BotProcess(sg, tmp_path, write_config(tmp_path, emulator, {"discord": {"api_base_url": api}}))

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", emu_port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async with process(proc):
        await proc.start(wait=False)
        await emulator.wait_for(lambda: proc.stderr.count("cannot reach Discord") >= 2, timeout=30,
                                description="two 'cannot reach Discord ... trying again' lines")
        assert proc.running
        server = await asyncio.start_server(forward, "127.0.0.1", port)  # the network comes up
        try:
            await proc.wait_ready()
            assert "Traceback" not in proc.stderr
            line = next(line for line in proc.stderr.splitlines() if "cannot reach Discord" in line)
            assert "127.0.0.1 " in line and "trying again in" in line
            assert await proc.stop() == 0
        finally:
            server.close()


async def test_a_connection_that_breaks_during_login_is_one_line_and_exit_6(
        emulator: Emulator, build_guild: GuildBuilder, tmp_path: Path) -> None:
    """Discord's address takes connections and drops them (a flaky link, a captive portal)."""
    sg = build_guild()
    port = free_port()

    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(drop, "127.0.0.1", port)
    api = f"http://127.0.0.1:{port}/api/v10"
    proc = BotProcess(sg, tmp_path, write_config(tmp_path, emulator, {"discord": {"api_base_url": api}}))
    try:
        async with process(proc):
            await proc.start(wait=False)
            assert await exit_code(proc, timeout=60) == EXIT_NETWORK
    finally:
        server.close()
    (line,) = error_lines(proc.stderr)
    assert "broke while logging in" in line
    assert "Traceback" not in proc.stderr


async def test_stop_during_server_set_up_finishes_it(emulator: Emulator, build_guild: GuildBuilder,
                                                     tmp_path: Path) -> None:
    """SIGTERM while the bot creates roles: it finishes the set-up, exits 0, and logs no error."""
    sg = build_guild(empty=True)
    # Discord slows role creation down (rate limits): the set-up takes a few seconds.
    emulator.failures.inject_429(3, route=ROLE_ROUTE, retry_after=1.0)
    proc = BotProcess(sg, tmp_path, write_config(tmp_path, emulator))
    async with process(proc):
        await proc.start(wait=False)
        await emulator.wait_for(lambda: emulator.requests("POST", ROLE_ROUTE), timeout=30,
                                description="the set-up to start creating roles")
        assert await proc.stop() == 0
    log = proc.stderr
    assert "finishing the set-up of 1 server(s) first" in log
    assert "Traceback" not in log and "Session is closed" not in log and "ERROR" not in log, log[-3000:]
    for name in ("Member", "Newcomer", "Moderator"):
        assert sg.guild.has_role_named(name), f"role {name} missing after the stop"
    for name in ("welcome", "moderators", "mod-log", "waiting-room"):
        assert sg.guild.find_channel(name) is not None, f"#{name} missing after the stop"


async def test_a_stop_that_cannot_wait_for_set_up_leaves_the_rest_to_the_next_start(
        emulator: Emulator, build_guild: GuildBuilder, tmp_path: Path) -> None:
    """Discord holds role creation longer than a stop may wait: the stop is still clean, and the next
    start creates what is missing."""
    sg = build_guild(empty=True)
    held = emulator.failures.inject_429(1, route=ROLE_ROUTE, retry_after=20.0)
    proc = BotProcess(sg, tmp_path, write_config(tmp_path, emulator))
    async with process(proc):
        await proc.start(wait=False)
        await emulator.wait_for(lambda: held.fired == 1, timeout=30, description="role creation held")
        assert await proc.stop(timeout=30) == 0
        log = proc.stderr
        assert "the rest is done on the next start" in log
        assert "Traceback" not in log and "Session is closed" not in log and "ERROR" not in log, log[-3000:]
        assert not sg.guild.has_role_named("Member"), "the stop came before the set-up could finish"

        await proc.start()
        for name in ("Member", "Newcomer", "Moderator"):
            assert sg.guild.has_role_named(name), f"role {name} missing after the next start"
        for name in ("welcome", "moderators", "mod-log", "waiting-room"):
            assert sg.guild.find_channel(name) is not None, f"#{name} missing after the next start"
        assert "Traceback" not in proc.stderr


async def health(proc: BotProcess) -> tuple[int, str]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(proc.config), "health", cwd=proc.directory,
        env=proc.env(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await child.communicate()
    assert child.returncode is not None
    return child.returncode, out.decode()


async def test_about_shows_version_and_source_and_health_follows_the_connection(
        emulator: Emulator, build_guild: GuildBuilder, tmp_path: Path) -> None:
    sg = build_guild()
    source = "https://example.org/our-coalition/bot"
    proc = BotProcess(sg, tmp_path, write_config(tmp_path, emulator))
    proc.config.write_text(f'source_url = "{source}"\n' + proc.config.read_text())
    async with process(proc):
        await proc.start()
        alex = emulator.create_user("Alex")
        await alex.join(sg.guild)
        reply = await (await alex.slash(sg.guild, "about")).wait_message()
        assert f"version {__version__}" in reply.text and f"<{source}>" in reply.text and "AGPL" in reply.text
        await emulator.wait_for(lambda: (tmp_path / "data" / "heartbeat").exists(), timeout=30,
                                description="the first heartbeat")
        code, out = await health(proc)
        assert code == 0 and "connected" in out, out
        assert await proc.stop() == 0
    code, out = await health(proc)
    assert code == 1 and "not running" in out, out
