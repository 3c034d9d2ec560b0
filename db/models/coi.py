"""Conflicts of interest: declared tags, waiting rooms and meetings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Snowflake, UTCDateTime, guild_id_column, utcnow


class CoiTag(Base):
    """A member's declared conflict-of-interest category (mirrors the COI role)."""

    __tablename__ = "coi_tag"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, index=True)  # /mydata: by user alone
    category_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WaitingRoom(Base):
    """An active (or ended) waiting room on one channel, with what it must restore."""

    __tablename__ = "waiting_room"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = guild_id_column()
    channel_id: Mapped[int] = mapped_column(Snowflake, index=True)
    category_keys: Mapped[list[str]] = mapped_column(JSON)
    # role_id (as str) -> {"allow": int, "deny": int} or None for "no overwrite"
    previous_overwrites: Mapped[dict[str, Any]] = mapped_column(JSON)
    # member IDs the bot moved to the waiting room; cleared when it ends
    moved_member_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    started_by: Mapped[int] = mapped_column(Snowflake)
    reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Meeting(Base):
    """A meeting opened with /meeting start, and its volunteer note-taker."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = guild_id_column()
    channel_id: Mapped[int] = mapped_column(Snowflake, index=True)
    started_by: Mapped[int] = mapped_column(Snowflake)
    opening_message_id: Mapped[int | None] = mapped_column(Snowflake)
    notetaker_id: Mapped[int | None] = mapped_column(Snowflake)
    # "monthly" (a monthly Coalition meeting: attendance counts) or "other"; set by /meeting start.
    kind: Mapped[str] = mapped_column(String(16), default="other", server_default="other")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
