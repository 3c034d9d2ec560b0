"""Command line: `python -m bot [--config PATH] [run | check | db upgrade | backup [DEST] | rotate-key | health]`.

Every start-up problem a volunteer can cause ends the program with ONE clear line and a
documented exit code (bot/startup.py, docs/running.md); tracebacks only at DEBUG.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot import __version__, heap, instance
from bot.content import ContentError, load_content
from bot.keys import KeyProblem
from bot.logs import setup_logging
from bot.settings import (
    ConfigError,
    Settings,
    config_was_named,
    env_file_path,
    load_secrets,
    load_settings,
    redact_url,
    resolve_config_path,
)
from bot.startup import (
    EXIT_CONFIG,
    EXIT_DATABASE,
    MIGRATION_FAILED,
    NO_TOKEN,
    StartupError,
    database_unreachable,
)

log = logging.getLogger("bot")

SHARDS_NEED_KEY = (
    "Several shards ([discord] shard_count > 1) need BOT_DATA_KEY set to the same key in every shard process: "
    "with a key file per process, one shard could not read what another encrypted. Create one with: "
    "python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\""
)
CONFIG_NOT_FOUND = "{path}: no such config file (named by {by}); fix the path or leave it out to use the defaults"
SOURCE_URL_UNSET = ("source_url is not set: /about cannot link to this bot's source code (the AGPL asks that "
                    "people using a modified bot can get its source)")


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
    # --config is accepted before or after the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS,
                        help="path to config.toml (default: $BOT_CONFIG or ./config.toml)")
    parser = argparse.ArgumentParser(prog="python -m bot", description="The coalition's Discord bot.",
                                     parents=[common])
    parser.add_argument("--version", action="version", version=f"coalition-bot {__version__}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", parents=[common], help="connect to Discord and run (the default)")
    sub.add_parser("check", parents=[common],
                   help="validate config, content and database without changing anything; no Discord connection")
    db = sub.add_parser("db", parents=[common], help="database maintenance")
    db.add_argument("action", choices=["upgrade", "copy"],
                    help="upgrade: apply migrations; copy URL: copy the SQLite database into an empty PostgreSQL one")
    db.add_argument("target", nargs="?", help="for copy: the PostgreSQL address to copy into")
    backup = sub.add_parser("backup", parents=[common],
                            help="copy the SQLite database (safe while the bot runs) and the key file")
    backup.add_argument("dest", nargs="?", help="folder to write to (default: <data_dir>/backups/backup-<time>)")
    sub.add_parser("rotate-key", parents=[common], help="re-encrypt stored data under a new key")
    sub.add_parser("health", parents=[common],
                   help="exit 0 if the running bot is connected to Discord (for container health checks)")
    args = parser.parse_args(argv)
    args.config = getattr(args, "config", None)
    return args


def fail(message: str, code: int = EXIT_CONFIG) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return dispatch(args)
    except StartupError as exc:
        return fail(str(exc), exc.code)


def dispatch(args: argparse.Namespace) -> int:
    config_path = resolve_config_path(args.config)
    try:
        if config_was_named(args.config) and not config_path.is_file():
            by = "--config" if args.config else "BOT_CONFIG"
            raise ConfigError(CONFIG_NOT_FOUND.format(path=config_path, by=by))
        settings = load_settings(config_path)
        content = load_content(settings.content_file)
        secrets = load_secrets(config_path)
    except (ConfigError, ContentError) as exc:
        raise StartupError(str(exc), EXIT_CONFIG) from None
    token = secrets.discord_token.get_secret_value() if secrets.discord_token else ""
    data_key = secrets.bot_data_key.get_secret_value() if secrets.bot_data_key else None
    setup_logging(settings.logging.level, [token, *(data_key or "").split(","), database_password(settings)])

    command = args.command or "run"
    if command == "check":
        from bot.content import describe_languages
        from cogs.onboarding.logic import split_items

        return check(settings, config_path, content.version, bool(token), bool(data_key),
                     split_items(content), describe_languages(content))
    if command == "db" and args.action == "copy":
        return asyncio.run(db_copy(settings, args.target))
    if command in ("db", "rotate-key"):
        return exclusive_command(settings, command, data_key)
    if command == "backup":
        return asyncio.run(backup(settings, Path(args.dest) if args.dest else None, bool(data_key)))
    if command == "health":
        from bot import health

        healthy, line = health.check(health.heartbeat_path(settings.data_dir))
        print(line, file=sys.stdout if healthy else sys.stderr)
        return 0 if healthy else 1
    if not token:
        raise StartupError(NO_TOKEN, EXIT_CONFIG)
    # Checked before connecting: a second id used to be ignored silently (its servers never served).
    problem = shard_problem(settings)
    if problem:
        raise StartupError(f"{config_path}: {problem}", EXIT_CONFIG)
    if (settings.discord.shard_count or 1) > 1 and not data_key:
        raise StartupError(SHARDS_NEED_KEY, EXIT_CONFIG)
    try:
        # Held until the process ends: a second copy on this database stops here.
        held = instance.lock_sqlite(settings.database.url, instance.BOT_RUNNING)
        # Keys that cannot read the stored data stop the start before anything is written.
        asyncio.run(keys_can_read(settings, data_key))
    except (instance.AlreadyRunning, KeyProblem) as exc:
        raise StartupError(str(exc), EXIT_CONFIG) from None
    except Exception as exc:  # any driver error means "cannot connect"
        log.debug("could not read the database's key check", exc_info=True)
        raise database_unreachable(settings.database.url, exc) from None
    log.info("coalition bot %s starting (config: %s)", __version__,
             config_path.resolve() if config_path.is_file() else "none, all defaults")
    if not asyncio.run(schema_is_current(settings)):
        # Migrate in a short-lived child so the long-running process never loads Alembic.
        # The child finds the same config: named only when it exists (a missing ./config.toml means defaults).
        named = ["--config", str(config_path)] if config_path.is_file() else []
        upgrade = [sys.executable, "-m", "bot", *named, "db", "upgrade"]
        # The child runs under this process's instance lock (bot/instance.py).
        env = {**os.environ, FOR_BOT_ENV: "1"}
        if held is not None:
            env[instance.LOCK_FD_ENV] = str(held.fd)
        pass_fds = (held.fd,) if held is not None else ()
        returncode = subprocess.run(upgrade, check=False, env=env, pass_fds=pass_fds).returncode
        if returncode == EXIT_DATABASE:
            return EXIT_DATABASE  # the child said why in one line
        if returncode != 0:
            raise StartupError(MIGRATION_FAILED, EXIT_DATABASE)
    return run_until_stopped(lambda: run(settings, token, data_key))


def database_password(settings: Settings) -> str:
    return make_url_password(settings.database.url)


def check(settings: Settings, config_path: Path, content_version: str, has_token: bool, key_from_env: bool,
          split: list[str] | None = None, languages: str = "") -> int:
    """Validate everything reachable without Discord, and change nothing on disk (no asyncio loop runs yet)."""
    from bot.backup import stored_revision
    from bot.keys import key_file_path
    from db.migrate import head_revision
    from db.session import sqlite_path

    head = head_revision()
    db_file = sqlite_path(settings.database.url)
    if db_file is not None:
        if not db_file.is_file():
            schema = f"{db_file} — not created yet; it will be created on the first start"
        else:
            try:
                revision = stored_revision(db_file)  # opened read-only
            except sqlite3.Error as exc:
                raise database_unreachable(settings.database.url, exc) from None
            state = "schema up to date" if revision == head else \
                f"schema at {revision or 'empty'}; will migrate to {head} on start (after a backup)"
            schema = f"{db_file} — {state}"
    else:
        revision = asyncio.run(server_revision(settings))
        state = "up to date" if revision == head else f"at {revision or 'empty'}; will migrate to {head} on start"
        schema = f"{redact_url(settings.database.url)} — reachable, schema {state}"
    env_file = env_file_path(config_path)
    key_file = key_file_path(settings.database.url, settings.data_dir)
    print(f"version: coalition-bot {__version__}")
    print(f"config: {config_path.resolve() if config_path.is_file() else 'none found, using defaults'} — OK")
    print(f".env: {env_file.resolve() if env_file.is_file() else 'none'}")
    print(f"token: {'set' if has_token else 'NOT set (DISCORD_TOKEN)'}")
    if key_from_env:
        print("data key: BOT_DATA_KEY")
    else:
        print(f"data key: {key_file}{'' if key_file.is_file() else ' (created on the first start)'}")
    print(f"content: version {content_version} — OK")
    if languages:
        print(f"content: in {languages}")
    for line in split or []:  # too long for one onboarding step: split, never cut
        print(f"content: {line}")
    print(f"database: {schema}")
    print(f"discord: REST {settings.discord.api_base_url}, gateway {settings.discord.gateway_url}")
    if not settings.source_url:
        print(f"note: {SOURCE_URL_UNSET}")
    return 0


async def server_revision(settings: Settings) -> str | None:
    from db.migrate import current_revision
    from db.session import create_engine

    engine = create_engine(settings.database.url)
    try:
        return await current_revision(engine)
    except Exception as exc:  # any driver error means "cannot connect"
        log.debug("database check failed", exc_info=True)
        raise database_unreachable(settings.database.url, exc) from None
    finally:
        await engine.dispose()


def open_engine(create: Callable[[str], Any], url: str) -> Any:
    """The engine; for SQLite this creates the file's folder, which may be impossible (permissions)."""
    try:
        return create(url)
    except OSError as exc:
        raise database_unreachable(url, exc) from None


async def schema_is_current(settings: Settings) -> bool:
    from db.schema_version import is_current
    from db.session import create_engine

    engine = open_engine(create_engine, settings.database.url)
    try:
        return await is_current(engine)
    except Exception as exc:  # any driver error means "cannot connect"
        log.debug("database check failed", exc_info=True)
        raise database_unreachable(settings.database.url, exc) from None
    finally:
        await engine.dispose()


async def db_upgrade(settings: Settings) -> int:
    from bot.backup import backup_before_migration
    from db.migrate import head_revision, upgrade_to_head
    from db.session import create_engine

    try:
        await backup_before_migration(settings, head_revision())
    except (OSError, sqlite3.Error) as exc:
        raise StartupError(f"could not back up the database before migrating it, so it was not migrated "
                           f"({exc}); free some disk space or fix the folder's permissions", EXIT_DATABASE) from None
    engine = open_engine(create_engine, settings.database.url)
    try:
        await upgrade_to_head(engine)
    except Exception as exc:  # any driver error means "cannot connect" or "cannot migrate"
        log.debug("migration failed", exc_info=True)
        raise database_unreachable(settings.database.url, exc) from None
    finally:
        await engine.dispose()
    print("database schema is up to date", file=sys.stderr)
    return 0


async def db_copy(settings: Settings, target: str | None) -> int:
    from sqlalchemy.exc import DBAPIError

    from bot.dbcopy import CopyError, copy_database
    from bot.settings import normalize_database_url

    if not target:
        raise StartupError("db copy needs the PostgreSQL address to copy into: "
                           "python -m bot db copy postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DBNAME", EXIT_CONFIG)
    try:
        target_url = normalize_database_url(target, None)
    except ValueError as exc:
        raise StartupError(str(exc), EXIT_CONFIG) from None
    setup_logging(settings.logging.level, [database_password(settings), make_url_password(target_url)])
    try:
        result = await copy_database(settings.database.url, target_url)
    except CopyError as exc:
        raise StartupError(str(exc), EXIT_CONFIG) from None
    except (OSError, sqlite3.Error, DBAPIError) as exc:
        log.debug("copy failed", exc_info=True)
        raise database_unreachable(target_url, exc) from None
    print(f"copied {result.rows} row(s) of {result.tables} table(s) into {redact_url(target_url)}. "
          "Now point [database] url (or BOT_DATABASE__URL) at it and keep the same data key.")
    return 0


def make_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).password or ""


async def backup(settings: Settings, dest: Path | None, key_from_env: bool) -> int:
    from bot.backup import ENV_KEY_NOT_COPIED, PG_DUMP_HINT, default_folder, take_backup
    from db.session import sqlite_path

    db_file = sqlite_path(settings.database.url)
    if db_file is not None and not await asyncio.to_thread(db_file.is_file):
        raise StartupError(f"there is no database at {db_file} to back up yet", EXIT_CONFIG)
    folder = dest if dest is not None else default_folder(settings, "backup")
    try:
        made = await take_backup(settings, folder)
    except (OSError, sqlite3.Error) as exc:
        raise StartupError(f"could not write the backup to {folder} ({exc})", EXIT_DATABASE) from None
    for path in (made.database, made.key_file):
        if path is not None:
            print(f"backed up: {path}")
    if made.database is None:
        print(PG_DUMP_HINT)
    if key_from_env:
        print(ENV_KEY_NOT_COPIED)
    return 0


FOR_BOT_ENV = "COALITION_BOT_MIGRATING_FOR_BOT"


def exclusive_command(settings: Settings, command: str, data_key: str | None) -> int:
    """`db upgrade` and `rotate-key` are refused while a bot runs on this database
    (bot/instance.py); the bot's own migration child inherits its parent's lock."""
    try:
        held = instance.lock_sqlite(settings.database.url, instance.COMMAND_REFUSED)
    except instance.AlreadyRunning as exc:
        raise StartupError(str(exc), EXIT_CONFIG) from None
    try:
        if command == "db":
            if os.environ.get(FOR_BOT_ENV):
                return asyncio.run(db_upgrade(settings))
            return asyncio.run(exclusive(settings, db_upgrade(settings)))
        from bot.rotate import rotate_key

        return asyncio.run(exclusive(settings, rotate_key(settings, data_key)))
    finally:
        if held is not None:
            held.release()


async def keys_can_read(settings: Settings, data_key: str | None) -> None:
    from bot.keys import verify_keys
    from db.session import create_engine

    engine = create_engine(settings.database.url)
    try:
        await verify_keys(engine, data_key, settings.database.url, settings.data_dir)
    finally:
        await engine.dispose()


async def exclusive(settings: Settings, command: Coroutine[Any, Any, int]) -> int:
    """Run a CLI command that writes only while no bot runs (PostgreSQL: advisory lock)."""
    from db.session import create_engine

    engine = create_engine(settings.database.url)
    try:
        try:
            held = await instance.lock_postgres(engine, None, instance.COMMAND_REFUSED, exclusive=True)
        except instance.AlreadyRunning as exc:
            command.close()
            raise StartupError(str(exc), EXIT_CONFIG) from None
        except Exception as exc:  # any driver error means "cannot connect"
            command.close()
            log.debug("could not connect to take the instance lock", exc_info=True)
            raise database_unreachable(settings.database.url, exc) from None
        try:
            return await command
        finally:
            if held is not None:
                await held.close()
    finally:
        await engine.dispose()


async def run(settings: Settings, token: str, data_key: str | None) -> int:
    import aiohttp
    import discord

    from bot.app import BotApp
    from bot.startup import BAD_TOKEN, EXIT_INTENTS, EXIT_NETWORK, EXIT_TOKEN, LOGIN_BROKE, MISSING_INTENT, reason

    try:
        app = await BotApp.create(settings, data_key=data_key)
    except (instance.AlreadyRunning, KeyProblem) as exc:  # PostgreSQL: this shard already runs elsewhere
        raise StartupError(str(exc), EXIT_CONFIG) from None
    except (OSError, sqlite3.Error) as exc:
        log.debug("database failed at start", exc_info=True)
        raise database_unreachable(settings.database.url, exc) from None
    heap.settle()  # the imports and the content
    settle_when_ready = asyncio.create_task(after_ready(app.bot, heap.settle))  # and the guild caches
    try:
        await app.start(token)
    except discord.LoginFailure:
        log.debug("login refused", exc_info=True)
        raise StartupError(BAD_TOKEN, EXIT_TOKEN) from None
    except discord.PrivilegedIntentsRequired:
        log.debug("intents refused", exc_info=True)
        raise StartupError(MISSING_INTENT, EXIT_INTENTS) from None
    except (aiohttp.ClientError, OSError) as exc:
        if app.bot.user is not None:
            raise  # not at login: a real fault, with its traceback
        # Reachable a moment before (BotApp.wait_for_network), then gone: discord.py's login cannot
        # be retried in the same process, so this ends with a code a service manager restarts on.
        log.debug("login failed", exc_info=True)
        raise StartupError(LOGIN_BROKE.format(reason=reason(exc)), EXIT_NETWORK) from None
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
