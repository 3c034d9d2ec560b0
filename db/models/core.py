"""Tables shared by every feature: the moderators' audit log and departures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Snowflake, UTCDateTime, guild_id_column, utcnow


class AuditEntry(Base):
    """One moderator action: IDs and an action name only, never case or message text.

    Append-only: the bot offers no way to edit or delete entries.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = guild_id_column()
    actor_id: Mapped[int | None] = mapped_column(Snowflake, index=True)  # /mydata: a person's entries
    action: Mapped[str] = mapped_column(String(64))
    # What the action was about, as "kind:id" (e.g. "case:12", "channel:123").
    subject: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuildState(Base):
    """When the bot last saw each server, to onboard people who joined while it was down."""

    __tablename__ = "guild_state"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    # People already there before the bot first saw the server are never contacted unasked.
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The "Start here" message the bot keeps in the welcome channel (it edits this one, never posts twice).
    start_here_message_id: Mapped[int | None] = mapped_column(Snowflake, nullable=True)


class GuildWiringEntry(Base):
    """A role or channel the bot uses in one server, held by ID once set-up found or created it.

    Names are read only at set-up (and only while `configured` still says that name): a role
    someone creates later with the same name never becomes the moderator or member role.
    """

    __tablename__ = "guild_wiring"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    # "moderator_role", "welcome_channel", "coi_role:<category>" ...
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The config value (a name) this was found or created for; another name looks again.
    configured: Mapped[str] = mapped_column(String(100))
    target_id: Mapped[int] = mapped_column(Snowflake)


class DepartedMember(Base):
    """When someone left a server, so their remaining rows can be purged on schedule."""

    __tablename__ = "departed_member"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    left_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_departed_member_left_at", "left_at"),)


class KeyCheck(Base):
    """Which data key(s) encrypted this database, and the secret behind blind indexes (one row).

    A start whose keys cannot decrypt `index_secret_enc` stops instead of writing with a new key.
    The blind-index key is this secret, not a key: adding or reordering keys keeps every index."""

    __tablename__ = "key_check"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    # Fingerprints (a hash, not the key) of every key that may have encrypted data, comma-separated.
    fingerprints: Mapped[str] = mapped_column(String(400))
    index_secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
