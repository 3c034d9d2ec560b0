"""/help: what a person can do here, read from the bot's own command tree.

The list is never written by hand: commands, their names and descriptions come from the tree
(so a renamed or moved command shows up right), and only the page text lives here. Pure: no
discord objects, unit-testable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MODERATOR_PREFIX = "Moderators:"

INTRO_SERVER = ("Type `/` in the message box and pick a command; answers from me that say "
                "\"Only you can see this\" are private to you.")
INTRO_DM = ("You're in a direct message with me: these commands work here. Everything else works "
            "inside the server — use `/help` there to see it.")
MEMBER_TITLE = "What you can do here"
MODERATOR_TITLE = "For moderators"
MODERATOR_NOTE = "Only moderators see this part, and the bot checks it each time."
CONTACT = "Questions? Ask a moderator, or write to {email}."


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
    return f"`/{command.name}` — {description}"


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
