"""Access requests: every read and write. Text arrives here already encrypted (`detail_enc`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AccessRequest

RECEIVED = "received"  # cogs/access/logic.py Status.RECEIVED (statuses are declared there)


async def create(session: AsyncSession, *, guild_id: int, requester_id: int, needs: str, detail_enc: bytes | None,
                 at: datetime) -> AccessRequest:
    """A new request with the next number in its server. Call inside a transaction; two filings at
    the same moment may pick the same number: the unique constraint refuses the second (retried)."""
    highest = (await session.execute(select(func.max(AccessRequest.number))
                                     .where(AccessRequest.guild_id == guild_id))).scalar_one_or_none()
    request = AccessRequest(guild_id=guild_id, number=int(highest or 0) + 1, requester_id=requester_id,
                            needs=needs, detail_enc=detail_enc, status=RECEIVED, created_at=at)
    session.add(request)
    await session.flush()
    return request


async def get(session: AsyncSession, request_id: int) -> AccessRequest | None:
    return await session.get(AccessRequest, request_id)


async def locked(session: AsyncSession, request_id: int) -> AccessRequest | None:
    """The request, locked for this transaction (PostgreSQL row lock; SQLite's write lock does it there)."""
    query = select(AccessRequest).where(AccessRequest.id == request_id).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def count_waiting(session: AsyncSession, guild_id: int, requester_id: int) -> int:
    query = select(func.count()).select_from(AccessRequest).where(
        AccessRequest.guild_id == guild_id, AccessRequest.requester_id == requester_id,
        AccessRequest.status == RECEIVED)
    return int((await session.execute(query)).scalar_one())


async def decide(session: AsyncSession, request: AccessRequest, *, status: str, moderator_id: int,
                 at: datetime) -> None:
    request.status = status
    request.decided_by = moderator_id
    request.decided_at = at
    await session.flush()


async def unrouted(session: AsyncSession, guild_ids: Iterable[int]) -> Sequence[AccessRequest]:
    """Requests without a place or a summary yet (routing is retried until both are saved)."""
    ids = list(guild_ids)
    if not ids:
        return []
    query = select(AccessRequest).where(
        AccessRequest.guild_id.in_(ids),
        or_(AccessRequest.thread_id.is_(None), AccessRequest.summary_message_id.is_(None))).order_by(AccessRequest.id)
    return (await session.execute(query)).scalars().all()


async def set_place(session: AsyncSession, request_id: int, place_id: int) -> None:
    await session.execute(update(AccessRequest).where(AccessRequest.id == request_id).values(thread_id=place_id))


async def set_summary_message(session: AsyncSession, request_id: int, message_id: int) -> None:
    await session.execute(update(AccessRequest).where(AccessRequest.id == request_id)
                          .values(summary_message_id=message_id))


async def recording_allowed(session: AsyncSession, request: AccessRequest, *, channel_id: int, at: datetime) -> None:
    request.recording_channel_id = channel_id
    request.recording_allowed_at = at
    await session.flush()


async def requested_by(session: AsyncSession, requester_id: int, guild_id: int | None) -> Sequence[AccessRequest]:
    query = select(AccessRequest).where(AccessRequest.requester_id == requester_id)
    if guild_id is not None:
        query = query.where(AccessRequest.guild_id == guild_id)
    return (await session.execute(query.order_by(AccessRequest.id))).scalars().all()
