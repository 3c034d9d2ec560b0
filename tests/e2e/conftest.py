"""Run THE bot against the emulator: in-process (fast) or as a real subprocess.

In-process: ``await run_bot(sg)`` builds ``bot.app.BotApp`` from a temp config and starts it in
the test's loop. Subprocess: ``await spawn_bot(sg)`` runs ``python -m bot --config <tmp>/config.toml``
with ``DISCORD_TOKEN`` set (``BOT_DATA_KEY`` unset), cwd = the temp dir, SQLite in the temp dir.
Both wait until the bot has received GUILD_CREATE and synced the guild's commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl

from tests.conftest import StandardGuild
from tests.databases import fresh_database_url
from tests.emulator import Emulator

REPO_ROOT = Path(__file__).resolve().parents[2]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def e2e_backend() -> str:
    """`sqlite` (default) or `postgres` (BOT_TEST_E2E_BACKEND=postgres; CI runs the suite both ways)."""
    return os.environ.get("BOT_TEST_E2E_BACKEND", "sqlite")


def write_config(directory: Path, emu: Emulator, sections: dict[str, dict[str, Any]] | None = None,
                 database_url: str | None = None) -> Path:
    """config.toml pointing at the emulator, SQLite in ``directory`` unless ``database_url`` is given;
    ``sections`` override/extend."""
    merged: dict[str, dict[str, Any]] = {
        # guild_ready_timeout: the emulator sends every guild at once; don't wait 2 s for more.
        "discord": {"api_base_url": emu.api_base_url, "gateway_url": emu.gateway_url, "guild_ready_timeout": 0.1},
        "database": {"url": database_url or f"sqlite+aiosqlite:///{directory / 'bot.db'}"},
    }
    for name, values in (sections or {}).items():
        merged.setdefault(name, {}).update(values)
    lines = []
    for name, values in merged.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
        lines.append("")
    path = directory / "config.toml"
    path.write_text("\n".join(lines))
    return path


class InProcessBot:
    """The bot running inside the test's event loop (``self.app`` is ``bot.app.BotApp``)."""

    def __init__(self, sg: StandardGuild, directory: Path, config: Path) -> None:
        self.sg, self.emu, self.directory, self.config = sg, sg.emu, directory, config
        self.app: Any = None
        self.task: asyncio.Task[None] | None = None

    @property
    def bot(self) -> Any:
        """The running ``discord.Client`` subclass."""
        return self.app.bot

    async def start(self, *, wait: bool = True) -> InProcessBot:
        from bot.app import BotApp
        from bot.settings import load_settings

        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        settings = load_settings(self.config)
        self.app = await BotApp.create(settings)
        self.task = asyncio.create_task(self.app.start(self.sg.bot.token))
        if wait:
            await self.wait_ready()
        return self

    async def wait_ready(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        ready = asyncio.create_task(self.emu.wait_bot_ready(self.sg.bot, self.sg.guild, timeout=timeout))
        assert self.task is not None
        done, _ = await asyncio.wait({ready, self.task}, return_when=asyncio.FIRST_COMPLETED)
        if self.task in done:
            ready.cancel()
            self.task.result()
            raise AssertionError("bot stopped before it was ready")
        ready.result()

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.close()
        if self.task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self.task, 10)
        self.app = self.task = None
        if hasattr(self, "_saved"):
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved

    async def restart(self) -> InProcessBot:
        await self.stop()
        return await self.start()


class BotProcess:
    """``python -m bot`` as a child process; output is captured to files in the temp dir."""

    def __init__(self, sg: StandardGuild, directory: Path, config: Path, env: dict[str, str] | None = None) -> None:
        self.sg, self.emu, self.directory, self.config = sg, sg.emu, directory, config
        self.extra_env = env or {}
        self.proc: asyncio.subprocess.Process | None = None
        self.runs = 0

    @property
    def stdout_path(self) -> Path:
        return self.directory / f"stdout.{self.runs}.log"

    @property
    def stderr_path(self) -> Path:
        return self.directory / f"stderr.{self.runs}.log"

    @property
    def stdout(self) -> str:
        """Everything the process (all runs so far) wrote to stdout."""
        return "".join(p.read_text(errors="replace") for p in sorted(self.directory.glob("stdout.*.log")))

    @property
    def stderr(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.directory.glob("stderr.*.log")))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env.pop("BOT_DATA_KEY", None)
        env.update({"DISCORD_TOKEN": self.sg.bot.token, "PYTHONUNBUFFERED": "1",
                    "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)})
        env.update(self.extra_env)
        return env

    async def start(self, *, wait: bool = True) -> BotProcess:
        self.runs += 1
        out, err = self.stdout_path.open("wb"), self.stderr_path.open("wb")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--config", str(self.config), cwd=self.directory, env=self.env(),
                stdout=out, stderr=err)
        finally:
            out.close()
            err.close()
        if wait:
            await self.wait_ready()
        return self

    async def wait_ready(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        assert self.proc is not None
        ready = asyncio.create_task(self.emu.wait_bot_ready(self.sg.bot, self.sg.guild, timeout=timeout))
        exited = asyncio.create_task(self.proc.wait())
        done, _ = await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            ready.cancel()
            raise AssertionError(f"bot exited with {self.proc.returncode} before ready:\n{self.stderr[-4000:]}")
        exited.cancel()
        ready.result()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def stop(self, timeout: float = 15.0) -> int | None:  # noqa: ASYNC109
        """SIGTERM and wait (the bot closes the gateway and database cleanly)."""
        if not self.running:
            return self.proc.returncode if self.proc else None
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError(f"bot did not exit within {timeout:.0f}s of SIGTERM") from None

    async def kill9(self) -> None:
        if self.running:
            assert self.proc is not None
            self.proc.kill()
            await self.proc.wait()
        await self.emu.wait_for(lambda: not self.emu.connected(self.sg.bot), timeout=10,
                                description="emulator to notice the killed bot's socket closing")

    async def restart(self) -> BotProcess:
        await self.stop()
        return await self.start()


RunBot = Callable[..., Awaitable[InProcessBot]]
SpawnBot = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
async def fresh_database(tmp_path: Path) -> AsyncIterator[Callable[[Path], Awaitable[str | None]]]:
    """Factory: a new empty database for one bot directory on the e2e backend (None = SQLite file)."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(directory: Path) -> str | None:
            if e2e_backend() == "sqlite":
                return None
            return await stack.enter_async_context(fresh_database_url("postgres", directory))

        yield make


@pytest.fixture
async def run_bot(tmp_path: Path, fresh_database: Callable[[Path], Awaitable[str | None]]) -> AsyncIterator[RunBot]:
    """Factory: ``await run_bot(sg, config={...}, wait=True)`` → ``InProcessBot`` (stopped at teardown)."""
    started: list[InProcessBot] = []

    async def run(sg: StandardGuild, *, config: dict[str, dict[str, Any]] | None = None,
                  wait: bool = True) -> InProcessBot:
        directory = tmp_path / f"inproc{len(started)}"
        directory.mkdir()
        url = await fresh_database(directory)
        handle = InProcessBot(sg, directory, write_config(directory, sg.emu, config, url))
        started.append(handle)
        return await handle.start(wait=wait)

    try:
        yield run
    finally:
        for h in reversed(started):
            await h.stop()


@pytest.fixture
async def spawn_bot(tmp_path: Path, fresh_database: Callable[[Path], Awaitable[str | None]]) -> AsyncIterator[SpawnBot]:
    """Factory: ``await spawn_bot(sg, config={...}, env={...}, wait=True)`` → ``BotProcess``."""
    started: list[BotProcess] = []

    async def spawn(sg: StandardGuild, *, config: dict[str, dict[str, Any]] | None = None,
                    env: dict[str, str] | None = None, wait: bool = True) -> BotProcess:
        directory = tmp_path / f"proc{len(started)}"
        directory.mkdir()
        url = await fresh_database(directory)
        handle = BotProcess(sg, directory, write_config(directory, sg.emu, config, url), env)
        started.append(handle)
        return await handle.start(wait=wait)

    try:
        yield spawn
    finally:
        for h in reversed(started):
            if h.running:
                with contextlib.suppress(AssertionError):
                    await h.stop()


@pytest.fixture
async def bot_in_process(run_bot: RunBot, standard_guild: StandardGuild) -> InProcessBot:
    """The bot running in-process against the standard IHRRC guild."""
    return await run_bot(standard_guild)


@pytest.fixture
async def bot_process(spawn_bot: SpawnBot, standard_guild: StandardGuild) -> BotProcess:
    """The bot as a subprocess against the standard IHRRC guild."""
    return await spawn_bot(standard_guild)


__all__ = ["BotProcess", "InProcessBot", "write_config", "yarl"]
