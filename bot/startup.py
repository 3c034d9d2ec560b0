"""Start-up failures a volunteer can cause: one line each, and an exit code a service manager can act on.

The exit codes are documented in docs/running.md; the systemd unit and the compose file do not restart
on 2, 3 or 4 (a restart cannot fix a config, a token or a portal switch).
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot.settings import redact_url

EXIT_OK = 0
EXIT_CRASH = 1  # a bug: the log has the details
EXIT_CONFIG = 2  # config file, .env, environment variable, content file, missing token
EXIT_TOKEN = 3  # Discord refused the token
EXIT_INTENTS = 4  # a privileged intent is not switched on in the Developer Portal
EXIT_DATABASE = 5  # the database cannot be reached or migrated (worth a retry: it may be starting)
EXIT_NETWORK = 6  # the connection to Discord broke while logging in (worth a retry)

NO_TOKEN = (
    "No Discord token: set DISCORD_TOKEN in the environment or in a .env file "
    "(Discord Developer Portal > your application > Bot > Reset Token)."
)
BAD_TOKEN = (
    "Discord refused the token in DISCORD_TOKEN. Copy it again from the Discord Developer Portal "
    "(your application > Bot > Reset Token) and restart."
)
MISSING_INTENT = (
    "Discord refused to connect because the Server Members Intent is off. Switch it on in the Discord "
    "Developer Portal (your application > Bot > Privileged Gateway Intents > Server Members Intent), "
    "save, and restart. Leave Message Content Intent off: the bot does not need it."
)
NO_NETWORK = "cannot reach Discord at %s (%s); trying again in %.0f s"
LOGIN_BROKE = ("the connection to Discord broke while logging in ({reason}); start the bot again "
               "(systemd and Docker do that by themselves)")
MIGRATION_FAILED = "the database could not be migrated (see the messages above)"


class StartupError(Exception):
    """Stops the bot with one line (`str(self)`) and `code`."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def reason(exc: BaseException) -> str:
    """A short reason from a driver error, never its connection string."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def where(url: str) -> str:
    """`host:port` for a server database, the file for SQLite; no user name or password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return redact_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "an in-memory SQLite database"
    port = parsed.port or (5432 if parsed.get_backend_name() == "postgresql" else None)
    return f"{parsed.host or 'localhost'}:{port}" if port else (parsed.host or "localhost")


def database_unreachable(url: str, exc: BaseException) -> StartupError:
    return StartupError(f"cannot use the database at {where(url)} ({reason(exc)})", EXIT_DATABASE)
