"""Repair cases and their event log. Text arrives here already encrypted (`*_enc`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.repair.logic import OPEN_STATUSES, Status
from db.models import RepairCase, RepairCounter, RepairEvent

# The statuses are declared once, with the rules (cogs/repair/logic.py; a pure module).
OPEN = tuple(sorted(OPEN_STATUSES))
ID_COUNTER = 0  # the repair_counter row that gives out case row IDs (no server has ID 0)


async def _take_next(session: AsyncSession, key: int, highest_existing: Any) -> int:
    """Bump one counter and return its new value, never at or below a value already in the table
    (rows written another way, e.g. by an older version). UPDATE first, so two filings at once queue
    on the row lock (PostgreSQL) or the write lock (SQLite) instead of both reading the same value."""
    bumped = await session.execute(
        update(RepairCounter).where(RepairCounter.guild_id == key)
        .values(last_number=RepairCounter.last_number + 1).execution_options(synchronize_session=False))
    existing = (await session.execute(select(func.max(highest_existing)).where(
        *([RepairCase.guild_id == key] if key != ID_COUNTER else [])))).scalar_one_or_none()
    floor = int(existing or 0) + 1
    if getattr(bumped, "rowcount", 0) != 1:
        session.add(RepairCounter(guild_id=key, last_number=floor))
        await session.flush()
        return floor
    value = int((await session.execute(select(RepairCounter.last_number)
                                       .where(RepairCounter.guild_id == key))).scalar_one())
    if value < floor:
        await session.execute(update(RepairCounter).where(RepairCounter.guild_id == key)
                              .values(last_number=floor).execution_options(synchronize_session=False))
        value = floor
    return value


async def next_number(session: AsyncSession, guild_id: int) -> int:
    """The next case number in this server; never one given out before (even if purged since)."""
    return await _take_next(session, guild_id, RepairCase.number)


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
        # Given out by counters, never max+1: a purged case's number or row ID never comes back,
        # so nothing that pointed at the old case (a channel, a button) can reach the new one.
        id=await _take_next(session, ID_COUNTER, RepairCase.id),
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
        status=Status.SUBMITTED,
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


async def cases_for(session: AsyncSession, requester_indexes: Iterable[str]) -> list[RepairCase]:
    """Every case (open or not) these requester fingerprints filed, oldest first."""
    indexes = list(requester_indexes)
    if not indexes:
        return []
    query = select(RepairCase).where(RepairCase.requester_index.in_(indexes)).order_by(RepairCase.created_at)
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


async def set_event_data(session: AsyncSession, event_id: int, values: dict[str, Any]) -> None:
    """Merge `values` into an event's data (a new dict, so the JSON change is saved)."""
    event = await session.get(RepairEvent, event_id)
    if event is not None:
        event.data = {**(event.data or {}), **values}


async def locked(session: AsyncSession, case_id: int) -> RepairCase | None:
    """The case, locked for the rest of the transaction (PostgreSQL: the row; SQLite: the write lock)."""
    return await session.get(RepairCase, case_id, with_for_update=True)


async def record_action(session: AsyncSession, case: RepairCase, *, action: str, status: str, actor_id: int,
                        at: datetime, body_enc: bytes | None) -> RepairEvent:
    """A moderator's action on a locked case: the new status, the action's own fields, its event."""
    case.status = status
    if action == "ack":
        case.acknowledged_at = at
    elif action == "assign":
        case.assignee_id = actor_id
    elif action == "close":
        case.closed_at = at
        case.resolution_enc = body_enc
    elif action == "reopen":
        case.closed_at = None
    return await add_event(session, case, kind=action, actor_id=actor_id, at=at, body_enc=body_enc,
                           data={"status": status})


async def claim_reminder(session: AsyncSession, case_id: int, at: datetime) -> RepairCase | None:
    """Mark the one acknowledgement reminder of a case as sent; None if it was sent or isn't due."""
    case = await locked(session, case_id)
    if case is None or case.ack_reminded_at is not None or case.status != Status.SUBMITTED:
        return None
    case.ack_reminded_at = at
    await add_event(session, case, kind="reminder", actor_id=None, at=at)
    return case


async def set_place(session: AsyncSession, case_id: int, *, place_id: int, alternates: bool, at: datetime,
                    data: dict[str, Any]) -> None:
    """The case's private thread or channel exists: remember it (and log that the case was routed)."""
    case = await get(session, case_id)
    if case is None:
        return
    case.thread_id = place_id
    case.routed_to_alternates = alternates
    case.route_blocked = None
    await add_event(session, case, kind="routed", actor_id=None, at=at, data=data)


async def set_route_blocked(session: AsyncSession, case_id: int, reason: str) -> None:
    await session.execute(update(RepairCase).where(RepairCase.id == case_id).values(route_blocked=reason)
                          .execution_options(synchronize_session=False))


async def set_summary_message(session: AsyncSession, case_id: int, message_id: int) -> None:
    await session.execute(update(RepairCase).where(RepairCase.id == case_id)
                          .values(summary_message_id=message_id).execution_options(synchronize_session=False))


async def events_of(session: AsyncSession, case_id: int) -> list[RepairEvent]:
    query = select(RepairEvent).where(RepairEvent.case_id == case_id).order_by(RepairEvent.id)
    return list((await session.execute(query)).scalars())


async def undelivered_for(session: AsyncSession,
                          requester_indexes: Iterable[str]) -> list[tuple[RepairCase, list[RepairEvent]]]:
    """Per case of these requesters: the events whose DM to the requester is still waiting."""
    indexes = list(requester_indexes)
    if not indexes:
        return []
    cases = (await session.execute(select(RepairCase).where(RepairCase.requester_index.in_(indexes))
                                   .order_by(RepairCase.id))).scalars().all()
    out = []
    for case in cases:
        events = [e for e in await events_of(session, case.id) if (e.data or {}).get("undelivered")]
        if events:
            out.append((case, events))
    return out


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
        RepairCase.status == Status.SUBMITTED,
        RepairCase.ack_reminded_at.is_(None),
        RepairCase.summary_message_id.is_not(None),
    )
    return list((await session.execute(query)).scalars())
