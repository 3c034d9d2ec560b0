"""Repair cases and their event log. Text arrives here already encrypted (`*_enc`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RepairCase, RepairEvent

OPEN = ("submitted", "acknowledged", "in_progress", "reopened")


async def next_number(session: AsyncSession, guild_id: int) -> int:
    query = select(func.max(RepairCase.number)).where(RepairCase.guild_id == guild_id)
    current = (await session.execute(query)).scalar_one_or_none()
    return int(current or 0) + 1


async def create_case(
    session: AsyncSession,
    *,
    guild_id: int,
    anonymous: bool,
    requester_enc: bytes,
    requester_index: str,
    what_happened_enc: bytes,
    who_involved_enc: bytes | None,
    what_would_help_enc: bytes | None,
    content_warning_enc: bytes | None,
    excluded_moderator_ids: list[int],
    at: datetime,
) -> RepairCase:
    case = RepairCase(
        guild_id=guild_id,
        number=await next_number(session, guild_id),
        anonymous=anonymous,
        requester_enc=requester_enc,
        requester_index=requester_index,
        what_happened_enc=what_happened_enc,
        who_involved_enc=who_involved_enc,
        what_would_help_enc=what_would_help_enc,
        content_warning_enc=content_warning_enc,
        excluded_moderator_ids=list(excluded_moderator_ids),
        status="submitted",
        routed_to_alternates=False,
        created_at=at,
    )
    session.add(case)
    await session.flush()
    return case


async def count_open(session: AsyncSession, guild_id: int, requester_index: str) -> int:
    query = select(func.count(RepairCase.id)).where(
        RepairCase.guild_id == guild_id,
        RepairCase.requester_index == requester_index,
        RepairCase.status.in_(OPEN),
    )
    return int((await session.execute(query)).scalar_one())


async def last_filed_at(session: AsyncSession, guild_id: int, requester_index: str) -> datetime | None:
    query = (
        select(RepairCase.created_at)
        .where(RepairCase.guild_id == guild_id, RepairCase.requester_index == requester_index)
        .order_by(RepairCase.created_at.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get(session: AsyncSession, case_id: int) -> RepairCase | None:
    return await session.get(RepairCase, case_id)


async def by_number(session: AsyncSession, guild_id: int, number: int) -> RepairCase | None:
    query = select(RepairCase).where(RepairCase.guild_id == guild_id, RepairCase.number == number)
    return (await session.execute(query)).scalar_one_or_none()


async def open_cases_for(session: AsyncSession, requester_indexes: Iterable[str]) -> list[RepairCase]:
    indexes = list(requester_indexes)
    if not indexes:
        return []
    query = (
        select(RepairCase)
        .where(RepairCase.requester_index.in_(indexes), RepairCase.status.in_(OPEN))
        .order_by(RepairCase.created_at)
    )
    return list((await session.execute(query)).scalars())


async def list_cases(session: AsyncSession, guild_id: int, statuses: Sequence[str] | None = None,
                     limit: int = 25) -> list[RepairCase]:
    query = select(RepairCase).where(RepairCase.guild_id == guild_id)
    if statuses:
        query = query.where(RepairCase.status.in_(list(statuses)))
    query = query.order_by(RepairCase.number.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def add_event(
    session: AsyncSession,
    case: RepairCase,
    *,
    kind: str,
    actor_id: int | None,
    at: datetime,
    body_enc: bytes | None = None,
    data: dict[str, Any] | None = None,
) -> RepairEvent:
    event = RepairEvent(case_id=case.id, guild_id=case.guild_id, actor_id=actor_id, kind=kind,
                        body_enc=body_enc, data=data, created_at=at)
    session.add(event)
    await session.flush()
    return event


async def events_of(session: AsyncSession, case_id: int) -> list[RepairEvent]:
    query = select(RepairEvent).where(RepairEvent.case_id == case_id).order_by(RepairEvent.id)
    return list((await session.execute(query)).scalars())


# --- routing ------------------------------------------------------------------------


async def unrouted(session: AsyncSession, guild_ids: Iterable[int]) -> list[RepairCase]:
    """Cases whose summary has not been posted yet (routing is retried until it has)."""
    ids = list(guild_ids)
    if not ids:
        return []
    query = (
        select(RepairCase)
        .where(RepairCase.guild_id.in_(ids), RepairCase.summary_message_id.is_(None))
        .order_by(RepairCase.id)
    )
    return list((await session.execute(query)).scalars())


async def claim_routing(session: AsyncSession, case_id: int, owner: str) -> bool:
    """Take the routing of one case for this bot process; False if it is routed or being routed.

    A claim by an earlier start of the bot (a different `owner`) is stale — that process is
    gone — and is taken over. Within one process the cog also holds a per-case lock.
    """
    result = await session.execute(
        update(RepairCase)
        .where(
            RepairCase.id == case_id,
            RepairCase.summary_message_id.is_(None),
            or_(RepairCase.routing_owner.is_(None), RepairCase.routing_owner != owner),
        )
        .values(routing_owner=owner)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def release_routing(session: AsyncSession, case_id: int, owner: str) -> None:
    await session.execute(
        update(RepairCase)
        .where(RepairCase.id == case_id, RepairCase.routing_owner == owner)
        .values(routing_owner=None)
        .execution_options(synchronize_session=False)
    )


async def awaiting_ack(session: AsyncSession, guild_ids: Iterable[int]) -> list[RepairCase]:
    ids = list(guild_ids)
    if not ids:
        return []
    query = select(RepairCase).where(
        RepairCase.guild_id.in_(ids),
        RepairCase.status == "submitted",
        RepairCase.ack_reminded_at.is_(None),
        RepairCase.summary_message_id.is_not(None),
    )
    return list((await session.execute(query)).scalars())
