"""Logging set-up with a last line of defence: secrets are redacted from every record."""

from __future__ import annotations

import logging
import sys


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
