"""Conflicts of interest: pure rules (no discord, no sqlalchemy, no db).

Everything here works on plain values (keys, ints, strings) so it can be tested
without a Discord connection: tag changes and their wording, the moderators' list
split into pages, parsing the waiting room's categories, permission-overwrite
arithmetic for the waiting room, and the meeting opening text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.i18n import t, t_server, tn, tn_server
from cogs.coi import texts

# Discord permission bits the waiting room denies (same values as Discord's API).
VIEW_CHANNEL = 1 << 10
CONNECT = 1 << 20
SPEAK = 1 << 21
WAITING_ROOM_DENY = VIEW_CHANNEL | CONNECT | SPEAK

MESSAGE_LIMIT = 2000
PAGE_LIMIT = 1900  # leaves room for the "Page k of N" line
SELECT_OPTION_LIMIT = 100
MAX_CHOICES = 25
# What a moderator marks a meeting as when opening it: only monthly Coalition meetings count for attendance.
MEETING_MONTHLY = "monthly"
MEETING_OTHER = "other"
MEETING_KINDS = (MEETING_MONTHLY, MEETING_OTHER)


class CoiError(Exception):
    """A domain problem with a message meant for the person."""


class UnknownCategories(CoiError):
    pass


@dataclass(frozen=True)
class Category:
    """A COI category as the logic needs it (mirrors bot.content.CoiCategory)."""

    key: str
    label: str
    display: str


# --- self-tagging -----------------------------------------------------------------


@dataclass(frozen=True)
class TagChange:
    added: frozenset[str] = field(default_factory=frozenset)
    removed: frozenset[str] = field(default_factory=frozenset)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def diff_tags(current: Iterable[str], wanted: Iterable[str]) -> TagChange:
    cur, want = set(current), set(wanted)
    return TagChange(frozenset(want - cur), frozenset(cur - want))


def ordered_labels(keys: Iterable[str], categories: Sequence[Category]) -> list[str]:
    """Labels of `keys` in the content's order (unknown keys are skipped)."""
    wanted = set(keys)
    return [c.display for c in categories if c.key in wanted]


def human_join(items: Sequence[str], *, server: bool = False) -> str:
    """"a, b and c" in the current person's language (`server`: in the server's, for public/moderators)."""
    say = t_server if server else t
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return say(texts.LIST_SEPARATOR).join(items[:-1]) + say(texts.AND) + items[-1]


def tag_confirmation(change: TagChange, now_held: Iterable[str], categories: Sequence[Category]) -> str:
    """What the member sees after saving their selection (their own language)."""
    held = ordered_labels(now_held, categories)
    if not change.changed:
        first = t(texts.NOTHING_CHANGED)
    else:
        sentences = [t(texts.SAVED)]
        if change.added:
            sentences.append(t(texts.ADDED, labels=human_join(ordered_labels(change.added, categories))))
        if change.removed:
            sentences.append(t(texts.REMOVED, labels=human_join(ordered_labels(change.removed, categories))))
        first = " ".join(sentences)
    now = t(texts.NOW_HELD, labels=human_join(held)) if held else t(texts.NONE_HELD)
    return "\n".join([first, now, t(texts.CHANGE_ANY_TIME)])


def announcement(mention: str, change: TagChange, categories: Sequence[Category]) -> str | None:
    """The public line for the COI channel, or None when nothing was added or removed. Always in the
    server's language: in the declarer's own, it would tell everyone something about them."""
    added = ordered_labels(change.added, categories)
    removed = ordered_labels(change.removed, categories)
    if added and removed:
        return t_server(texts.ANNOUNCE_ADDED_AND_REMOVED, mention=mention, added=human_join(added, server=True),
                        removed=human_join(removed, server=True))
    if added:
        return t_server(texts.ANNOUNCE_ADDED, mention=mention, added=human_join(added, server=True))
    if removed:
        return t_server(texts.ANNOUNCE_REMOVED, mention=mention, removed=human_join(removed, server=True))
    return None


def new_role_ids(current: Iterable[int], coi_role_ids: Iterable[int], wanted_role_ids: Iterable[int]) -> list[int]:
    """The member's full role list: non-COI roles untouched, COI roles exactly `wanted`."""
    coi = set(coi_role_ids)
    kept = [r for r in current if r not in coi]
    return kept + [r for r in wanted_role_ids if r not in kept]


def option_description(category: Category) -> str | None:
    """The full label under a select option, when it differs and fits (<= 100 chars)."""
    if category.label == category.display:
        return None
    if len(category.label) <= SELECT_OPTION_LIMIT:
        return category.label
    return category.label[: SELECT_OPTION_LIMIT - 1] + "…"


# --- the moderators' list -------------------------------------------------------------


def holder_pages(groups: Sequence[tuple[str, Sequence[str]]], limit: int = PAGE_LIMIT) -> list[str]:
    """Split "category -> member lines" into pages of at most `limit` characters.

    A category split across pages repeats its heading with "(continued)". Every
    category appears, even with nobody in it, so the list is complete.
    """
    pages: list[str] = []
    current: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal current, size
        if current:
            pages.append("\n".join(current))
        current, size = [], 0

    def add(line: str) -> None:
        nonlocal size
        line = line[: limit]
        extra = len(line) + (1 if current else 0)
        if size + extra > limit:
            flush()
            extra = len(line)
        current.append(line)
        size += extra

    for title, lines in groups:
        heading = t_server(texts.HOLDER_HEADING, title=title, count=len(lines))
        # Keep a heading together with at least its first line.
        first = lines[0] if lines else t_server(texts.NOBODY_IN_CATEGORY)
        if current and size + len(heading) + len(first) + 2 > limit:
            flush()
        add(heading)
        for line in lines or [t_server(texts.NOBODY_IN_CATEGORY)]:
            if size + len(line) + 1 > limit:
                flush()
                add(t_server(texts.HOLDER_CONTINUED, title=title))
            add(line)
    flush()
    if not pages:
        pages.append(t_server(texts.NOBODY_DECLARED))
    total = len(pages)
    if total > 1:
        pages = [f"{page}\n\n{t_server(texts.PAGE_OF, page=i, total=total)}" for i, page in enumerate(pages, 1)]
    return pages


def clamp_page(page: int, total: int) -> int:
    return max(0, min(page, total - 1))


# --- choosing categories (waiting room, list) ----------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").split())


def match_category(token: str, categories: Sequence[Category]) -> Category | None:
    want = _norm(token)
    if not want:
        return None
    for c in categories:
        if want in (_norm(c.key), _norm(c.label), _norm(c.display)):
            return c
    return None


def parse_categories(text: str, categories: Sequence[Category]) -> list[str]:
    """Comma-separated keys or labels (or "all") -> keys in content order.

    Raises UnknownCategories naming what was not understood and what is valid.
    """
    tokens = [t.strip() for t in text.replace(";", ",").split(",")]
    tokens = [t for t in tokens if t]
    if not tokens:
        raise UnknownCategories(t_server(texts.CHOOSE_ONE_CATEGORY, valid=_valid(categories)))
    if any(_norm(t) == "all" for t in tokens):
        return [c.key for c in categories]
    keys: set[str] = set()
    unknown: list[str] = []
    for token in tokens:
        found = match_category(token, categories)
        if found is None:
            unknown.append(token)
        else:
            keys.add(found.key)
    if unknown:
        shown = t_server(texts.LIST_SEPARATOR).join(f'"{u[:40]}"' for u in unknown[:5])
        raise UnknownCategories(tn_server(texts.UNKNOWN_CATEGORY, len(unknown), shown=shown, valid=_valid(categories)))
    return [c.key for c in categories if c.key in keys]


def _valid(categories: Sequence[Category]) -> str:
    return t_server(texts.VALID_CATEGORIES, keys=t_server(texts.LIST_SEPARATOR).join(f"`{c.key}`" for c in categories))


def suggest_categories(current: str, categories: Sequence[Category]) -> list[tuple[str, str]]:
    """Autocomplete for a comma-separated list: complete the last part being typed.

    Returns (name shown, value) pairs, at most 25, each at most 100 characters.
    """
    parts = [p.strip() for p in current.split(",")]
    done, typing = parts[:-1], parts[-1] if parts else ""
    chosen: list[Category] = []
    for token in done:
        found = match_category(token, categories)
        if found is not None and found not in chosen:
            chosen.append(found)
    prefix_keys = [c.key for c in chosen]
    out: list[tuple[str, str]] = []
    want = _norm(typing)
    if not done and want in ("", "a", "al", "all"):
        out.append((t_server(texts.ALL_CATEGORIES), "all"))
    for c in categories:
        if c in chosen:
            continue
        if want and want not in _norm(c.key) and want not in _norm(c.display) and want not in _norm(c.label):
            continue
        value = ", ".join([*prefix_keys, c.key])
        names = [*(x.display for x in chosen), c.display]
        name = " + ".join(names)
        if len(name) > 100:
            name = name[:99] + "…"
        if len(value) <= 100:
            out.append((name, value))
    return out[:MAX_CHOICES]


# --- waiting room ------------------------------------------------------------------------

Pair = tuple[int, int]  # (allow, deny)


def restricted(previous: Pair | None) -> Pair:
    """Merge the waiting room's denials into an existing overwrite (or none)."""
    allow, deny = previous if previous is not None else (0, 0)
    return allow & ~WAITING_ROOM_DENY, deny | WAITING_ROOM_DENY


def encode_previous(previous: Mapping[int, Pair | None]) -> dict[str, dict[str, int] | None]:
    """Store "what to restore" as JSON: role id -> {"allow", "deny"} or None (no overwrite)."""
    return {str(rid): (None if pair is None else {"allow": pair[0], "deny": pair[1]})
            for rid, pair in previous.items()}


def decode_previous(stored: Mapping[str, object]) -> dict[int, Pair | None]:
    out: dict[int, Pair | None] = {}
    for rid, value in stored.items():
        if isinstance(value, dict):
            out[int(rid)] = (int(value.get("allow", 0)), int(value.get("deny", 0)))
        else:
            out[int(rid)] = None
    return out


def expiry(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)


def validate_minutes(minutes: int | None, default: int, maximum: int = 24 * 60) -> int:
    if minutes is None:
        return default
    if minutes < 1 or minutes > maximum:
        raise CoiError(t_server(texts.MINUTES_OUT_OF_RANGE, maximum=maximum, minutes=minutes))
    return minutes


def is_due(expires_at: datetime, now: datetime) -> bool:
    return expires_at <= now


def waiting_room_notice(labels: Sequence[str], minutes: int) -> str:
    """The public notice in the channel's chat: no names, ever."""
    return t_server(texts.ROOM_NOTICE, labels=human_join(list(labels), server=True), minutes=minutes)


def waiting_room_ended_notice() -> str:
    return t_server(texts.ROOM_ENDED_NOTICE)


def unmanageable(roles: Sequence[tuple[str, int]], bot_top_position: int) -> list[str]:
    """Names of roles the bot cannot assign: at or above its own highest role."""
    return [name for name, position in roles if position >= bot_top_position]


def hierarchy_message(role_names: Sequence[str], bot_role_name: str) -> str:
    """Told to the member whose roles could not be set (their language)."""
    names = human_join([f"'{n}'" for n in role_names])
    return tn(texts.HIERARCHY, len(role_names), names=names, bot_role=bot_role_name)


# --- meeting opening ------------------------------------------------------------------------


def meeting_opening(introductions: str, notetaker: str, reminders_title: str, reminders: Sequence[str],
                    limit: int = 4000) -> str:
    """The opening posted at the start of a meeting (fits in one embed description)."""
    lines = [
        t_server(texts.OPENING_INTRODUCTIONS),
        introductions,
        "",
        t_server(texts.OPENING_NOTETAKER),
        notetaker,
        "",
        t_server(texts.OPENING_REMINDERS, title=reminders_title),
        *(t_server(texts.OPENING_REMINDER_LINE, reminder=r) for r in reminders),
    ]
    if not any("/acronym" in r for r in reminders):
        lines += ["", t_server(texts.OPENING_ACRONYMS), t_server(texts.OPENING_ACRONYMS_TEXT)]
    text = "\n".join(lines)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def notetaker_line(mention: str | None) -> str:
    if mention is None:
        return t_server(texts.NOTETAKER_NEEDED)
    return t_server(texts.NOTETAKER_IS, mention=mention)


def meeting_closed(mention: str | None) -> str:
    if mention is None:
        return t_server(texts.MEETING_CLOSED_NO_NOTES)
    return t_server(texts.MEETING_CLOSED_WITH_NOTES, mention=mention)


def notetaker_taken(name: str, is_you: bool) -> str:
    if is_you:
        return t(texts.ALREADY_YOU)  # a private thank-you to who clicked
    return t(texts.ALREADY_SOMEONE, name=name)
