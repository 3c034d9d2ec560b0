"""Command line: `python -m bot [--config PATH] [run | check | db upgrade | rotate-key]`.

Configuration problems end the program with ONE clear line and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot import heap
from bot.content import ContentError, load_content
from bot.logs import setup_logging
from bot.settings import ConfigError, Settings, load_secrets, load_settings, resolve_config_path

EXIT_CONFIG = 2
log = logging.getLogger("bot")

NO_TOKEN = (
    "No Discord token: set DISCORD_TOKEN in the environment or in a .env file "
    "(Discord Developer Portal > your application > Bot > Reset Token)."
)


SHARDS_NEED_KEY = (
    "Several shards ([discord] shard_count > 1) need BOT_DATA_KEY set to the same key in every shard process: "
    "with a key file per process, one shard could not read what another encrypted. Create one with: "
    "python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\""
)


def shard_problem(settings: Settings) -> str | None:
    """A sharded config must name exactly one shard of this process (one process per shard)."""
    count, ids = settings.discord.shard_count, settings.discord.shard_ids
    if count is None:
        return "[discord] shard_ids is set but shard_count is not" if ids else None
    if ids is None or len(ids) != 1 or not 0 <= ids[0] < count:
        return (f"[discord] shard_count = {count} needs shard_ids = [k] with exactly one k from 0 to {count - 1} "
                "(run one process per shard)")
    return None


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="The coalition's Discord bot.")
    parser.add_argument("--config", help="path to config.toml (default: $BOT_CONFIG or ./config.toml)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord and run (the default)")
    sub.add_parser("check", help="validate config, content and database; no Discord connection")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"], help="apply migrations")
    sub.add_parser("rotate-key", help="re-encrypt stored data under a new key")
    return parser.parse_args(argv)


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_CONFIG


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    config_path = resolve_config_path(args.config)
    try:
        settings = load_settings(config_path)
        content = load_content(settings.content_file)
    except (ConfigError, ContentError) as exc:
        return fail(str(exc))
    secrets = load_secrets()
    token = secrets.discord_token.get_secret_value() if secrets.discord_token else ""
    data_key = secrets.bot_data_key.get_secret_value() if secrets.bot_data_key else None
    setup_logging(settings.logging.level, [token, *(data_key or "").split(",")])

    command = args.command or "run"
    if command == "check":
        return asyncio.run(check(settings, config_path, content.version))
    if command == "db":
        return asyncio.run(db_upgrade(settings))
    if command == "rotate-key":
        from bot.rotate import rotate_key

        return asyncio.run(rotate_key(settings, data_key))
    if not token:
        return fail(NO_TOKEN)
    # Checked before connecting: a second id used to be ignored silently (its servers never served).
    problem = shard_problem(settings)
    if problem:
        return fail(f"{config_path}: {problem}")
    if (settings.discord.shard_count or 1) > 1 and not data_key:
        return fail(SHARDS_NEED_KEY)
    if not asyncio.run(schema_is_current(settings)):
        # Migrate in a short-lived child so the long-running process never loads Alembic.
        upgrade = [sys.executable, "-m", "bot", "--config", str(config_path), "db", "upgrade"]
        if subprocess.run(upgrade, check=False).returncode != 0:
            return fail("the database could not be migrated (see the messages above)")
    return run_until_stopped(lambda: run(settings, token, data_key))


async def check(settings: Settings, config_path: Path, content_version: str) -> int:
    from db.migrate import current_revision, head_revision
    from db.session import create_engine

    engine = create_engine(settings.database.url)
    try:
        revision = await current_revision(engine)
    except Exception as exc:  # any driver error means "cannot connect"
        return fail(f"database {settings.database.url!r}: cannot connect ({type(exc).__name__}: {exc})")
    finally:
        await engine.dispose()
    found = await asyncio.to_thread(config_path.exists)
    source = config_path if found else f"{config_path} (not found: using defaults)"
    head = head_revision()
    schema = "up to date" if revision == head else f"at {revision or 'empty'}; will migrate to {head} on start"
    print(f"config: {source} — OK")
    print(f"content: version {content_version} — OK")
    print(f"database: {settings.database.url.split('@')[-1]} — reachable, schema {schema}")
    print(f"discord: REST {settings.discord.api_base_url}, gateway {settings.discord.gateway_url}")
    return 0


async def schema_is_current(settings: Settings) -> bool:
    from db.schema_version import is_current
    from db.session import create_engine

    engine = create_engine(settings.database.url)
    try:
        return await is_current(engine)
    finally:
        await engine.dispose()


async def db_upgrade(settings: Settings) -> int:
    from db.migrate import upgrade_to_head
    from db.session import create_engine

    engine = create_engine(settings.database.url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    print("database schema is up to date", file=sys.stderr)
    return 0


async def run(settings: Settings, token: str, data_key: str | None) -> int:
    from bot.app import BotApp

    app = await BotApp.create(settings, data_key=data_key)
    heap.settle()  # the imports and the content
    settle_when_ready = asyncio.create_task(after_ready(app.bot, heap.settle))  # and the guild caches
    try:
        await app.start(token)
    finally:
        settle_when_ready.cancel()
        await app.close()
    return 0


async def after_ready(bot: Any, action: Callable[[], None]) -> None:
    await bot.wait_until_ready()
    action()


def run_until_stopped(make: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run the bot; SIGTERM/SIGINT close the gateway and the database cleanly."""

    async def runner() -> int:
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(make())
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        try:
            return await task
        except asyncio.CancelledError:
            log.info("shutting down")
            return 0

    with contextlib.suppress(KeyboardInterrupt):
        code: int = asyncio.run(runner())
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
