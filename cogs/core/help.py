"""/help: what a person can do here, read from the bot's own command tree.

The list is never written by hand: commands, their names and descriptions come from the tree
(so a renamed or moved command shows up right), and the page's words live in texts.py. Pure: no
discord objects, unit-testable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
    description = command.description.removeprefix(MODERATOR_PREFIX).strip()
    description = description[:1].upper() + description[1:]
    return _COMMAND_LINE.format(name=command.name, description=description)


def render_help(commands: Iterable[CommandInfo], *, moderator: bool, in_dm: bool,
                contact_email: str) -> list[tuple[str, str]]:
    """(title, text) sections of the help page; the moderators' section only for moderators."""
    ordered = sorted(commands, key=lambda c: c.name)
    members = [c for c in ordered if not c.for_moderators]
    sections = [(MEMBER_TITLE, "\n".join([INTRO_DM if in_dm else INTRO_SERVER, "",
                                          *(_line(c) for c in members), "",
                                          CONTACT.format(email=contact_email)]))]
    mods = [c for c in ordered if c.for_moderators]
    if moderator and mods:
        sections.append((MODERATOR_TITLE, "\n".join([*(_line(c) for c in mods), "", MODERATOR_NOTE])))
    return sections


def unique(commands: Sequence[CommandInfo]) -> list[CommandInfo]:
    """One entry per name (a command can be in the tree both globally and for the server)."""
    seen: dict[str, CommandInfo] = {}
    for command in commands:
        seen.setdefault(command.name, command)
    return list(seen.values())
