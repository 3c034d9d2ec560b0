"""Onboarding state: progress through the steps, accepted memberships, questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, LargeBinary, String, literal_column
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Snowflake, UTCDateTime, guild_id_column, utcnow


class OnboardingProgress(Base):
    """Where one person is in the onboarding flow of one server (deleted when they leave)."""

    __tablename__ = "onboarding_progress"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    # Indexed: a typed answer in a DM is matched to the person's flow by user alone.
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, index=True)
    # in_progress | declined | completed
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    # "dm" or "ephemeral" (welcome-channel fallback when DMs are closed)
    surface: Mapped[str] = mapped_column(String(16), default="dm")
    content_version: Mapped[str] = mapped_column(String(64))
    # Reaffirmation flows walk only the changed steps; "" means the full flow.
    reaffirm_from_version: Mapped[str] = mapped_column(String(64), default="")
    declined_count: Mapped[int] = mapped_column(Integer, default=0)
    # COI category keys picked at the transparency step, applied with the final role update.
    coi_selection: Mapped[list[str] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by the database on every update, so the in-memory copy that serves clicks
    # (cogs/onboarding/flows.py) can save with compare-and-set and notice any other writer:
    # another shard process, a moderator's restart, a job.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                          onupdate=literal_column("revision + 1"))

    # Fetch the new revision with the UPDATE itself (RETURNING), never by a lazy load.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 - read once by the mapper


class Membership(Base):
    """A completed onboarding: which content version the member said yes to, and when."""

    __tablename__ = "membership"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    # Indexed: /mydata (and erasure) find a person's rows in every server by user alone.
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, index=True)
    content_version: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by /onboarding reaffirm when a newer content version needs confirming.
    reaffirm_requested_version: Mapped[str | None] = mapped_column(String(64))
    # Step key -> hash of the text accepted, so a reaffirmation asks only about changed steps.
    accepted_step_hashes: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # When Discord confirmed the member role; NULL = the grant is still owed (a job retries it,
    # so a crash between the "yes" and the role update still ends with exactly one grant).
    role_granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grant_attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MemberRoleHold(Base):
    """Moderators took this person's member role away: the bot doesn't give it back (not after a new
    "yes", a rejoin or an erasure of their data) until a moderator allows it (/mod-onboarding allow)."""

    __tablename__ = "member_role_hold"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OnboardingQuestion(Base):
    """A question a newcomer asked a moderator during onboarding (text encrypted)."""

    __tablename__ = "onboarding_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = guild_id_column()
    user_id: Mapped[int] = mapped_column(Snowflake, index=True)
    step_index: Mapped[int] = mapped_column(Integer)
    question_enc: Mapped[bytes] = mapped_column(LargeBinary)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[int | None] = mapped_column(Snowflake)
    # Where the question was posted for moderators, so erasure and the purge can delete that post.
    post_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    post_message_id: Mapped[int | None] = mapped_column(Snowflake)
