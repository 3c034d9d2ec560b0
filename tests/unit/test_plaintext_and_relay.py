"""Plain-text rendering of other people's words, and the per-requester relay limit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.plaintext import plain
from cogs.repair.logic import RelayLimiter, who

MASKED = re.compile(r"(?<!\\)\[[^\]\n]+(?<!\\)\]\(")
HEADING = re.compile(r"^\s*#{1,3} ", re.MULTILINE)


def test_masked_links_and_headings_are_escaped_line_breaks_kept() -> None:
    text = "[https://discord.com/x](https://elsewhere/y)\n# Heading\n  -# small\n> quote\n1. item\nplain words"
    shown = plain(text)
    assert not MASKED.search(shown) and not HEADING.search(shown)
    assert shown.count("\n") == text.count("\n")
    assert shown.splitlines()[-1] == "plain words"
    assert "\\> quote" in shown and "1\\. item" in shown and "\\-# small" in shown


def test_mentions_and_emphasis_do_not_render() -> None:
    shown = plain("@everyone <@123> **bold** a_b ||spoiler|| `code`")
    assert "@everyone" not in shown and "\\<@123>" in shown
    assert "\\*\\*bold\\*\\*" in shown and "a\\_b" in shown and "\\|\\|spoiler\\|\\|" in shown and "\\`code\\`" in shown


def test_plain_words_are_unchanged() -> None:
    assert plain("Saffron-meadow (one more) detail.") == "Saffron-meadow (one more) detail."


def test_who_names_the_username() -> None:
    assert who("Morgan Moderator", "morgan_lookalike") == "Morgan Moderator (@morgan\\_lookalike)"


def test_relay_limiter_burst_and_hour() -> None:
    limiter = RelayLimiter(burst=3, per_hour=5)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert [limiter.allow("a", now) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b", now), "limits are per requester"
    later = now + timedelta(seconds=61)
    assert [limiter.allow("a", later) for _ in range(3)] == [True, True, False], "five an hour in all"
    assert limiter.allow("a", now + timedelta(hours=1, seconds=1))
