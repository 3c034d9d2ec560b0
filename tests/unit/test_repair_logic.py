"""Pure rules of repair requests: state machine, limits, reminders, routing plan, custom_ids, transcript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.repair import logic
from cogs.repair.logic import (
    Action,
    Audience,
    InvalidTransition,
    RouteFacts,
    RouteKind,
    Status,
    check_filing_limits,
    next_status,
    plan_route,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MAX_SNOWFLAKE = 2**64 - 1


# --- state machine ------------------------------------------------------------------------


def test_happy_path() -> None:
    status = Status.SUBMITTED
    status = next_status(status, Action.ACKNOWLEDGE)
    assert status == Status.ACKNOWLEDGED
    status = next_status(status, Action.ASSIGN, actor_id=1)
    assert status == Status.IN_PROGRESS
    assert next_status(status, Action.REPLY) == Status.IN_PROGRESS
    assert next_status(status, Action.NOTE) == Status.IN_PROGRESS
    assert next_status(status, Action.CLOSE, outcome="resolved") == Status.RESOLVED
    assert next_status(status, Action.CLOSE, outcome="closed") == Status.CLOSED


@pytest.mark.parametrize("finished", [Status.RESOLVED, Status.CLOSED])
def test_finished_case_refuses_everything_but_reopen_and_note(finished: Status) -> None:
    for action in (Action.ACKNOWLEDGE, Action.ASSIGN, Action.REPLY, Action.CLOSE):
        with pytest.raises(InvalidTransition, match="already closed"):
            next_status(finished, action, outcome="resolved")
    assert next_status(finished, Action.NOTE) == finished
    assert next_status(finished, Action.REOPEN) == Status.REOPENED


def test_closing_twice_is_refused() -> None:
    closed = next_status(Status.IN_PROGRESS, Action.CLOSE, outcome="resolved")
    with pytest.raises(InvalidTransition):
        next_status(closed, Action.CLOSE, outcome="resolved")


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED])
def test_reopen_open_case_refused(status: Status) -> None:
    with pytest.raises(InvalidTransition, match="still open"):
        next_status(status, Action.REOPEN)


@pytest.mark.parametrize("status", [Status.ACKNOWLEDGED, Status.IN_PROGRESS])
def test_acknowledge_twice_refused(status: Status) -> None:
    with pytest.raises(InvalidTransition, match="already been acknowledged"):
        next_status(status, Action.ACKNOWLEDGE)


def test_reopened_case_can_be_acknowledged_again() -> None:
    assert next_status(Status.REOPENED, Action.ACKNOWLEDGE) == Status.ACKNOWLEDGED


def test_assign_to_self_twice_refused_but_reassign_allowed() -> None:
    with pytest.raises(InvalidTransition, match="already assigned to you"):
        next_status(Status.IN_PROGRESS, Action.ASSIGN, assignee_id=5, actor_id=5)
    assert next_status(Status.IN_PROGRESS, Action.ASSIGN, assignee_id=5, actor_id=6) == Status.IN_PROGRESS
    assert next_status(Status.SUBMITTED, Action.ASSIGN, actor_id=6) == Status.IN_PROGRESS


def test_close_needs_an_outcome() -> None:
    with pytest.raises(InvalidTransition, match="resolved or closed"):
        next_status(Status.IN_PROGRESS, Action.CLOSE, outcome=None)
    with pytest.raises(InvalidTransition):
        next_status(Status.IN_PROGRESS, Action.CLOSE, outcome="submitted")


def test_unknown_status_refused() -> None:
    with pytest.raises(InvalidTransition, match="unknown status"):
        next_status("archived", Action.NOTE)


@given(st.lists(st.sampled_from(list(Action)), max_size=30), st.sampled_from(["resolved", "closed"]))
def test_any_action_sequence_stays_in_known_statuses(actions: list[Action], outcome: str) -> None:
    status: str = Status.SUBMITTED
    for action in actions:
        try:
            status = next_status(status, action, outcome=outcome)
        except InvalidTransition as exc:
            assert str(exc)  # every refusal explains itself
        assert status in logic.OPEN_STATUSES | logic.FINISHED_STATUSES


def test_every_status_and_action_has_a_label() -> None:
    assert set(logic.STATUS_LABELS) == {s.value for s in Status}
    assert set(logic.ACTION_LABELS) == {a.value for a in Action}


# --- limits and reminders ---------------------------------------------------------------------


def test_limits_allow_first_request() -> None:
    assert check_filing_limits(open_count=0, last_filed_at=None, now=NOW, max_open=3, cooldown_minutes=10).allowed


def test_limits_refuse_at_max_open_and_say_why() -> None:
    decision = check_filing_limits(open_count=3, last_filed_at=NOW - timedelta(days=3), now=NOW, max_open=3,
                                   cooldown_minutes=10)
    assert not decision.allowed and "3 open repair requests" in decision.reason and "closed" in decision.reason


def test_limits_cooldown_says_when() -> None:
    decision = check_filing_limits(open_count=1, last_filed_at=NOW - timedelta(minutes=4), now=NOW, max_open=3,
                                   cooldown_minutes=10)
    assert not decision.allowed and decision.retry_at == NOW + timedelta(minutes=6)
    assert f"<t:{int(decision.retry_at.timestamp())}:R>" in decision.reason
    later = check_filing_limits(open_count=1, last_filed_at=NOW - timedelta(minutes=10), now=NOW, max_open=3,
                                cooldown_minutes=10)
    assert later.allowed


def test_zero_cooldown_never_blocks() -> None:
    assert check_filing_limits(open_count=0, last_filed_at=NOW, now=NOW, max_open=1, cooldown_minutes=0).allowed


def test_reminder_due_exactly_once_at_deadline() -> None:
    created = NOW - timedelta(hours=48)
    kwargs = {"status": Status.SUBMITTED, "created_at": created, "routed": True, "hours": 48.0}
    assert logic.ack_reminder_due(reminded_at=None, now=NOW, **kwargs)  # type: ignore[arg-type]
    assert not logic.ack_reminder_due(reminded_at=None, now=NOW - timedelta(seconds=1), **kwargs)  # type: ignore[arg-type]
    assert not logic.ack_reminder_due(reminded_at=NOW, now=NOW + timedelta(days=9), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.CLOSED, Status.REOPENED])
def test_no_reminder_once_acknowledged(status: Status) -> None:
    assert not logic.ack_reminder_due(status=status, created_at=NOW - timedelta(days=9), reminded_at=None,
                                      routed=True, now=NOW, hours=48)


def test_no_reminder_for_unrouted_case() -> None:
    assert not logic.ack_reminder_due(status=Status.SUBMITTED, created_at=NOW - timedelta(days=9),
                                      reminded_at=None, routed=False, now=NOW, hours=48)


# --- routing plan -------------------------------------------------------------------------------


def facts(**kw: object) -> RouteFacts:
    base: dict[str, object] = {"available_moderators": 2, "moderators_channel": True, "alternate_role": False,
                               "alternate_channel": False}
    base.update(kw)
    return RouteFacts(**base)  # type: ignore[arg-type]


def test_plain_case_gets_private_thread_for_moderators() -> None:
    assert plan_route(facts()) == logic.RoutePlan(RouteKind.THREAD, Audience.MODERATORS, "moderators")


def test_excluded_with_manage_threads_forces_channel() -> None:
    plan = plan_route(facts(excluded_can_see_private_threads=True))
    assert plan.kind is RouteKind.CHANNEL and plan.audience is Audience.MODERATORS


def test_no_thread_permission_falls_back_to_channel_or_waits() -> None:
    assert plan_route(facts(can_create_private_threads=False)).kind is RouteKind.CHANNEL
    plan = plan_route(facts(can_create_private_threads=False, can_create_channels=False))
    assert plan.kind is RouteKind.WAIT and plan.blocked == "missing_permission"


def test_everyone_excluded_goes_to_alternate_channel() -> None:
    plan = plan_route(facts(available_moderators=0, alternate_channel=True, alternate_role=True))
    assert (plan.kind, plan.audience, plan.parent) == (RouteKind.THREAD, Audience.ALTERNATES, "alternates")


def test_everyone_excluded_with_only_a_role_gets_a_channel() -> None:
    plan = plan_route(facts(available_moderators=0, alternate_role=True))
    assert (plan.kind, plan.audience, plan.parent) == (RouteKind.CHANNEL, Audience.ALTERNATES, "moderators")


def test_everyone_excluded_and_no_alternates_waits() -> None:
    plan = plan_route(facts(available_moderators=0))
    assert plan.kind is RouteKind.WAIT and plan.blocked == "no_alternates"


def test_no_moderators_channel_waits() -> None:
    plan = plan_route(facts(moderators_channel=False))
    assert plan.kind is RouteKind.WAIT and plan.blocked == "no_moderators_channel"


def test_case_channel_name_is_only_the_number() -> None:
    assert logic.case_channel_name(12) == "case-12"


# --- custom_id encoding -----------------------------------------------------------------------


@given(st.integers(0, MAX_SNOWFLAKE))
def test_b36_round_trip(value: int) -> None:
    assert logic.from_b36(logic.to_b36(value)) == value
    assert len(logic.to_b36(value)) <= 13


def test_negative_ids_rejected() -> None:
    with pytest.raises(ValueError):
        logic.to_b36(-1)


# --- text ----------------------------------------------------------------------------------------


def test_defuse_mass_mentions() -> None:
    out = logic.defuse_mass_mentions("hi @everyone and @here, <@123>")
    assert "@everyone" not in out and "@here" not in out and "<@123>" in out


def test_clip_and_clean() -> None:
    assert logic.clip("abcdef", 4) == "abc…" and logic.clip("abc", 4) == "abc"
    assert logic.clean("   ") is None and logic.clean(None) is None and logic.clean(" x ") == "x"


def test_transcript_has_case_and_log_in_order() -> None:
    case = logic.TranscriptCase(number=3, status="resolved", requester="Anonymous requester", created_at=NOW,
                                what_happened="It hurt.", content_warning="CW: grief", resolution="We talked.",
                                assignee="Morgan (1)")
    events = [logic.TranscriptEvent(NOW, "Anonymous requester", "filed"),
              logic.TranscriptEvent(NOW + timedelta(hours=1), "Morgan (1)", "reply", "Line one\nLine two"),
              logic.TranscriptEvent(NOW + timedelta(hours=2), "Morgan (1)", "close", "We talked.")]
    text = logic.transcript(case, events)
    assert text.startswith("Repair case #3\nStatus: Resolved\nRequester: Anonymous requester")
    assert text.index("CW: grief") < text.index("It hurt.")
    assert "[2026-03-01 13:00 UTC] Morgan (1): replied to the requester\n    Line one\n    Line two" in text
    assert text.index("filed the request") < text.index("closed the case")
    assert "Who was involved" not in text  # empty sections are left out
