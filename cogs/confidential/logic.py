"""Pure rules for confidential spaces: which channels count, when reminders are due,
which bots may stay in a confidential voice channel, and the texts the bot posts.

No discord, no sqlalchemy, no db: the cog feeds plain values in and acts on the answers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from bot.i18n import t_server, tn_server
from cogs.confidential import texts

# --- which channels are confidential ---------------------------------------------------------


@dataclass(frozen=True)
class ChannelPlace:
    """Where a channel sits: its own id, its category, and (for threads) its parent channel.

    `parent_category_id` is the category of a thread's parent channel.
    """

    channel_id: int
    category_id: int | None = None
    parent_id: int | None = None
    parent_category_id: int | None = None


def is_confidential(place: ChannelPlace, marked: Collection[int]) -> bool:
    """A channel is confidential when it, its category, or (for a thread) its parent or the
    parent's category is marked. Categories pass it on to every channel inside them."""
    candidates = (place.channel_id, place.category_id, place.parent_id, place.parent_category_id)
    return any(c is not None and c in marked for c in candidates)


TARGET_KINDS = ("text", "voice", "stage", "category")


# --- voice/stage meetings -----------------------------------------------------------------------


@dataclass(frozen=True)
class VoiceMeeting:
    """What the bot remembers about one confidential voice channel (times in UTC)."""

    last_reminder_at: datetime | None = None
    emptied_at: datetime | None = None


def meeting_starts(state: VoiceMeeting, now: datetime, quiet: timedelta) -> bool:
    """Does the first person joining an empty channel start a new meeting (and get reminders)?

    Yes the first time ever, and after the channel has stood empty for at least `quiet`.
    If the bot missed the moment the channel emptied (it was offline), the last reminder's
    time stands in for it, so a meeting is never reminded twice within `quiet`.
    """
    if state.last_reminder_at is None:
        return True
    empty_since = state.emptied_at if state.emptied_at is not None else state.last_reminder_at
    return now - empty_since >= quiet


def on_first_join(state: VoiceMeeting, now: datetime, quiet: timedelta) -> tuple[bool, VoiceMeeting]:
    """A human joined the empty channel: (post reminders?, new state). The channel is no longer empty."""
    starts = meeting_starts(state, now, quiet)
    return starts, VoiceMeeting(last_reminder_at=now if starts else state.last_reminder_at, emptied_at=None)


def on_emptied(state: VoiceMeeting, now: datetime) -> VoiceMeeting:
    """The last human left."""
    return replace(state, emptied_at=now)


# --- sticky reminders in text channels ------------------------------------------------------


@dataclass(frozen=True)
class StickyRule:
    every_messages: int
    every_hours: float


def sticky_due(messages_since: int, posted_at: datetime | None, now: datetime, rule: StickyRule) -> bool:
    """Is it time to replace the reminder? Only ever after real activity (never in a silent channel).

    - no reminder yet: the first message in the channel brings it;
    - otherwise after `every_messages` messages, or `every_hours` since the last reminder if at
      least one message came since, whichever comes first.
    """
    if messages_since <= 0:
        return False
    if posted_at is None:
        return True
    if messages_since >= rule.every_messages:
        return True
    return now - posted_at >= timedelta(hours=rule.every_hours)


# --- the recording / AI-notetaker guard --------------------------------------------------------


class BotVerdict(Enum):
    ALLOWED_LIST = "allowed_list"  # on settings.confidential.allowed_bot_ids
    RECORDING_EXCEPTION = "recording_exception"  # an active accessibility exception covers it
    DISCONNECT = "disconnect"


@dataclass(frozen=True)
class ExceptionWindow:
    """An accessibility recording exception: `bot_user_id` None means any bot."""

    channel_id: int
    bot_user_id: int | None
    starts_at: datetime
    expires_at: datetime

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.expires_at

    def covers(self, channel_id: int, bot_id: int, now: datetime) -> bool:
        return (
            self.channel_id == channel_id
            and (self.bot_user_id is None or self.bot_user_id == bot_id)
            and self.active(now)
        )


def judge_bot(
    bot_id: int,
    channel_id: int,
    allowed_bot_ids: Collection[int],
    exceptions: Iterable[ExceptionWindow],
    now: datetime,
) -> BotVerdict:
    """What to do with a bot account (not this bot) that is in a confidential voice channel."""
    if bot_id in allowed_bot_ids:
        return BotVerdict.ALLOWED_LIST
    if any(e.covers(channel_id, bot_id, now) for e in exceptions):
        return BotVerdict.RECORDING_EXCEPTION
    return BotVerdict.DISCONNECT


MAX_EXCEPTION_MINUTES = 24 * 60
MAX_REASON_CHARS = 200


class RecordingRequestError(ValueError):
    """The moderator's /recording allow input cannot be used; the message says how to fix it."""


def check_recording_request(minutes: int, reason: str) -> str:
    """Validate a grant; returns the cleaned reason (a refusal is for the moderator: server's language)."""
    if not 1 <= minutes <= MAX_EXCEPTION_MINUTES:
        raise RecordingRequestError(t_server(texts.MINUTES_OUT_OF_RANGE, maximum=MAX_EXCEPTION_MINUTES))
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise RecordingRequestError(t_server(texts.REASON_EMPTY))
    if len(cleaned) > MAX_REASON_CHARS:
        raise RecordingRequestError(t_server(texts.REASON_TOO_LONG, length=len(cleaned), maximum=MAX_REASON_CHARS))
    return cleaned


# --- texts (posted in shared channels or told to moderators: the server's language) --------------------


def reminder_text(title: str, reminders: Sequence[str]) -> str:
    """The reminders as one description (fits an embed: 4096 characters)."""
    body = "\n".join(t_server(texts.REMINDER_LINE, line=line) for line in reminders)
    return body[:4096]


def recording_announcement(bot_names: Sequence[str], until_unix: int) -> str:
    """Said in the meeting's chat: who records, why, until when (never the private reason)."""
    if not bot_names:
        who = t_server(texts.AGREED_BOT)
    elif len(bot_names) == 1:
        who = bot_names[0]
    else:
        who = t_server(texts.LIST_SEPARATOR).join(bot_names[:-1]) + t_server(texts.AND) + bot_names[-1]
    return t_server(texts.RECORDING_ANNOUNCEMENT, who=who, until=until_unix)


def describe_duration(minutes: int) -> str:
    """"2 hours 5 minutes", for the moderator who granted it."""
    hours, mins = divmod(minutes, 60)
    hours_text = tn_server(texts.HOURS, hours)
    minutes_text = tn_server(texts.MINUTES, mins)
    if not hours:
        return minutes_text
    if not mins:
        return hours_text
    return t_server(texts.HOURS_AND_MINUTES, hours=hours_text, minutes=minutes_text)
