"""The repair repository against real databases (SQLite and, when configured, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import RepairCase
from db.repositories import repair as repo

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def new_case(session: AsyncSession, guild_id: int = 1, index: str = "i" * 64,
                   at: datetime = NOW) -> RepairCase:
    return await repo.create_case(
        session, guild_id=guild_id, anonymous=True, requester_enc=b"sealed", requester_index=index,
        what_happened_enc=b"x", who_involved_enc=None, what_would_help_enc=None, content_warning_enc=None,
        excluded_moderator_ids=[5], at=at)


async def test_numbers_count_per_server(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        a1, a2, b1 = await new_case(session, 1), await new_case(session, 1), await new_case(session, 2)
    assert (a1.number, a2.number, b1.number) == (1, 2, 1)
    async with sessions() as session:
        found = await repo.by_number(session, 1, 2)
    assert found is not None and found.id == a2.id


async def test_open_count_and_last_filed_by_blind_index(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        first = await new_case(session, index="a" * 64, at=NOW - timedelta(hours=2))
        await new_case(session, index="a" * 64, at=NOW)
        await new_case(session, index="b" * 64, at=NOW + timedelta(hours=1))
        first.status = "closed"
    async with sessions() as session:
        assert await repo.count_open(session, 1, "a" * 64) == 1
        assert await repo.last_filed_at(session, 1, "a" * 64) == NOW
        assert await repo.last_filed_at(session, 1, "c" * 64) is None
        open_a = await repo.open_cases_for(session, ["a" * 64])
        assert [c.number for c in open_a] == [2]
        assert await repo.open_cases_for(session, []) == []


async def test_routing_claim_is_exclusive_and_stale_claims_are_taken_over(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        case = await new_case(session)
    async with sessions() as session, session.begin():
        assert await repo.claim_routing(session, case.id, "boot-a")
    async with sessions() as session, session.begin():
        assert not await repo.claim_routing(session, case.id, "boot-a"), "the same process never claims twice"
    async with sessions() as session, session.begin():
        assert await repo.claim_routing(session, case.id, "boot-b"), "a claim by an earlier start is stale"
        await repo.release_routing(session, case.id, "boot-a")  # not theirs any more: no effect
    async with sessions() as session:
        fresh = await repo.get(session, case.id)
    assert fresh is not None and fresh.routing_owner == "boot-b"
    async with sessions() as session, session.begin():
        await repo.release_routing(session, case.id, "boot-b")
        fresh = await repo.get(session, case.id)
        assert fresh is not None
        fresh.summary_message_id = 99
    async with sessions() as session, session.begin():
        assert not await repo.claim_routing(session, case.id, "boot-c"), "a routed case is never claimed again"
    async with sessions() as session:
        assert await repo.unrouted(session, [1]) == []


async def test_awaiting_ack_only_routed_unreminded_submitted(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        routed, unrouted, reminded, acked = [await new_case(session) for _ in range(4)]
        for c in (routed, reminded, acked):
            c.summary_message_id = c.id
        reminded.ack_reminded_at = NOW
        acked.status = "acknowledged"
    async with sessions() as session:
        waiting = await repo.awaiting_ack(session, [1])
        pending = await repo.unrouted(session, [1, 2])
    assert [c.id for c in waiting] == [routed.id]
    assert [c.id for c in pending] == [unrouted.id]


async def test_events_are_kept_in_order(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        case = await new_case(session)
        for kind in ("filed", "routed", "ack"):
            await repo.add_event(session, case, kind=kind, actor_id=None, at=NOW, body_enc=b"sealed")
    async with sessions() as session:
        assert [e.kind for e in await repo.events_of(session, case.id)] == ["filed", "routed", "ack"]
        listed = await repo.list_cases(session, 1, ["submitted"])
    assert [c.id for c in listed] == [case.id]
