"""Repair's words in every language the bot speaks (issue 16): Discord's limits hold in each, the
longest receipt is one message, and a letter to the requester goes out as the same number of
messages whatever their language (an anonymous requester's language must not show in what
moderators can time), losing none of the moderators' words."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import discord
import pytest

from bot.i18n import LANGUAGES, speaking, t
from bot.plaintext import plain
from cogs.repair import texts, views
from cogs.repair.logic import Action, CaseSummary, plain_pieces
from cogs.repair.service import Letter

RESOURCE = "Support: the Transformative Justice resource line, 555-0100, https://example.org/tj"


def bare(text: str) -> str:
    """Text without spacing, line breaks and escapes (pages are cut at spaces and escaped per piece)."""
    return re.sub(r"[\s\\\u200b]", "", text)


def components(modal: discord.ui.Modal) -> list[dict[str, Any]]:
    return modal.to_dict()["components"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_buttons_forms_and_selects_fit_discords_limits(language: str) -> None:
    with speaking(language):
        for label in [*texts.ACTION_LABELS.values(), texts.FILE_NAMED, texts.FILE_ANONYMOUS, texts.START_LABEL]:
            assert len(t(label)) <= 80, t(label)
        for placeholder in (texts.EXCLUDE_PLACEHOLDER, texts.PICK_SERVER_PLACEHOLDER, texts.RELAY_PLACEHOLDER):
            assert len(t(placeholder)) <= 150
        for option in (texts.CLOSE_RESOLVED, texts.CLOSE_CLOSED, texts.DESTINATION_ANY):
            assert len(t(option)) <= 100
        assert len(views.destination(10**9, "A" * 100)) <= 100
        forms = [views.filing_modal({"guild": "a", "mode": "n", "excluded": ""})]
    # The moderators' forms speak the server's language; check them as a server in this language would.
    from bot import i18n
    previous = i18n.server_language()
    i18n.configure(language)
    try:
        forms += [views.action_modal(action, 1, 10**9) for action in (Action.REPLY, Action.NOTE, Action.CLOSE)]
    finally:
        i18n.configure(previous)
    for form in forms:
        assert len(form.title) <= 45, form.title
        for row in components(form):
            for item in [row, *row.get("components", []), *([row["component"]] if "component" in row else [])]:
                if "label" in item and item.get("type") in (4, 18):
                    assert len(item["label"]) <= 45, item["label"]
                if "placeholder" in item:
                    assert len(item["placeholder"]) <= 100, item["placeholder"]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_longest_receipt_is_one_message(language: str) -> None:
    admins = [f"{'D' * 32} (@{'u' * 32})"] * 5
    with speaking(language):
        receipt = views.receipt(number=10**9, anonymous=True, to_moderators=False, no_alternates=True,
                                admins=admins, filer_is_moderator=True, resource=RESOURCE)
    assert len(receipt) <= 2000 and not receipt.endswith("…") and receipt.endswith(RESOURCE)


@pytest.mark.parametrize("key", sorted(texts.TO_REQUESTER))
@pytest.mark.parametrize("words", ["Thank you. What would help?", "**a** [link](https://x.y) " * 70,
                                   "line\n" * 900, "x" * 1800, "#*_`~|<@everyone>" * 100])
def test_a_letter_is_the_same_number_of_messages_in_every_language(key: str, words: str) -> None:
    letter = Letter(key, 10**9, words, RESOURCE)
    counts = set()
    for language in LANGUAGES:
        with speaking(language):
            pages = views.letter_pages(letter)
        counts.add(len(pages))
        assert all(len(page) <= 2000 for page in pages)
        if "{text}" in texts.TO_REQUESTER[key]:  # every character of theirs is there, escaped
            assert bare(words) in bare("".join(pages)), "none of the moderators' words are lost"
    assert len(counts) == 1, counts


def test_plain_pieces_fit_and_keep_every_character() -> None:
    text = ("**bold** [masked](https://evil.example) @everyone " * 80) + "\n# heading\n" + "y" * 3000
    pieces = plain_pieces(text, 500)
    assert all(len(p) <= 500 for p in pieces)
    assert bare("".join(pieces)) == bare(plain(text))


def test_moderators_read_the_servers_language_while_the_requester_reads_theirs() -> None:
    case = CaseSummary(case_id=1, number=7, status="submitted", anonymous=True, requester_id=None,
                       what_happened="x", who_involved=None, what_would_help=None, content_warning=None,
                       resolution=None, assignee_id=None, excluded_ids=(), created_at=datetime.now(UTC),
                       for_alternates=False, guild_id=1, thread_id=2, summary_message_id=3)
    with speaking("es"):  # a Spanish speaker's interaction: what moderators get stays in English
        embed = views.summary_embed(case)
        assert embed.title == "Repair case #7" and embed.fields[0].value == "Anonymous requester"
        assert views.action_line(case, "<@1>", Action.ACKNOWLEDGE, None, None) == "✅ <@1> acknowledged case #7."
        assert views.reminder(7, 1, None).startswith("Reminder: case #7 has been waiting 1 hour ")
        assert views.held_notice(2).startswith("💬 (2 more messages held")
        assert views.where(7, None) == "caso n.º 7"
