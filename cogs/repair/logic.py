"""Repair & justice requests: the pure rules.

The case state machine, the abuse limits, the ack-reminder deadline, where a case is
routed, the compact custom_id encoding of a filing in progress, and the transcript
text. No discord, no sqlalchemy, no database: the cog feeds plain values in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.plaintext import defuse_mass_mentions, plain

__all__ = ["defuse_mass_mentions", "plain"]  # re-exported: the cog and views use logic.plain

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

STATUS_LABELS: dict[str, str] = {
    Status.SUBMITTED: "Submitted — waiting for a moderator",
    Status.ACKNOWLEDGED: "Acknowledged",
    Status.IN_PROGRESS: "In progress",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
    Status.REOPENED: "Reopened",
}


class Action(StrEnum):
    ACKNOWLEDGE = "ack"
    ASSIGN = "assign"
    REPLY = "reply"
    NOTE = "note"
    CLOSE = "close"
    REOPEN = "reopen"


ACTION_LABELS: dict[str, str] = {
    Action.ACKNOWLEDGE: "Acknowledge",
    Action.ASSIGN: "Assign to me",
    Action.REPLY: "Reply to requester",
    Action.NOTE: "Add note",
    Action.CLOSE: "Close with resolution",
    Action.REOPEN: "Reopen",
}


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
        raise InvalidTransition(f"This case has an unknown status ({status}); please ask an administrator.")
    finished = status in FINISHED_STATUSES
    if action is Action.NOTE:
        return status  # notes are allowed at any time
    if action is Action.REOPEN:
        if not finished:
            raise InvalidTransition("This case is still open, so there is nothing to reopen.")
        return Status.REOPENED
    if finished:
        raise InvalidTransition(
            "This case is already closed. If it needs more work, press **Reopen** first."
        )
    if action is Action.ACKNOWLEDGE:
        if status in (Status.SUBMITTED, Status.REOPENED):
            return Status.ACKNOWLEDGED
        raise InvalidTransition("This case has already been acknowledged — no need to do it again.")
    if action is Action.ASSIGN:
        if assignee_id is not None and actor_id is not None and assignee_id == actor_id \
                and status == Status.IN_PROGRESS:
            raise InvalidTransition("This case is already assigned to you.")
        return Status.IN_PROGRESS
    if action is Action.REPLY:
        return status
    # CLOSE
    if outcome not in (Status.RESOLVED, Status.CLOSED):
        raise InvalidTransition("Please choose whether the case is resolved or closed without resolution.")
    return outcome


# --- abuse limits ------------------------------------------------------------------


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    reason: str = ""
    retry_at: datetime | None = None


def check_filing_limits(*, open_count: int, last_filed_at: datetime | None, now: datetime,
                        max_open: int, cooldown_minutes: float) -> LimitDecision:
    """At most `max_open` open cases per member, and a pause between two requests."""
    if open_count >= max_open:
        plural = "request" if max_open == 1 else "requests"
        return LimitDecision(
            False,
            f"You already have {open_count} open repair {plural} with the moderators, which is the most "
            f"one person can have open at a time ({max_open}). You can file a new one as soon as one of them "
            "is closed. You can still send more to an open case: just write to me here in a direct message.",
        )
    if last_filed_at is not None and cooldown_minutes > 0:
        retry_at = last_filed_at + timedelta(minutes=cooldown_minutes)
        if now < retry_at:
            return LimitDecision(
                False,
                "You filed a request a few minutes ago. To keep things manageable for everyone, there is a "
                f"short pause of {cooldown_minutes:g} minutes between requests. You can file again "
                f"{discord_time(retry_at)}. If you want to add to your request, write to me here in a direct "
                "message and I'll pass it on.",
                retry_at,
            )
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

    def encode(self, prefix: str) -> str:
        """E.g. 'repair:file:<guild>:<n|a>:<id.id>' — at most 94 characters with 5 exclusions."""
        ex = ".".join(to_b36(i) for i in self.excluded[:MAX_EXCLUDED])
        return f"{prefix}:{to_b36(self.guild_id)}:{'a' if self.anonymous else 'n'}:{ex}"

    @classmethod
    def decode(cls, guild: str, mode: str, excluded: str) -> Filing:
        ids = tuple(from_b36(part) for part in excluded.split(".") if part)
        return cls(from_b36(guild), mode == "a", ids[:MAX_EXCLUDED])


FILING_PATTERN = r"(?P<guild>[0-9a-z]{1,13}):(?P<mode>[na]):(?P<excluded>[0-9a-z.]{0,70})"


# --- text helpers --------------------------------------------------------------------

def who(display_name: str, username: str) -> str:
    """'Display Name (@username)': the username tells look-alike display names apart."""
    return f"{plain(display_name)} (@{plain(username)})"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


EVENT_LABELS: dict[str, str] = {
    "filed": "filed the request",
    "routed": "the case reached the reviewers",
    "ack": "acknowledged the case",
    "assign": "took on the case",
    "reply": "replied to the requester",
    "note": "added a note",
    "close": "closed the case",
    "reopen": "reopened the case",
    "requester_message": "the requester wrote",
    "reminder": "reminder: not acknowledged yet",
}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def transcript(case: TranscriptCase, events: Sequence[TranscriptEvent]) -> str:
    """A plain-text record of a case and its event log, for moderators."""
    lines = [
        f"Repair case #{case.number}",
        f"Status: {STATUS_LABELS.get(case.status, case.status)}",
        f"Requester: {case.requester}",
        f"Filed: {_stamp(case.created_at)}",
    ]
    if case.assignee:
        lines.append(f"Assigned to: {case.assignee}")
    lines.append("")
    sections: Iterable[tuple[str, str | None]] = (
        ("Content warning / to know first", case.content_warning),
        ("What happened", case.what_happened),
        ("Who was involved", case.who_involved),
        ("What would help repair", case.what_would_help),
        ("Resolution", case.resolution),
    )
    for title, body in sections:
        if body:
            lines += [f"== {title} ==", body, ""]
    lines.append("== Event log ==")
    for event in events:
        label = EVENT_LABELS.get(event.kind, event.kind)
        lines.append(f"[{_stamp(event.at)}] {event.who}: {label}")
        if event.body:
            lines += [f"    {line}" for line in event.body.splitlines()]
    return "\n".join(lines) + "\n"
