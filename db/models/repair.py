"""Repair & justice cases and their event log. Text and requester are encrypted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Snowflake, UTCDateTime, guild_id_column, utcnow


class RepairCase(Base):
    __tablename__ = "repair_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = guild_id_column()
    # Case number shown to people, counted per server.
    number: Mapped[int] = mapped_column(Integer)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # The requester's user ID, encrypted; NULL once they leave or erase their data.
    requester_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Keyed hash of (guild, requester) for limits and "my cases" without plain IDs.
    requester_index: Mapped[str | None] = mapped_column(String(64), index=True)
    what_happened_enc: Mapped[bytes] = mapped_column(LargeBinary)
    who_involved_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    what_would_help_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_warning_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    resolution_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    excluded_moderator_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # submitted | acknowledged | in_progress | resolved | closed | reopened
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    assignee_id: Mapped[int | None] = mapped_column(Snowflake)
    # Where the case lives in Discord; NULL until routed (routing is retried until set).
    thread_id: Mapped[int | None] = mapped_column(Snowflake)
    summary_message_id: Mapped[int | None] = mapped_column(Snowflake)
    routed_to_alternates: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which bot process is routing the case right now (a per-start token); a claim by an
    # earlier start (e.g. one killed mid-routing) is taken over. Guards exactly-once routing.
    routing_owner: Mapped[str | None] = mapped_column(String(32))
    # Why routing is waiting (e.g. "no_alternates"), so moderators are told once, not every minute.
    route_blocked: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("guild_id", "number", name="uq_repair_case_guild_number"),)


class RepairEvent(Base):
    """One entry in a case's log: who did what, when (note/reply text encrypted)."""

    __tablename__ = "repair_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("repair_case.id", ondelete="CASCADE"), index=True)
    guild_id: Mapped[int] = guild_id_column()
    # NULL for the requester of an anonymous case, or a former member.
    actor_id: Mapped[int | None] = mapped_column(Snowflake)
    kind: Mapped[str] = mapped_column(String(32))
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RepairCounter(Base):
    """Per server: the last case number given out, so numbers are never reused, even after the
    retention purge deleted the case with the highest number. The row with guild_id 0 holds the
    last case row ID, which is given out the same way (SQLite would otherwise reuse the ID of a
    deleted last row)."""

    __tablename__ = "repair_counter"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
