"""Logging set-up with a last line of defence: secrets are redacted from every record."""

from __future__ import annotations

import logging
import re
import sys

# user:password@ in any address (database URLs in driver errors, proxies): the password never reaches a log.
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)
# discord.py logs its gateway reconnects with a traceback; a deployer needs one line (details at DEBUG).
ONE_LINE_LOGGERS = ("discord.client", "discord.gateway", "discord.shard", "discord.http")


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = URL_PASSWORD.sub(r"\1***@", message)
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class OneLineFilter(logging.Filter):
    """Turns a library's traceback into `message (ErrorType: reason)`; the full traceback only at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and record.name.startswith(ONE_LINE_LOGGERS):
            exc = record.exc_info[1]
            record.msg, record.args = f"{record.getMessage()} ({type(exc).__name__}: {exc})", None
            record.exc_info = record.exc_text = None
        return True


def setup_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if level != "DEBUG":
        handler.addFilter(OneLineFilter())
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # discord.py's gateway chatter is noise at INFO for a deployer.
    quiet = max(logging.getLevelName(level), logging.WARNING)
    for noisy in ("discord.gateway", "alembic"):
        logging.getLogger(noisy).setLevel(quiet)
    # At DEBUG these log whole request/response bodies (message, case and DM text),
    # interaction-token URLs and SQL parameters (member IDs, blind indexes): never below
    # INFO, whatever the configured level (tests/e2e/test_logs_clean.py).
    never_debug = max(logging.getLevelName(level), logging.INFO)
    for leaky in ("discord.http", "discord.webhook", "aiosqlite"):
        logging.getLogger(leaky).setLevel(never_debug)
