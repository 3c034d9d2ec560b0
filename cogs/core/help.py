"""/help: what a person can do here, read from the bot's own command tree.

The list is never written by hand: commands, their names and descriptions come from the tree
(so a renamed or moved command shows up right), and the page's words live in texts.py. Pure: no
discord objects, unit-testable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.i18n import t
from bot.texts import COMMAND_NAMES
from cogs.core.texts import COMMAND_LINE as _COMMAND_LINE
from cogs.core.texts import (
    CONTACT,
    INTRO_DM,
    INTRO_SERVER,
    MEMBER_TITLE,
    MODERATOR_NOTE,
    MODERATOR_PREFIX,
    MODERATOR_TITLE,
)


@dataclass(frozen=True)
class CommandInfo:
    name: str  # "coi tag"
    description: str
    for_moderators: bool


def is_for_moderators(description: str, has_default_permissions: bool) -> bool:
    """A moderator command: Discord hides it by default (default_member_permissions), or its
    description says so ("Moderators: …")."""
    return has_default_permissions or description.startswith(MODERATOR_PREFIX)


def _line(command: CommandInfo) -> str:
    # The description in the reader's language (a texts-module sentence: its own msgid), without
    # the "Moderators:" the section title already says.
    description = t(command.description).removeprefix(t(MODERATOR_PREFIX)).removeprefix(MODERATOR_PREFIX).strip()
    description = description[:1].upper() + description[1:]
    # The name as the reader's Discord app shows it (its parts are COMMAND_NAMES, translated with the commands).
    name = " ".join(t(part) if part in COMMAND_NAMES else part for part in command.name.split())
    return t(_COMMAND_LINE, name=name, description=description)


def render_help(commands: Iterable[CommandInfo], *, moderator: bool, in_dm: bool,
                contact_email: str) -> list[tuple[str, str]]:
    """(title, text) sections of the help page; the moderators' section only for moderators."""
    ordered = sorted(commands, key=lambda c: c.name)
    members = [c for c in ordered if not c.for_moderators]
    sections = [(t(MEMBER_TITLE), "\n".join([t(INTRO_DM if in_dm else INTRO_SERVER), "",
                                             *(_line(c) for c in members), "",
                                             t(CONTACT, email=contact_email)]))]
    mods = [c for c in ordered if c.for_moderators]
    if moderator and mods:
        sections.append((t(MODERATOR_TITLE), "\n".join([*(_line(c) for c in mods), "", t(MODERATOR_NOTE)])))
    return sections


def unique(commands: Sequence[CommandInfo]) -> list[CommandInfo]:
    """One entry per name (a command can be in the tree both globally and for the server)."""
    seen: dict[str, CommandInfo] = {}
    for command in commands:
        seen.setdefault(command.name, command)
    return list(seen.values())
