"""Declared conflict-of-interest tags (shared by onboarding and the COI feature)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CoiTag


async def tags_of(session: AsyncSession, guild_id: int, user_id: int) -> set[str]:
    query = select(CoiTag.category_key).where(CoiTag.guild_id == guild_id, CoiTag.user_id == user_id)
    return set((await session.execute(query)).scalars())


async def set_tags(
    session: AsyncSession, guild_id: int, user_id: int, keys: Iterable[str], at: datetime | None = None
) -> tuple[set[str], set[str]]:
    """Make the member's tags exactly `keys`; returns (added, removed)."""
    wanted = set(keys)
    current = await tags_of(session, guild_id, user_id)
    added, removed = wanted - current, current - wanted
    if removed:
        await session.execute(
            delete(CoiTag).where(
                CoiTag.guild_id == guild_id, CoiTag.user_id == user_id, CoiTag.category_key.in_(removed)
            )
        )
    for key in sorted(added):
        tag = CoiTag(guild_id=guild_id, user_id=user_id, category_key=key)
        if at is not None:
            tag.declared_at = at
        session.add(tag)
    await session.flush()
    return added, removed


async def holders(session: AsyncSession, guild_id: int, key: str | None = None) -> list[CoiTag]:
    query = select(CoiTag).where(CoiTag.guild_id == guild_id)
    if key is not None:
        query = query.where(CoiTag.category_key == key)
    query = query.order_by(CoiTag.category_key, CoiTag.user_id)
    return list((await session.execute(query)).scalars())
