"""Each person's language (`person_language`): every read and write of it.

Erasure needs nothing here: the privacy registry (db/repositories/privacy.py) deletes the row
with the rest of a person's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import PersonLanguage


async def everyone(session: AsyncSession) -> dict[int, tuple[str, bool]]:
    """user -> (language, chosen), for the book in memory (read once at start-up)."""
    rows = await session.execute(select(PersonLanguage.user_id, PersonLanguage.language, PersonLanguage.chosen))
    return {int(user_id): (language, bool(chosen)) for user_id, language, chosen in rows}


async def changed_since(session: AsyncSession, since: datetime | None) -> list[tuple[int, str, bool, datetime]]:
    """(user, language, chosen, updated_at) of the rows changed after `since` (all dated rows when None)."""
    query = select(PersonLanguage.user_id, PersonLanguage.language, PersonLanguage.chosen, PersonLanguage.updated_at)
    query = query.where(PersonLanguage.updated_at.is_not(None) if since is None else PersonLanguage.updated_at > since)
    rows = await session.execute(query)
    return [(int(user_id), language, bool(chosen), at) for user_id, language, chosen, at in rows if at is not None]


async def latest_change(session: AsyncSession) -> datetime | None:
    return (await session.execute(select(func.max(PersonLanguage.updated_at)))).scalar_one_or_none()


async def get(session: AsyncSession, user_id: int) -> tuple[str, bool] | None:
    row = await session.get(PersonLanguage, user_id)
    return None if row is None else (row.language, row.chosen)


async def choose(session: AsyncSession, user_id: int, language: str) -> None:
    """The person's own choice: it wins over whatever their Discord app says from now on."""
    row = await session.get(PersonLanguage, user_id)
    if row is None:
        session.add(PersonLanguage(user_id=user_id, language=language, chosen=True))
    else:
        row.language, row.chosen = language, True
    await session.flush()


async def note_app_languages(session: AsyncSession, seen: Mapping[int, str]) -> None:
    """The languages people's Discord apps were set to (user -> language), for messages sent outside
    an interaction. Never over a choice a person made."""
    if not seen:
        return
    rows = await session.execute(select(PersonLanguage).where(PersonLanguage.user_id.in_(list(seen))))
    found = {row.user_id: row for row in rows.scalars()}
    for user_id, language in seen.items():
        row = found.get(user_id)
        if row is None:
            session.add(PersonLanguage(user_id=user_id, language=language, chosen=False))
        elif not row.chosen:
            row.language = language
    await session.flush()
