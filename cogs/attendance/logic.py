"""Attendance's pure rules: organization names, the 50% ask, a year's bounds (no discord, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

MONTHLY = "monthly"  # a monthly Coalition meeting: the only kind that counts
OTHER = "other"
KINDS = (MONTHLY, OTHER)

INDIVIDUAL = "individual"  # the choice of someone who doesn't represent an organization
NAME_LIMIT = 80  # characters: fits a select option, an autocomplete choice and one line
MAX_ORGANIZATIONS = 500
REASON_LIMIT = 200  # characters of a "can't participate" reason: one short line in #mod-log
FIRST_YEAR, LAST_YEAR = 2000, 2999


class BadName(ValueError):
    """An organization name that can't be used (empty, too long, or the reserved "individual")."""


def clean_name(text: str) -> str:
    """One line, single spaces; refused when empty, too long or reserved."""
    # Control characters (NUL among them: PostgreSQL refuses it in text) are never part of a name.
    name = " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())
    if not name or len(name) > NAME_LIMIT:
        raise BadName("length")
    if name.casefold() == INDIVIDUAL:
        raise BadName("reserved")
    return name


def name_key(name: str) -> str:
    """The same organization however it is capitalised or spaced."""
    return " ".join(name.split()).casefold()


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year in UTC, as [start, end)."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def needed(held: int) -> int:
    """How many of `held` meetings meet the 50% ask (half, rounded up)."""
    return (held + 1) // 2


@dataclass(frozen=True)
class Figure:
    """One organization's attendance in one year."""

    organization: str
    attended: int
    held: int

    @property
    def meets_ask(self) -> bool:
        return self.held > 0 and self.attended >= needed(self.held)

    @property
    def needed(self) -> int:
        return needed(self.held)


@dataclass(frozen=True)
class Report:
    year: int
    held: int
    figures: tuple[Figure, ...]


def sort_figures(figures: list[Figure]) -> tuple[Figure, ...]:
    """Below the ask first (whom staff may want to check in with), then by name."""
    return tuple(sorted(figures, key=lambda f: (f.meets_ask, f.organization.casefold())))
