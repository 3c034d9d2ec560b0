"""Pure rules of confidential spaces: membership, voice meetings, sticky reminders, the bot guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import i18n
from bot.i18n import speaking
from cogs.confidential import logic
from cogs.confidential.logic import (
    BotVerdict,
    ChannelPlace,
    ExceptionWindow,
    StickyRule,
    VoiceMeeting,
)

T0 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
QUIET = timedelta(minutes=30)


# --- which channels count -----------------------------------------------------------------------


def test_marked_channel_is_confidential() -> None:
    assert logic.is_confidential(ChannelPlace(10), {10})


def test_unmarked_channel_is_not() -> None:
    assert not logic.is_confidential(ChannelPlace(10, category_id=5), {11, 6})


def test_channel_inherits_from_its_category() -> None:
    assert logic.is_confidential(ChannelPlace(10, category_id=5), {5})


def test_thread_of_confidential_channel_counts() -> None:
    assert logic.is_confidential(ChannelPlace(99, parent_id=10), {10})


def test_thread_in_channel_of_confidential_category_counts() -> None:
    assert logic.is_confidential(ChannelPlace(99, parent_id=10, parent_category_id=5), {5})


def test_thread_of_ordinary_channel_does_not_count() -> None:
    assert not logic.is_confidential(ChannelPlace(99, parent_id=10, parent_category_id=5), {11})


def test_nothing_marked_means_nothing_confidential() -> None:
    assert not logic.is_confidential(ChannelPlace(10, category_id=5), set())


# --- voice meetings -------------------------------------------------------------------------------


def test_first_meeting_ever_gets_reminders() -> None:
    post, state = logic.on_first_join(VoiceMeeting(), T0, QUIET)
    assert post
    assert state == VoiceMeeting(last_reminder_at=T0, emptied_at=None)


def test_rejoin_within_quiet_period_is_the_same_meeting() -> None:
    state = VoiceMeeting(last_reminder_at=T0, emptied_at=T0 + timedelta(minutes=50))
    post, new = logic.on_first_join(state, T0 + timedelta(minutes=70), QUIET)
    assert not post
    assert new.last_reminder_at == T0 and new.emptied_at is None


def test_rejoin_after_quiet_period_is_a_new_meeting() -> None:
    emptied = T0 + timedelta(minutes=50)
    state = VoiceMeeting(last_reminder_at=T0, emptied_at=emptied)
    post, new = logic.on_first_join(state, emptied + QUIET, QUIET)
    assert post
    assert new.last_reminder_at == emptied + QUIET


def test_quiet_period_counts_from_the_last_time_it_emptied() -> None:
    # empty at 0:50, someone pops in at 0:55 (no reminder), leaves at 1:00, returns at 1:25.
    state = logic.on_emptied(VoiceMeeting(last_reminder_at=T0), T0 + timedelta(minutes=50))
    post, state = logic.on_first_join(state, T0 + timedelta(minutes=55), QUIET)
    assert not post
    state = logic.on_emptied(state, T0 + timedelta(minutes=60))
    post, state = logic.on_first_join(state, T0 + timedelta(minutes=85), QUIET)
    assert not post  # only 25 minutes empty
    state = logic.on_emptied(state, T0 + timedelta(minutes=90))
    post, _ = logic.on_first_join(state, T0 + timedelta(minutes=120), QUIET)
    assert post  # 30 minutes empty


def test_missed_emptying_falls_back_to_last_reminder_time() -> None:
    state = VoiceMeeting(last_reminder_at=T0, emptied_at=None)
    assert not logic.meeting_starts(state, T0 + timedelta(minutes=10), QUIET)
    assert logic.meeting_starts(state, T0 + timedelta(hours=3), QUIET)


def test_zero_quiet_minutes_reminds_every_meeting() -> None:
    state = VoiceMeeting(last_reminder_at=T0, emptied_at=T0 + timedelta(minutes=1))
    assert logic.meeting_starts(state, T0 + timedelta(minutes=1), timedelta(0))


def test_on_emptied_keeps_last_reminder() -> None:
    state = logic.on_emptied(VoiceMeeting(last_reminder_at=T0), T0 + timedelta(hours=1))
    assert state == VoiceMeeting(last_reminder_at=T0, emptied_at=T0 + timedelta(hours=1))


# --- sticky reminders ---------------------------------------------------------------------------------

RULE = StickyRule(every_messages=30, every_hours=24)


def test_silent_channel_never_gets_a_reminder() -> None:
    assert not logic.sticky_due(0, None, T0, RULE)
    assert not logic.sticky_due(0, T0 - timedelta(days=30), T0, RULE)


def test_first_message_brings_the_first_reminder() -> None:
    assert logic.sticky_due(1, None, T0, RULE)


def test_due_after_message_threshold() -> None:
    assert not logic.sticky_due(29, T0, T0 + timedelta(minutes=5), RULE)
    assert logic.sticky_due(30, T0, T0 + timedelta(minutes=5), RULE)


def test_due_after_hours_of_activity() -> None:
    assert not logic.sticky_due(1, T0, T0 + timedelta(hours=23, minutes=59), RULE)
    assert logic.sticky_due(1, T0, T0 + timedelta(hours=24), RULE)


# --- the bot guard --------------------------------------------------------------------------------------


def window(channel: int = 7, bot: int | None = 500, minutes: int = 60) -> ExceptionWindow:
    return ExceptionWindow(channel, bot, T0, T0 + timedelta(minutes=minutes))


def test_unknown_bot_is_disconnected() -> None:
    assert logic.judge_bot(500, 7, [], [], T0) is BotVerdict.DISCONNECT


def test_allow_listed_bot_stays() -> None:
    assert logic.judge_bot(500, 7, [500], [], T0) is BotVerdict.ALLOWED_LIST


def test_exception_covers_its_bot_in_its_channel_while_active() -> None:
    assert logic.judge_bot(500, 7, [], [window()], T0 + timedelta(minutes=10)) is BotVerdict.RECORDING_EXCEPTION


def test_exception_does_not_cover_other_bot_or_channel() -> None:
    assert logic.judge_bot(501, 7, [], [window()], T0) is BotVerdict.DISCONNECT
    assert logic.judge_bot(500, 8, [], [window()], T0) is BotVerdict.DISCONNECT


def test_exception_without_bot_covers_any_bot() -> None:
    assert logic.judge_bot(12345, 7, [], [window(bot=None)], T0) is BotVerdict.RECORDING_EXCEPTION


def test_expired_exception_covers_nothing() -> None:
    assert logic.judge_bot(500, 7, [], [window(minutes=60)], T0 + timedelta(minutes=60)) is BotVerdict.DISCONNECT


def test_exception_not_started_covers_nothing() -> None:
    assert logic.judge_bot(500, 7, [], [window()], T0 - timedelta(seconds=1)) is BotVerdict.DISCONNECT


# --- recording requests and texts -----------------------------------------------------------------------


def test_recording_request_cleans_reason() -> None:
    assert logic.check_recording_request(90, "  captions   for a member \n") == "captions for a member"


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_recording_request_rejects_bad_duration(minutes: int) -> None:
    with pytest.raises(logic.RecordingRequestError, match="between 1 and 1440"):
        logic.check_recording_request(minutes, "captions")


def test_recording_request_rejects_blank_or_long_reason() -> None:
    with pytest.raises(logic.RecordingRequestError, match="short reason"):
        logic.check_recording_request(30, "   ")
    with pytest.raises(logic.RecordingRequestError, match="201 characters"):
        logic.check_recording_request(30, "x" * 201)


def test_recording_announcement_names_bots_but_not_reason() -> None:
    text = logic.recording_announcement(["Scribe", "Otter"], 1_700_000_000)
    assert "Scribe and Otter" in text
    assert "accessibility need" in text
    assert "<t:1700000000:t>" in text


def test_recording_announcement_without_named_bot() -> None:
    assert "a recording bot agreed with staff" in logic.recording_announcement([], 1)


def test_reminder_text_lists_every_reminder() -> None:
    text = logic.reminder_text("Title", ["one", "two"])
    assert text == "• one\n• two"


@pytest.mark.parametrize(("minutes", "said"), [(1, "1 minute"), (45, "45 minutes"), (60, "1 hour"),
                                               (150, "2 hours 30 minutes")])
def test_describe_duration(minutes: int, said: str) -> None:
    assert logic.describe_duration(minutes) == said


@pytest.mark.parametrize(("minutes", "said"), [(1, "1 minuto"), (45, "45 minutos"), (60, "1 hora"),
                                               (150, "2 horas 30 minutos")])
def test_a_spanish_server_reads_durations_and_announcements_in_spanish(minutes: int, said: str) -> None:
    i18n.configure("es")
    try:
        assert logic.describe_duration(minutes) == said
        assert logic.recording_announcement(["Scribe", "Otter"], 1).startswith("🔴 **Esta reunión se está grabando**")
        assert "Scribe y Otter" in logic.recording_announcement(["Scribe", "Otter"], 1)
    finally:
        i18n.configure("en")


def test_what_moderators_and_channels_read_ignores_the_persons_language() -> None:
    with speaking("es"):  # a Spanish speaker's action, on an English server
        assert logic.describe_duration(150) == "2 hours 30 minutes"
        assert "This meeting is being recorded" in logic.recording_announcement([], 1)
        with pytest.raises(logic.RecordingRequestError, match="Please add a short reason"):
            logic.check_recording_request(5, "   ")
