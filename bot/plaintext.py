"""Shared text helpers (pure: no discord import): people's text shown exactly as typed, clipping,
packing into pages. The ONE markdown escaper is `plain` (not discord.utils.escape_markdown, which
leaves line-start markdown and masked links alone); coi and confidential still call escape_markdown.
Other copies still to move here: repair.logic.clip; coi.logic.holder_pages, privacy.logic.split_pages
(page packers).

Discord renders markdown in messages and embeds: a masked link `[https://discord.com/…](https://elsewhere/…)`
shows a trusted-looking address that goes somewhere else, and `# ` turns a line into a heading. Text
someone else typed (case text, relayed DMs, onboarding questions, replies) is escaped so it shows as
written. Line breaks are kept. '@everyone' and '@here' are defused as well (on top of allowed_mentions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MESSAGE_LIMIT = 2000  # Discord's characters per message

# Characters Discord reads as markdown anywhere: emphasis, code, spoilers, strike-through, masked-link
# brackets, angle brackets (mentions, timestamps), and the backslash itself ...
_MARKDOWN = re.compile(r"[\\*_`~|\[\]<]")
# ... and at the start of a line: headings, subtext, quotes, list markers.
_LINE_START = re.compile(r"^(\s*)([#>+-])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)\.", re.MULTILINE)
_MASS_MENTION = re.compile(r"@(everyone|here)")


def defuse_mass_mentions(text: str) -> str:
    """Belt and braces on top of allowed_mentions=none: '@everyone' can never ping."""
    return _MASS_MENTION.sub("@\u200b\\1", text)


def plain(text: str) -> str:
    """`text` as typed, with nothing Discord would render as markdown (line breaks kept)."""
    escaped = _MARKDOWN.sub(r"\\\g<0>", text)
    escaped = _NUMBERED.sub(r"\1\\.", _LINE_START.sub(r"\1\\\2", escaped))
    return defuse_mass_mentions(escaped)


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text`, cut to `limit` characters with an ellipsis when longer (a last guard, never a design)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pack_pages(pieces: Iterable[str], limit: int = MESSAGE_LIMIT, *, sep: str = "\n", head: str = "") -> list[str]:
    """Pieces joined by `sep` into as few pages of at most `limit` characters as their order allows,
    each page opening with `head`. A piece is never split; one too long for a page alone is clipped."""
    pages: list[str] = []
    current = ""
    for piece in pieces:
        piece = clip(piece, limit - len(head))
        candidate = f"{current}{sep}{piece}" if current else head + piece
        if current and len(candidate) > limit:
            pages.append(current)
            candidate = head + piece
        current = candidate
    if current:
        pages.append(current)
    return pages
