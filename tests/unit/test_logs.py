"""Log lines a deployer reads: no password from any address, and one line for a library's connection errors."""

from __future__ import annotations

import logging

import pytest

from bot.logs import setup_logging


@pytest.fixture
def restore_logging() -> object:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_passwords_in_addresses_never_reach_the_log(restore_logging: object, capfd: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", [])
    logging.getLogger("sqlalchemy.pool").warning(
        "lost postgresql+asyncpg://bot:s3cret-Pass@db.example.org:5432/bot and http://u:other-secret@proxy/")
    err = capfd.readouterr().err
    assert "s3cret-Pass" not in err and "other-secret" not in err
    assert "postgresql+asyncpg://bot:***@db.example.org:5432/bot" in err


def test_discord_reconnect_tracebacks_are_one_line_below_debug(restore_logging: object,
                                                               capfd: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", [])
    try:
        raise ConnectionResetError("connection reset by peer")
    except ConnectionResetError:
        logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 5.0)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert "Attempting a reconnect in 5.00s (ConnectionResetError: connection reset by peer)" in line

    setup_logging("DEBUG", [])
    try:
        raise ConnectionResetError("again")
    except ConnectionResetError:
        logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 5.0)
    assert "Traceback" in capfd.readouterr().err, "at DEBUG the whole traceback is there"
