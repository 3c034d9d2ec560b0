"""Confidential spaces, their reminders, and recording exceptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Snowflake, UTCDateTime, guild_id_column, utcnow


class ConfidentialSpace(Base):
    """A channel or category marked confidential (a category's channels inherit)."""

    __tablename__ = "confidential_space"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    target_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    # text | voice | stage | category
    target_kind: Mapped[str] = mapped_column(String(16))
    added_by: Mapped[int] = mapped_column(Snowflake)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StickyReminder(Base):
    """The single live reminder message in a confidential text channel (no content kept)."""

    __tablename__ = "sticky_reminder"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    channel_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    messages_since: Mapped[int] = mapped_column(Integer, default=0)


class VoiceMeetingState(Base):
    """When a confidential voice channel last got reminders and last became empty."""

    __tablename__ = "voice_meeting_state"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    channel_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emptied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecordingException(Base):
    """A time-boxed permission for a recording bot, for an announced accessibility need."""

    __tablename__ = "recording_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = guild_id_column()
    channel_id: Mapped[int] = mapped_column(Snowflake, index=True)
    # The recording bot allowed to stay; None = any bot during the window.
    bot_user_id: Mapped[int | None] = mapped_column(Snowflake)
    # The accessibility need, encrypted with bot.cipher (moderators see it in /recording status;
    # the public announcement never includes it).
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    granted_by: Mapped[int] = mapped_column(Snowflake)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the bot last announced the recording in the channel's chat.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The access request it was granted from (/access request), so the "discussed with staff" condition
    # is on record; NULL for a plain /recording allow.
    access_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_request.id", ondelete="SET NULL"), index=True)
