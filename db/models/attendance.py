"""Meeting attendance by organization: the organizations moderators list, who represents which, and
the check-ins of monthly Coalition meetings (one per person per meeting; no voice tracking)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Snowflake, UTCDateTime, guild_id_column, utcnow


class Organization(Base):
    """An organization of the coalition, as moderators named it."""

    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("guild_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = guild_id_column()
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))  # the name casefolded: one "Acme" per server
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganizationAffiliation(Base):
    """The organization a member says they represent (organization_id empty: "individual")."""

    __tablename__ = "organization_affiliation"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, index=True)  # /mydata: by user alone
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceCheckIn(Base):
    """One "I'm here" at one monthly Coalition meeting, and the organization it counted for."""

    __tablename__ = "attendance_checkin"

    meeting_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, index=True)  # /mydata: by user alone
    guild_id: Mapped[int] = guild_id_column()
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)
