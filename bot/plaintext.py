"""Showing people's typed text exactly as typed (pure: no discord import).

Discord renders markdown in messages and embeds: a masked link `[https://discord.com/…](https://elsewhere/…)`
shows a trusted-looking address that goes somewhere else, and `# ` turns a line into a heading. Text
someone else typed (case text, relayed DMs, onboarding questions, replies) is escaped so it shows as
written. Line breaks are kept. '@everyone' and '@here' are defused as well (on top of allowed_mentions).
"""

from __future__ import annotations

import re

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
