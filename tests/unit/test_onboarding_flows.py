"""The onboarding hot path's storage, on SQLite and PostgreSQL: revisions, compare-and-set
saves (repo.save_moves) and the group commit (cogs/onboarding/flows.FlowCache)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cogs.onboarding import logic
from cogs.onboarding.flows import FlowCache
from db.models import OnboardingProgress
from db.repositories import onboarding as repo
from db.session import create_engine, create_session_factory

NOW = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
GUILD = 10


async def start(sessions: async_sessionmaker[AsyncSession], *user_ids: int) -> None:
    async with sessions() as session, session.begin():
        for user_id in user_ids:
            await repo.start_progress(session, GUILD, user_id, content_version="v1", now=NOW)


async def row_of(sessions: async_sessionmaker[AsyncSession], user_id: int) -> OnboardingProgress:
    async with sessions() as session:
        row = await repo.get_progress(session, GUILD, user_id)
        assert row is not None
        return row


def move(user_id: int, expected: int, step: int) -> repo.Move:
    return repo.Move(GUILD, user_id, expected, logic.IN_PROGRESS, step, 0, NOW + timedelta(seconds=step))


async def test_every_kind_of_update_bumps_the_revision(sessions: async_sessionmaker[AsyncSession]) -> None:
    await start(sessions, 1)
    assert (await row_of(sessions, 1)).revision == 0
    async with sessions() as session, session.begin():  # an ORM change (e.g. a moderator's restart)
        row = await repo.get_progress(session, GUILD, 1, for_update=True)
        assert row is not None
        row.reminded_at = NOW
        await session.flush()
        assert row.revision == 1, "the new revision comes back with the UPDATE, no lazy load"
    async with sessions() as session, session.begin():  # a Core UPDATE (e.g. another process's job)
        await session.execute(update(OnboardingProgress).where(OnboardingProgress.user_id == 1).values(step_index=3))
    assert (await row_of(sessions, 1)).revision == 2
    async with sessions() as session, session.begin():  # starting again keeps counting: no ABA
        await repo.start_progress(session, GUILD, 1, content_version="v1", now=NOW)
    assert (await row_of(sessions, 1)).revision == 3


async def test_save_moves_saves_fresh_rows_in_one_batch(sessions: async_sessionmaker[AsyncSession]) -> None:
    await start(sessions, 1, 2, 3)
    async with sessions() as session, session.begin():
        assert await repo.save_moves(session, [move(1, 0, 1), move(2, 0, 1), move(3, 0, 1)]) == [True, True, True]
    for user_id in (1, 2, 3):
        row = await row_of(sessions, user_id)
        assert (row.step_index, row.revision, row.updated_at) == (1, 1, NOW + timedelta(seconds=1))


async def test_save_moves_refuses_exactly_the_stale_ones(sessions: async_sessionmaker[AsyncSession]) -> None:
    await start(sessions, 1, 2, 3)
    async with sessions() as session, session.begin():  # someone else moves user 2 first
        await session.execute(update(OnboardingProgress).where(OnboardingProgress.user_id == 2).values(step_index=7))
    batch = [move(1, 0, 1), move(2, 0, 1), move(3, 0, 1), move(3, 0, 2), move(99, 0, 1)]
    async with sessions() as session, session.begin():
        # user 2 changed meanwhile, user 3 double-clicked within one batch, user 99 has no flow
        assert await repo.save_moves(session, batch) == [True, False, True, False, False]
    assert [(r.step_index, r.revision) for r in [await row_of(sessions, u) for u in (1, 2, 3)]] == \
        [(1, 1), (7, 1), (1, 1)]


async def test_concurrent_clicks_share_one_group_commit(sessions: async_sessionmaker[AsyncSession]) -> None:
    users = list(range(1, 11))
    await start(sessions, *users)
    flows = FlowCache(sessions)
    before = logic.Flow(logic.IN_PROGRESS, 0)
    after = logic.Flow(logic.IN_PROGRESS, 1)
    saved = await asyncio.gather(*(flows.save((GUILD, u), before, after, NOW) for u in users))
    assert saved == [True] * 10
    assert flows.commits == 1, "ten clicks in the same pass of the event loop: one transaction"
    assert flows.get((GUILD, 1)) == logic.Flow(logic.IN_PROGRESS, 1, revision=1)
    rows = [await row_of(sessions, u) for u in users]
    assert [(r.step_index, r.revision) for r in rows] == [(1, 1)] * 10


async def test_a_stale_copy_is_dropped_and_the_row_left_alone(sessions: async_sessionmaker[AsyncSession]) -> None:
    await start(sessions, 1)
    flows = FlowCache(sessions)
    assert await flows.save((GUILD, 1), logic.Flow(logic.IN_PROGRESS, 0), logic.Flow(logic.IN_PROGRESS, 3), NOW)
    async with sessions() as session, session.begin():  # a moderator restarts the flow meanwhile
        await repo.start_progress(session, GUILD, 1, content_version="v1", now=NOW)
    copy = flows.get((GUILD, 1))
    assert copy is not None
    assert not await flows.save((GUILD, 1), copy, logic.Flow(logic.IN_PROGRESS, 1), NOW)
    assert flows.get((GUILD, 1)) is None, "the next click reads the row again"
    assert (await row_of(sessions, 1)).step_index == 0


async def test_a_failed_commit_reaches_every_click_in_it(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.db'}")  # no tables: every write fails
    flows = FlowCache(create_session_factory(engine))
    try:
        results = await asyncio.gather(
            *(flows.save((GUILD, u), logic.Flow(logic.IN_PROGRESS, 0), logic.Flow(logic.IN_PROGRESS, 1), NOW)
              for u in (1, 2)), return_exceptions=True)
    finally:
        await engine.dispose()
    assert all("no such table" in str(r) for r in results), results
    assert flows.commits == 0 and flows.get((GUILD, 1)) is None


async def test_the_copy_is_bounded(sessions: async_sessionmaker[AsyncSession]) -> None:
    flows = FlowCache(sessions, max_flows=3)
    for user_id in range(5):
        flows.remember((GUILD, user_id), logic.Flow(logic.IN_PROGRESS, 0))
    flows.remember((GUILD, 2), logic.Flow(logic.IN_PROGRESS, 1))  # recently used: kept
    flows.remember((GUILD, 5), logic.Flow(logic.IN_PROGRESS, 0))
    assert len(flows) == 3 and flows.get((GUILD, 2)) is not None and flows.get((GUILD, 3)) is None


async def test_row_is_read_back_after_saves(sessions: async_sessionmaker[AsyncSession]) -> None:
    await start(sessions, 1)
    flows = FlowCache(sessions)
    flow = logic.Flow(logic.IN_PROGRESS, 0)
    for step in range(1, 6):
        moved = logic.Flow(logic.IN_PROGRESS, step, revision=flow.revision)
        assert await flows.save((GUILD, 1), flow, moved, NOW)
        copy = flows.get((GUILD, 1))
        assert copy is not None
        flow = copy
    async with sessions() as session:
        row = (await session.execute(select(OnboardingProgress))).scalar_one()
    assert (row.step_index, row.revision) == (5, 5) == (flow.step_index, flow.revision)
