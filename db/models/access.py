"""Access needs (/access request): a member's request to staff, as a small private case. Text encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Snowflake, UTCDateTime, guild_id_column, utcnow


class AccessRequest(Base):
    __tablename__ = "access_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = guild_id_column()
    # The number people see, counted per server.
    number: Mapped[int] = mapped_column(Integer)
    # Who asked (not anonymous: staff need to know whom to help); NULL once they erase their data.
    requester_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    # The needs picked, as their keys separated by commas (cogs/access/logic.py NEEDS).
    needs: Mapped[str] = mapped_column(String(120))
    # The person's own words (optional), encrypted; NULL once they erase their data.
    detail_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # received | arranged | not_possible
    status: Mapped[str] = mapped_column(String(16), default="received")
    decided_by: Mapped[int | None] = mapped_column(Snowflake)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the case lives in Discord; NULL until routed (routing is retried until set).
    thread_id: Mapped[int | None] = mapped_column(Snowflake)
    summary_message_id: Mapped[int | None] = mapped_column(Snowflake)
    # The last recording exception granted from this request (the "discussed with staff" record).
    recording_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    recording_allowed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("guild_id", "number", name="uq_access_request_guild_number"),
                      {"sqlite_autoincrement": True})  # a purged request's row ID never comes back
