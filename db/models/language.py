"""Each person's language (issue 16): theirs in every server and in DMs, so no guild_id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Snowflake, UTCDateTime, utcnow


class PersonLanguage(Base):
    """The language the bot answers a person in: one they chose (`/language`, the first message's
    "English / Español"), or the one their Discord app was set to the last time they used the bot
    (`chosen` false), so messages sent outside an interaction, like reminders, are in it too."""

    __tablename__ = "person_language"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    # When it last changed, so other shard processes pick the change up (bot.languages refresh);
    # NULL on rows from before this column, which every process read at start-up.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)
