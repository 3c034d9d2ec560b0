"""Access needs: the pure rules (no discord, no database). Needs and statuses are declared here, once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from bot.plaintext import clip


class Need(StrEnum):
    CAPTIONS = "captions"
    NOTETAKER = "notetaker"
    RECORDING = "recording"
    MATERIALS = "materials"
    SPANISH = "spanish"
    OTHER = "other"


NEEDS: tuple[Need, ...] = tuple(Need)


class Status(StrEnum):
    RECEIVED = "received"
    ARRANGED = "arranged"
    NOT_POSSIBLE = "not_possible"


DECISIONS = (Status.ARRANGED, Status.NOT_POSSIBLE)  # a moderator's answer; each is final
DETAIL_LIMIT = 500  # characters: a short detail, shown in full on the case summary
MAX_OPEN = 3  # requests one person may have waiting for an answer at once


class AlreadyAnswered(ValueError):
    """The request has its answer already (a second answer, or a double click)."""


def parse_needs(keys: Iterable[str]) -> tuple[Need, ...]:
    """The needs picked, in the order of NEEDS, without unknown keys or repeats (a forged value is dropped)."""
    picked = {k for k in keys}
    return tuple(n for n in NEEDS if n.value in picked)


def encode_needs(needs: Sequence[Need]) -> str:
    return ",".join(n.value for n in needs)


def decode_needs(stored: str) -> tuple[Need, ...]:
    return parse_needs(stored.split(","))


def clean_detail(text: str | None) -> str | None:
    """The optional detail, trimmed and clipped to its limit (None: nothing written)."""
    cleaned = (text or "").strip()
    return clip(cleaned, DETAIL_LIMIT) if cleaned else None


def decide(status: str, decision: Status) -> Status:
    """The new status after a moderator's answer; AlreadyAnswered once it has one."""
    if decision not in DECISIONS:
        raise ValueError(f"not a decision: {decision!r}")
    if status != Status.RECEIVED:
        raise AlreadyAnswered(status)
    return decision


def place_name(number: int) -> str:
    """The private thread's (or channel's) name: no person's name in it."""
    return f"access-{number}"
