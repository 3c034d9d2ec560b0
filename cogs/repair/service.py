"""Repair & justice requests: the use cases, with no Discord in them.

Plain values in (server, person, case, action, typed text, facts the adapter read from Discord such
as "is a moderator"), plain results out (a filed case, a changed case and what to tell whom). The
service owns the sessions, the clock, the cipher and the content; the cogs and buttons call it and
render what it returns (cogs/repair/views.py).

Anonymity: for an anonymous case the requester's ID only exists encrypted (`requester_enc`) and as
a keyed hash (`requester_index`). Results that carry the requester's ID (to send them a DM) say so
in their field names; nothing here logs a person's ID or typed text.

Languages: refusals to the person filing or writing are rendered in theirs (`t`: the pipeline or
the relay has set it); refusals to moderators in the server's (`t_server`). What the requester is
told about their case is a `Letter` (data), rendered by the caller in the requester's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.errors import MODERATORS_ONLY, BadInput, Conflict, NotAllowed, NotFound
from bot.i18n import t, t_server
from bot.services import ServiceKey
from bot.settings import RepairSection
from cogs.repair import logic, texts
from cogs.repair.logic import Action, CaseSummary, Filing, InvalidTransition, Status
from db.crypto import DataCipher
from db.models import RepairCase
from db.repositories import audit
from db.repositories import repair as repo

log = logging.getLogger(__name__)

MODAL_ACTIONS = frozenset({Action.REPLY, Action.NOTE, Action.CLOSE})  # actions that need typed text first
FORM_LIMITS = {"what": 3000, "who": 500, "help": 1000, "cw": 300}
RELAY_LIMIT = 4000


@dataclass(frozen=True)
class Reviewer:
    """Someone acting on a case, as the facts the adapter read from Discord."""

    user_id: int
    guild_id: int
    is_moderator: bool
    is_alternate: bool  # holds the server's alternate reviewers role


@dataclass(frozen=True)
class Source:
    """Where a case button was clicked (the message and channel it sits on)."""

    message_id: int | None
    channel_id: int | None


@dataclass(frozen=True)
class Filed:
    case_id: int
    number: int
    anonymous: bool
    excluded: tuple[int, ...]


@dataclass(frozen=True)
class Refused:
    """The filing was not saved; `reason` is the kind sentence, the person gets their text back."""

    reason: str


@dataclass(frozen=True)
class Letter:
    """What the requester is told about their case (texts.TO_REQUESTER[key]), as data: the caller
    renders it in the requester's language (views.letter_pages)."""

    key: str
    number: int
    text: str | None  # the moderators' words, as typed (shown escaped)
    resource: str


@dataclass(frozen=True)
class ActionDone:
    case: CaseSummary
    action: Action
    event_id: int
    text: str | None  # the moderator's typed text (reply, note, resolution)
    on_summary: bool  # clicked on the case's summary itself (so it is re-rendered in place)
    requester_id: int | None  # whom to send `to_requester` (None: nobody to tell)
    to_requester: Letter | None


@dataclass(frozen=True)
class CaseRef:
    case_id: int
    guild_id: int
    number: int
    status: str
    anonymous: bool
    created_at: datetime
    thread_id: int | None


@dataclass(frozen=True)
class Relayed:
    case: CaseSummary
    event_id: int
    held: bool  # over the relay limit: kept in the case log, shown as one "(N more held)" line
    text: str


@dataclass(frozen=True)
class Waiting:
    """Messages to a requester that could not be delivered yet, for one case."""

    case_id: int
    number: int
    event_ids: list[int]
    letters: list[Letter]


@dataclass(frozen=True)
class Reminder:
    case_id: int
    guild_id: int
    number: int
    hours: int
    for_alternates: bool


@dataclass(frozen=True)
class EarlyMessage:
    event_id: int
    actor_id: int | None
    text: str


class SummaryBoard(Protocol):
    """The Discord side that shows a case's summary (registered by the repair cog)."""

    async def show_summary(self, case: CaseSummary) -> None: ...


def answers(values: dict[str, Any]) -> dict[str, str | None]:
    """The filing form's answers, trimmed and clipped to the form's limits (empty means not given)."""
    out: dict[str, str | None] = {}
    for key, limit in FORM_LIMITS.items():
        text = logic.clean(str(values.get(key) or ""))
        out[key] = logic.clip(text, limit) if text else None
    return out


class RepairService:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], cipher: DataCipher, clock: Clock,
                 settings: RepairSection, resource: str) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.clock = clock
        self.settings = settings
        self.resource = resource  # the support line closing a filing receipt and a closed case's message
        self.relay_limits = logic.RelayLimiter(settings.relay_per_minute, settings.relay_per_hour)
        self.board: SummaryBoard | None = None

    # --- identity ------------------------------------------------------------------------

    def index(self, guild_id: int, user_id: int) -> str:
        return self.cipher.blind_index(guild_id, str(user_id))

    def _requester_id(self, case: RepairCase) -> int | None:
        raw = self.cipher.decrypt_optional(case.requester_enc)
        return int(raw) if raw and raw.isdigit() else None

    def is_requester(self, case: RepairCase, user_id: int) -> bool:
        return case.requester_index is not None and case.requester_index == self.index(case.guild_id, user_id)

    def summary(self, case: RepairCase) -> CaseSummary:
        dec = self.cipher.decrypt_optional
        return CaseSummary(
            case_id=case.id, number=case.number, status=case.status, anonymous=case.anonymous,
            requester_id=None if case.anonymous else self._requester_id(case),
            what_happened=dec(case.what_happened_enc) or "", who_involved=dec(case.who_involved_enc),
            what_would_help=dec(case.what_would_help_enc), content_warning=dec(case.content_warning_enc),
            resolution=dec(case.resolution_enc), assignee_id=case.assignee_id,
            excluded_ids=tuple(case.excluded_moderator_ids or ()), created_at=case.created_at,
            for_alternates=case.routed_to_alternates, guild_id=case.guild_id, thread_id=case.thread_id,
            summary_message_id=case.summary_message_id,
        )

    @staticmethod
    def ref(case: RepairCase) -> CaseRef:
        return CaseRef(case.id, case.guild_id, case.number, case.status, case.anonymous, case.created_at,
                       case.thread_id)

    # --- filing ----------------------------------------------------------------------------

    async def _limits(self, session: AsyncSession, guild_id: int, user_id: int) -> logic.LimitDecision:
        index = self.index(guild_id, user_id)
        return logic.check_filing_limits(
            open_count=await repo.count_open(session, guild_id, index),
            last_filed_at=await repo.last_filed_at(session, guild_id, index),
            now=self.clock.now(), max_open=self.settings.max_open_per_member,
            cooldown_minutes=self.settings.cooldown_minutes,
        )

    async def check_may_file(self, guild_id: int, user_id: int) -> None:
        """Conflict (with the kind reason) when this person can't file another request right now."""
        async with self.sessions() as session:
            decision = await self._limits(session, guild_id, user_id)
        if not decision.allowed:
            raise Conflict(decision.reason)

    async def file(self, guild_id: int, user_id: int, filing: Filing,
                   given: dict[str, str | None]) -> Filed | Refused:
        """Save a request (limits checked again in the same transaction). `filing.excluded` must already
        be kept to the server's moderators (logic.keep_moderators)."""
        what = given.get("what")
        if not what:
            return Refused(t(texts.WHAT_MISSING))
        now = self.clock.now()
        enc = self.cipher.encrypt_optional
        async with self.sessions() as session, session.begin():
            decision = await self._limits(session, guild_id, user_id)
            if not decision.allowed:
                return Refused(t(texts.LIMIT_GIVE_BACK, reason=decision.reason))
            case = await repo.create_case(
                session, guild_id=guild_id, anonymous=filing.anonymous,
                requester_enc=self.cipher.encrypt(str(user_id)), requester_index=self.index(guild_id, user_id),
                what_happened_enc=self.cipher.encrypt(what), who_involved_enc=enc(given.get("who")),
                what_would_help_enc=enc(given.get("help")), content_warning_enc=enc(given.get("cw")),
                excluded_moderator_ids=list(filing.excluded), at=now,
            )
            # An anonymous case keeps no count: a moderator who files can't exclude themself, so
            # "every moderator but one" would point at them.
            await repo.add_event(session, case, kind="filed", at=now,
                                 actor_id=None if filing.anonymous else user_id,
                                 data={"anonymous": True} if filing.anonymous
                                 else {"anonymous": False, "excluded": len(filing.excluded)})
            return Filed(case.id, case.number, filing.anonymous, filing.excluded)

    # --- moderators acting on a case ---------------------------------------------------------

    def _check_may_handle(self, case: RepairCase | None, reviewer: Reviewer,
                          source: Source | None = None) -> RepairCase:
        """NotFound/NotAllowed unless `reviewer` may act on `case` (from `source`, when a button is used)."""
        if case is None or case.guild_id != reviewer.guild_id:
            raise NotFound(t_server(texts.CASE_GONE))
        is_alternate = case.routed_to_alternates and reviewer.is_alternate
        if not (reviewer.is_moderator or is_alternate):
            raise NotAllowed(MODERATORS_ONLY)
        if reviewer.user_id in set(case.excluded_moderator_ids or ()):
            raise NotAllowed(t_server(texts.EXCLUDED))
        if self.is_requester(case, reviewer.user_id):
            raise NotAllowed(t_server(texts.OWN_CASE))
        if source is not None:
            self._check_source(case, source)
        return case

    @staticmethod
    def _check_source(case: RepairCase, source: Source) -> None:
        if not RepairService._on_summary(case, source):
            raise NotAllowed(t_server(texts.WRONG_SUMMARY))

    @staticmethod
    def _on_summary(case: RepairCase, source: Source) -> bool:
        # Case buttons (and the forms they open) act only from the case's own summary, or from the
        # case's own place while its summary ID is being saved (a click can come a moment after the
        # summary appears). Message and channel IDs are never reused and a place belongs to one case,
        # so an old summary or a forged custom_id can't act on another case.
        on_summary = source.message_id is not None and source.message_id == case.summary_message_id
        in_place = source.channel_id is not None and case.thread_id is not None \
            and source.channel_id == case.thread_id and source.message_id is not None
        # While the ID is being saved, the message with the case's buttons in its place IS its summary:
        # re-render it in place like any other click on the summary (else it would stay as it was).
        return on_summary or (case.summary_message_id is None and in_place)

    @staticmethod
    def _check_reviewer(reviewer: Reviewer) -> None:
        # Before any lookup: a made-up case ID learns nothing.
        if not (reviewer.is_moderator or reviewer.is_alternate):
            raise NotAllowed(MODERATORS_ONLY)

    async def open_form(self, case_id: int, reviewer: Reviewer, source: Source, action: Action) -> CaseSummary:
        """Checks before a form for `action` opens (reply, note, close): the same as acting, minus the text."""
        self._check_reviewer(reviewer)
        async with self.sessions() as session:
            case = self._check_may_handle(await repo.get(session, case_id), reviewer, source)
        if action is not Action.NOTE:
            try:
                logic.next_status(case.status, action, outcome=Status.RESOLVED)
            except InvalidTransition as exc:
                raise Conflict(str(exc)) from None
        return self.summary(case)

    async def act(self, case_id: int, reviewer: Reviewer, source: Source, action: Action, *,
                  text: str | None = None, outcome: str | None = None) -> ActionDone:
        """One transaction: check, transition, event, audit. Returns what to show and whom to tell."""
        self._check_reviewer(reviewer)
        if action in MODAL_ACTIONS:
            text = logic.clean(text)
            if not text:
                raise BadInput(t_server(texts.EMPTY_TEXT))
        if action is Action.CLOSE and outcome is None:
            outcome = Status.RESOLVED
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            case = self._check_may_handle(await repo.locked(session, case_id), reviewer, source)
            try:
                status = logic.next_status(case.status, action, outcome=outcome, assignee_id=case.assignee_id,
                                           actor_id=reviewer.user_id)
            except InvalidTransition as exc:
                raise Conflict(str(exc)) from None
            event = await repo.record_action(session, case, action=action.value, status=status,
                                             actor_id=reviewer.user_id, at=now,
                                             body_enc=self.cipher.encrypt_optional(text))
            await audit.record(session, reviewer.guild_id, reviewer.user_id, f"repair.{action.value}",
                               f"case:{case.id}", at=now)
            event_id = event.id
        summary = self.summary(case)
        letter = self.letter(summary.number, action, text, summary.status)
        return ActionDone(
            case=summary, action=action, event_id=event_id, text=text,
            on_summary=self._on_summary(case, source),
            requester_id=self._requester_id(case) if letter is not None else None, to_requester=letter)

    async def dm_outcome(self, done: ActionDone, delivered: bool | None) -> bool | None:
        """What the case's place may be told about the DM to the requester (None: nothing).

        Whether a DM reached an anonymous requester says whether they left, were kicked or closed their
        DMs: moderators could test suspects with it. So they learn nothing, and the message waits in
        the case log for the requester's next DM or /repair mine."""
        if not done.case.anonymous:
            return delivered
        if delivered is False:
            async with self.sessions() as session, session.begin():
                await repo.set_event_data(session, done.event_id, {"undelivered": True})
        return None

    def letter(self, number: int, action: Action | str, text: str | None, status: str | None) -> Letter | None:
        """What the requester is told at acknowledgement, reply, closing and reopening (None: nothing).
        Moderators' text is shown as typed (views.letter_pages escapes it): a masked link could take an
        anonymous requester to a page that logs who they are."""
        key = Action(action).value
        if key == Action.CLOSE:
            key = "resolved" if status == Status.RESOLVED else "closed"
        if key not in texts.TO_REQUESTER:
            return None
        return Letter(key, number, text, self.resource)

    # --- the requester's messages -------------------------------------------------------------

    async def open_cases(self, user_id: int, guild_ids: Iterable[int]) -> list[CaseRef]:
        indexes = [self.index(g, user_id) for g in guild_ids]
        async with self.sessions() as session:
            return [self.ref(c) for c in await repo.open_cases_for(session, indexes)]

    async def relay(self, case_id: int, user_id: int, text: str) -> Relayed:
        """Store one DM encrypted in the case log. Over the relay limit it is held (kept, not posted)."""
        now = self.clock.now()
        text = logic.clip(text, RELAY_LIMIT)
        async with self.sessions() as session, session.begin():
            case = await repo.get(session, case_id)
            if case is None or case.requester_index != self.index(case.guild_id, user_id) \
                    or not logic.is_open(case.status):
                raise NotFound(t(texts.CASE_CLOSED))
            held = not self.relay_limits.allow(case.requester_index or "", now)
            event = await repo.add_event(session, case, kind="requester_message", at=now,
                                         actor_id=None if case.anonymous else user_id,
                                         body_enc=self.cipher.encrypt(text), data={"held": True} if held else None)
            return Relayed(self.summary(case), event.id, held, text)

    async def note_posted(self, event_id: int, channel_id: int, message_id: int) -> None:
        """Remember where a named requester's line was posted, so an erasure can take the name off it."""
        async with self.sessions() as session, session.begin():
            await repo.set_event_data(session, event_id, {"posted": [channel_id, message_id]})

    async def waiting(self, user_id: int, guild_ids: Iterable[int]) -> list[Waiting]:
        """Per case: messages to this requester that couldn't be delivered yet (anonymous cases only)."""
        indexes = [self.index(g, user_id) for g in guild_ids]
        async with self.sessions() as session:
            found = await repo.undelivered_for(session, indexes)
        out = []
        for case, events in found:
            letters = [b for e in events if (b := self.letter(
                case.number, e.kind, self.cipher.decrypt_optional(e.body_enc), (e.data or {}).get("status")))
                is not None]
            out.append(Waiting(case.id, case.number, [e.id for e in events], letters))
        return out

    async def mark_delivered(self, event_ids: Sequence[int]) -> None:
        async with self.sessions() as session, session.begin():
            for event_id in event_ids:
                await repo.set_event_data(session, event_id, {"undelivered": False})

    async def mine(self, user_id: int, guild_ids: Iterable[int]) -> list[CaseRef]:
        indexes = [self.index(g, user_id) for g in guild_ids]
        async with self.sessions() as session:
            return [self.ref(c) for c in await repo.cases_for(session, indexes)]

    # --- moderators' lists and exports ----------------------------------------------------------

    async def list_cases(self, reviewer: Reviewer, status: str) -> list[CaseRef]:
        """Newest first, at most 25, without the cases this moderator is kept away from."""
        if not reviewer.is_moderator:
            raise NotAllowed(MODERATORS_ONLY)
        statuses = sorted(logic.OPEN_STATUSES) if status == "open" else None if status == "all" else [status]
        async with self.sessions() as session:
            found = await repo.list_cases(session, reviewer.guild_id, statuses, limit=50)
        return [self.ref(c) for c in found if reviewer.user_id not in set(c.excluded_moderator_ids or ())][:25]

    async def export(self, reviewer: Reviewer, number: int,
                     name_of: Callable[[int], str | None]) -> tuple[int, str]:
        """(case number, transcript text) for a reviewer who may handle the case; audited.
        `name_of(user_id)` gives a member's display name (None: not in the server)."""
        # Permission before any lookup: "there is no case #N" would tell anyone how many cases exist.
        self._check_reviewer(reviewer)
        async with self.sessions() as session:
            case = await repo.by_number(session, reviewer.guild_id, number)
            if case is None:
                raise NotFound(t_server(texts.NO_SUCH_CASE, number=number))
            self._check_may_handle(case, reviewer)
            events = await repo.events_of(session, case.id)

        def name(user_id: int | None) -> str:
            if user_id is None:
                return t_server(texts.ANONYMOUS_REQUESTER if case.anonymous else texts.FORMER_MEMBER)
            found = name_of(user_id)
            return t_server(texts.EXPORT_MEMBER, name=found, user_id=user_id) if found is not None \
                else t_server(texts.EXPORT_USER, user_id=user_id)

        summary = self.summary(case)
        the_bot = t_server(texts.EXPORT_BOT)
        items = [logic.TranscriptEvent(e.created_at, the_bot if e.kind == "routed" else name(e.actor_id),
                                       e.kind, self.cipher.decrypt_optional(e.body_enc)) for e in events]
        text = logic.transcript(logic.TranscriptCase(
            number=case.number, status=case.status,
            requester=t_server(texts.ANONYMOUS_REQUESTER) if case.anonymous else name(summary.requester_id),
            created_at=case.created_at, what_happened=summary.what_happened, who_involved=summary.who_involved,
            what_would_help=summary.what_would_help, content_warning=summary.content_warning,
            resolution=summary.resolution, assignee=name(case.assignee_id) if case.assignee_id else None), items)
        async with self.sessions() as session, session.begin():
            await audit.record(session, reviewer.guild_id, reviewer.user_id, "repair.export", f"case:{case.id}",
                               at=self.clock.now())
        return case.number, text

    # --- background work ---------------------------------------------------------------------

    async def due_reminders(self, guild_ids: Iterable[int]) -> list[Reminder]:
        """Claim the one acknowledgement reminder of every case past its deadline."""
        now = self.clock.now()
        hours = self.settings.ack_reminder_hours
        async with self.sessions() as session:
            waiting = await repo.awaiting_ack(session, list(guild_ids))
        due = []
        for case in waiting:
            if not logic.ack_reminder_due(status=case.status, created_at=case.created_at,
                                          reminded_at=case.ack_reminded_at, routed=True, now=now, hours=hours):
                continue
            async with self.sessions() as session, session.begin():
                if await repo.claim_reminder(session, case.id, now) is None:
                    continue
            due.append(Reminder(case.id, case.guild_id, case.number, logic.hours_waited(case.created_at, now),
                                case.routed_to_alternates))
        return due

    async def case(self, case_id: int) -> CaseSummary | None:
        async with self.sessions() as session:
            case = await repo.get(session, case_id)
        return self.summary(case) if case is not None else None

    async def refresh_summaries(self, case_ids: Sequence[int]) -> None:
        """Re-render the posted summaries of these cases (e.g. after a named requester erased their
        data: they now show as a former member). Callers pass named cases only."""
        if self.board is None or not case_ids:
            return
        async with self.sessions() as session:
            cases = [c for cid in case_ids if (c := await repo.get(session, cid)) is not None]
        for case in cases:
            await self.board.show_summary(self.summary(case))

    # --- routing's records -------------------------------------------------------------------

    async def unrouted(self, guild_ids: Iterable[int]) -> list[int]:
        async with self.sessions() as session:
            return [c.id for c in await repo.unrouted(session, list(guild_ids))]

    async def claim_routing(self, case_id: int, owner: str) -> CaseSummary | None:
        """Take the routing of one case for this process (None: routed, or being routed elsewhere)."""
        async with self.sessions() as session, session.begin():
            if not await repo.claim_routing(session, case_id, owner):
                return None
            case = await repo.get(session, case_id)
            return self.summary(case) if case is not None else None

    async def release_routing(self, case_id: int, owner: str) -> None:
        async with self.sessions() as session, session.begin():
            await repo.release_routing(session, case_id, owner)

    async def requester_of(self, case_id: int) -> int | None:
        """The requester's ID, for routing only: they never count as a reviewer of their own case."""
        async with self.sessions() as session:
            case = await repo.get(session, case_id)
        return self._requester_id(case) if case is not None else None

    async def route_blocked_reason(self, case_id: int) -> str | None:
        async with self.sessions() as session:
            case = await repo.get(session, case_id)
        return case.route_blocked if case is not None else None

    async def set_route_blocked(self, case_id: int, reason: str) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_route_blocked(session, case_id, reason)

    async def set_place(self, case_id: int, place_id: int, *, alternates: bool, kind: str, audience: str) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_place(session, case_id, place_id=place_id, alternates=alternates, at=self.clock.now(),
                                 data={"kind": kind, "audience": audience})

    async def set_summary_message(self, case_id: int, message_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_summary_message(session, case_id, message_id)

    async def early_messages(self, case_id: int) -> list[EarlyMessage]:
        """Messages the requester sent before the case had a place (only logged then)."""
        async with self.sessions() as session:
            events = await repo.events_of(session, case_id)
        routed = [e.id for e in events if e.kind == "routed"]
        if not routed:
            return []
        return [EarlyMessage(e.id, e.actor_id, self.cipher.decrypt_optional(e.body_enc) or "")
                for e in events if e.kind == "requester_message" and e.id <= routed[-1]]

    def place_token(self, case: CaseSummary) -> str:
        """A per-case secret for a channel topic: proves the bot created the channel for this case."""
        return self.cipher.blind_index(case.guild_id, f"repair-place:{case.case_id}:{case.number}")[:16]


REPAIR = ServiceKey("repair", RepairService)  # bot.services[REPAIR]: the repair feature's use cases
