"""Repair & justice requests: the pure rules.

The case state machine, the abuse limits, the ack-reminder deadline, where a case is
routed, the compact custom_id encoding of a filing in progress, and the transcript
text. No discord, no sqlalchemy, no database: the cog feeds plain values in. Sentences for the
person asking for repair are rendered in their language (`t`), those for moderators (refused
transitions, the transcript) in the server's (`t_server`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.i18n import t, t_server, tn
from bot.plaintext import clip, defuse_mass_mentions, pack_pages, plain
from cogs.repair import texts
from cogs.repair.texts import ACTION_LABELS, STATUS_LABELS

# re-exported (the one clip and escaper live in bot.plaintext); the labels are declared with the other words in texts
__all__ = ["ACTION_LABELS", "STATUS_LABELS", "clip", "defuse_mass_mentions", "plain"]

# --- statuses and actions ---------------------------------------------------------


class Status(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


OPEN_STATUSES: frozenset[str] = frozenset(
    {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED}
)
FINISHED_STATUSES: frozenset[str] = frozenset({Status.RESOLVED, Status.CLOSED})



class Action(StrEnum):
    ACKNOWLEDGE = "ack"
    ASSIGN = "assign"
    REPLY = "reply"
    NOTE = "note"
    CLOSE = "close"
    REOPEN = "reopen"




class InvalidTransition(Exception):
    """The action does not fit the case's current status; `str()` is a kind message."""


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def next_status(status: str, action: Action | str, *, outcome: str | None = None,
                assignee_id: int | None = None, actor_id: int | None = None) -> str:
    """The status after `action`, or InvalidTransition explaining why it cannot happen.

    submitted → acknowledged → in progress → resolved / closed; a finished case can be
    reopened, and a reopened case goes through the same steps again.
    """
    action = Action(action)
    if status not in OPEN_STATUSES and status not in FINISHED_STATUSES:
        raise InvalidTransition(t_server(texts.STATUS_UNKNOWN, status=status))
    finished = status in FINISHED_STATUSES
    if action is Action.NOTE:
        return status  # notes are allowed at any time
    if action is Action.REOPEN:
        if not finished:
            raise InvalidTransition(t_server(texts.NOTHING_TO_REOPEN))
        return Status.REOPENED
    if finished:
        raise InvalidTransition(t_server(texts.ALREADY_CLOSED))
    if action is Action.ACKNOWLEDGE:
        if status in (Status.SUBMITTED, Status.REOPENED):
            return Status.ACKNOWLEDGED
        raise InvalidTransition(t_server(texts.ALREADY_ACKNOWLEDGED))
    if action is Action.ASSIGN:
        if assignee_id is not None and actor_id is not None and assignee_id == actor_id \
                and status == Status.IN_PROGRESS:
            raise InvalidTransition(t_server(texts.ALREADY_YOURS))
        return Status.IN_PROGRESS
    if action is Action.REPLY:
        return status
    # CLOSE
    if outcome not in (Status.RESOLVED, Status.CLOSED):
        raise InvalidTransition(t_server(texts.CHOOSE_OUTCOME))
    return outcome


# --- abuse limits ------------------------------------------------------------------


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    reason: str = ""
    retry_at: datetime | None = None


def check_filing_limits(*, open_count: int, last_filed_at: datetime | None, now: datetime,
                        max_open: int, cooldown_minutes: float) -> LimitDecision:
    """At most `max_open` open cases per member, and a pause between two requests (the reason in the
    language of the person filing)."""
    if open_count >= max_open:
        return LimitDecision(False, tn(texts.TOO_MANY_OPEN, open_count, max_open=max_open))
    if last_filed_at is not None and cooldown_minutes > 0:
        retry_at = last_filed_at + timedelta(minutes=cooldown_minutes)
        if now < retry_at:
            # "1 minute", "1.5 minutes": the one form only for exactly one.
            count = 1 if cooldown_minutes == 1 else 2
            return LimitDecision(False, tn(texts.COOLDOWN, count, minutes=f"{cooldown_minutes:g}",
                                           retry=discord_time(retry_at)), retry_at)
    return LimitDecision(True)


RELAY_BURST_SECONDS = 60


class RelayLimiter:
    """Per requester (their blind index): at most `burst` relayed DMs a minute and `per_hour` an
    hour; the rest are held (kept in the case log, not posted one by one)."""

    def __init__(self, burst: int = 5, per_hour: int = 20) -> None:
        self.burst, self.per_hour = burst, per_hour
        self.sent: dict[str, deque[datetime]] = {}

    def allow(self, key: str, now: datetime) -> bool:
        times = self.sent.setdefault(key, deque())
        while times and now - times[0] >= timedelta(hours=1):
            times.popleft()
        recent = sum(1 for t in times if now - t < timedelta(seconds=RELAY_BURST_SECONDS))
        if recent >= self.burst or len(times) >= self.per_hour:
            return False
        times.append(now)
        return True


def plain_pieces(text: str, limit: int) -> list[str]:
    """`text` shown as typed (`plain`), in pieces of at most `limit` characters, cut at line breaks
    where it can and never losing a character. Each piece is escaped on its own, so a cut never
    separates an escape from what it escapes; a raw piece of `(limit - 2) // 2` characters always
    fits once escaped (escaping at most doubles it, plus one at a line start)."""
    raw = max(1, (limit - 2) // 2)
    lines: list[str] = []
    for line in text.split("\n"):
        while len(plain(line)) > limit:
            cut = line.rfind(" ", 0, raw) + 1 or raw  # after the last space that fits, else hard
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return pack_pages((plain(line) for line in lines), limit) or [""]


def discord_time(moment: datetime) -> str:
    """A Discord timestamp that shows in each reader's time zone ("in 5 minutes")."""
    return f"<t:{int(moment.timestamp())}:R>"


def ack_reminder_due(*, status: str, created_at: datetime, reminded_at: datetime | None, routed: bool,
                     now: datetime, hours: float) -> bool:
    """One reminder when a routed case sits unacknowledged past the deadline."""
    return (routed and reminded_at is None and status == Status.SUBMITTED
            and now >= created_at + timedelta(hours=hours))


# --- routing -----------------------------------------------------------------------


class RouteKind(StrEnum):
    THREAD = "thread"
    CHANNEL = "channel"
    WAIT = "wait"


class Audience(StrEnum):
    MODERATORS = "moderators"
    ALTERNATES = "alternates"


@dataclass(frozen=True)
class RouteFacts:
    """What the cog found in the server, as plain facts."""

    available_moderators: int  # moderators who are not excluded
    moderators_channel: bool
    alternate_role: bool
    alternate_channel: bool
    # For the chosen parent channel (filled by the cog after `route_parent`):
    can_create_private_threads: bool = True
    excluded_can_see_private_threads: bool = False
    can_create_channels: bool = True


@dataclass(frozen=True)
class RoutePlan:
    kind: RouteKind
    audience: Audience = Audience.MODERATORS
    # "moderators" or "alternates": the channel the thread goes under / beside.
    parent: str = "moderators"
    blocked: str | None = None  # why we wait (for a one-time notice)


def route_parent(facts: RouteFacts) -> tuple[Audience, str | None]:
    """Who should handle the case and which configured channel it hangs off (None: nowhere yet)."""
    if facts.available_moderators > 0:
        return Audience.MODERATORS, ("moderators" if facts.moderators_channel else None)
    if facts.alternate_channel:
        return Audience.ALTERNATES, "alternates"
    if facts.alternate_role and facts.moderators_channel:
        return Audience.ALTERNATES, "moderators"
    return Audience.ALTERNATES, None


def plan_route(facts: RouteFacts) -> RoutePlan:
    """A private thread when that hides the case from excluded moderators, else a private channel.

    Discord shows every private thread to people with Manage Threads, so when an excluded
    moderator has it the case gets its own channel with a deny for them instead. When only an
    alternate-reviewers role is configured (no channel), the case gets a channel too, since a
    thread in the moderators' channel would be visible to the excluded moderators.
    """
    audience, parent = route_parent(facts)
    if parent is None:
        blocked = "no_moderators_channel" if audience is Audience.MODERATORS else "no_alternates"
        return RoutePlan(RouteKind.WAIT, audience, "moderators", blocked)
    needs_channel = (
        not facts.can_create_private_threads
        or facts.excluded_can_see_private_threads
        or (audience is Audience.ALTERNATES and parent == "moderators")
    )
    if not needs_channel:
        return RoutePlan(RouteKind.THREAD, audience, parent)
    if facts.can_create_channels:
        return RoutePlan(RouteKind.CHANNEL, audience, parent)
    return RoutePlan(RouteKind.WAIT, audience, parent, "missing_permission")


def case_channel_name(number: int) -> str:
    """The thread/channel name: the case number only, never anything about the requester."""
    return f"case-{number}"


# --- the filing in progress, carried in custom_ids ---------------------------------

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_EXCLUDED = 5


def to_b36(value: int) -> str:
    if value < 0:
        raise ValueError("negative IDs do not exist")
    if value == 0:
        return "0"
    digits = []
    while value:
        value, rest = divmod(value, 36)
        digits.append(_B36[rest])
    return "".join(reversed(digits))


def from_b36(text: str) -> int:
    return int(text, 36)


@dataclass(frozen=True)
class Filing:
    """A request being filed: which server, named or anonymous, who must not handle it."""

    guild_id: int
    anonymous: bool = False
    excluded: tuple[int, ...] = field(default_factory=tuple)


# --- text helpers --------------------------------------------------------------------

def who(display_name: str, username: str) -> str:
    """'Display Name (@username)': the username tells look-alike display names apart."""
    return t(texts.WHO, display_name=plain(display_name), username=plain(username))


def clean(text: str | None) -> str | None:
    """Strip whitespace; empty answers count as 'not given'."""
    if text is None:
        return None
    text = text.strip()
    return text or None


# --- transcript -------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptEvent:
    at: datetime
    who: str
    kind: str
    body: str | None = None


@dataclass(frozen=True)
class TranscriptCase:
    number: int
    status: str
    requester: str  # a name, or "Anonymous requester"
    created_at: datetime
    what_happened: str
    who_involved: str | None = None
    what_would_help: str | None = None
    content_warning: str | None = None
    resolution: str | None = None
    assignee: str | None = None


EVENT_LABELS = texts.EVENT_LABELS


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def transcript(case: TranscriptCase, events: Sequence[TranscriptEvent]) -> str:
    """A plain-text record of a case and its event log, for moderators."""
    status = t_server(STATUS_LABELS[case.status]) if case.status in STATUS_LABELS else case.status
    lines = [t_server(texts.TRANSCRIPT_HEAD, number=case.number, status=status, requester=case.requester,
                      filed=_stamp(case.created_at))]
    if case.assignee:
        lines.append(t_server(texts.TRANSCRIPT_ASSIGNEE, assignee=case.assignee))
    lines.append("")
    sections: Iterable[tuple[str, str | None]] = (
        ("cw", case.content_warning),
        ("what", case.what_happened),
        ("who", case.who_involved),
        ("help", case.what_would_help),
        ("resolution", case.resolution),
    )
    for key, body in sections:
        if body:
            lines += [f"== {t_server(texts.TRANSCRIPT_SECTIONS[key])} ==", body, ""]
    lines.append(t_server(texts.TRANSCRIPT_LOG))
    for event in events:
        label = t_server(EVENT_LABELS[event.kind]) if event.kind in EVENT_LABELS else event.kind
        lines.append(f"[{_stamp(event.at)}] {event.who}: {label}")
        if event.body:
            lines += [f"    {line}" for line in event.body.splitlines()]
    return "\n".join(lines) + "\n"


# --- plain pictures of a case, for rendering ----------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """Decrypted case data needed to render the summary (never stored like this)."""

    case_id: int
    number: int
    status: str
    anonymous: bool
    requester_id: int | None  # None for an anonymous case, or a named requester who erased their data
    what_happened: str
    who_involved: str | None
    what_would_help: str | None
    content_warning: str | None
    resolution: str | None
    assignee_id: int | None
    excluded_ids: tuple[int, ...]
    created_at: datetime
    for_alternates: bool = False
    guild_id: int = 0
    thread_id: int | None = None
    summary_message_id: int | None = None


def keep_moderators(picked: Iterable[int], moderator_ids: Iterable[int]) -> tuple[int, ...]:
    """Exclusions come from a select or a custom_id a modified client can write: keep only
    moderators of that server, at most MAX_EXCLUDED, in the order given, without repeats."""
    allowed = set(moderator_ids)
    kept: list[int] = []
    for user_id in picked:
        if user_id in allowed and user_id not in kept:
            kept.append(user_id)
    return tuple(kept[:MAX_EXCLUDED])


def hours_waited(created_at: datetime, now: datetime) -> int:
    return max(1, int((now - created_at) / timedelta(hours=1)))
