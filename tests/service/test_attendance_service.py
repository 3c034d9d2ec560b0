"""Attendance on a real database: organizations, affiliations, one check-in per person per meeting
(also when two presses land together), only open monthly meetings of the same server, and figures
counted per organization and per year."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.errors import BadInput, Conflict, NotFound
from cogs.attendance.service import AttendanceService
from db.models import AttendanceCheckIn
from db.repositories import coi as coi_repo

GUILD, OTHER_GUILD, MOD, ANA, DEE, BEN = 10, 11, 1, 20, 21, 22


async def meeting(sessions: async_sessionmaker[AsyncSession], kind: str, at: datetime, *, guild: int = GUILD,
                  ended: bool = False) -> int:
    async with sessions() as session, session.begin():
        row = await coi_repo.create_meeting(session, guild_id=guild, channel_id=5, started_by=MOD, started_at=at,
                                            kind=kind)
        if ended:
            await coi_repo.end_meeting(session, row.id, at + timedelta(hours=1))
        return row.id


async def test_organizations_and_affiliations(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    service = AttendanceService(sessions, clock)
    hrn = await service.add_organization(GUILD, MOD, "  Harm   Reduction Now ")
    assert hrn.name == "Harm Reduction Now"
    with pytest.raises(Conflict):
        await service.add_organization(GUILD, MOD, "harm reduction now")
    for bad in ("", "   ", "x" * 81, "Individual"):
        with pytest.raises(BadInput):
            await service.add_organization(GUILD, MOD, bad)
    elsewhere = await service.add_organization(OTHER_GUILD, MOD, "Elsewhere")

    assert (await service.set_affiliation(GUILD, ANA, str(hrn.id))).organization == hrn
    assert (await service.set_affiliation(GUILD, DEE, "HARM reduction now")).organization == hrn  # typed name
    assert (await service.set_affiliation(GUILD, BEN, "individual")).organization is None
    with pytest.raises(BadInput):  # another server's organization is not on this server's list
        await service.set_affiliation(GUILD, BEN, str(elsewhere.id))
    assert await service.suggestions(GUILD, "harm", individual=True) == [(hrn.name, str(hrn.id))]
    assert (await service.suggestions(GUILD, "", individual=True))[0][1] == "individual"

    assert await service.clear_affiliation(GUILD, DEE)
    assert not await service.clear_affiliation(GUILD, DEE)
    await service.remove_organization(GUILD, MOD, str(hrn.id))
    assert await service.affiliation(GUILD, ANA) is None  # their claim went with it
    with pytest.raises(NotFound):
        await service.remove_organization(GUILD, MOD, str(hrn.id))


async def test_one_check_in_per_person_per_open_monthly_meeting(
        sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    service = AttendanceService(sessions, clock)
    hrn = await service.add_organization(GUILD, MOD, "HRN")
    await service.set_affiliation(GUILD, ANA, str(hrn.id))
    monthly = await meeting(sessions, "monthly", clock.now())
    first, second = await asyncio.gather(service.check_in(GUILD, monthly, ANA), service.check_in(GUILD, monthly, ANA))
    assert sorted([first.new, second.new]) == [False, True]
    assert next(c for c in (first, second) if c.new).organization == "HRN"
    async with sessions() as session:
        rows = (await session.execute(select(AttendanceCheckIn))).scalars().all()
    assert [(r.user_id, r.organization_id) for r in rows] == [(ANA, hrn.id)]

    other = await meeting(sessions, "other", clock.now())
    with pytest.raises(BadInput):
        await service.check_in(GUILD, other, ANA)
    ended = await meeting(sessions, "monthly", clock.now(), ended=True)
    with pytest.raises(Conflict):
        await service.check_in(GUILD, ended, ANA)
    elsewhere = await meeting(sessions, "monthly", clock.now(), guild=OTHER_GUILD)
    with pytest.raises(NotFound):  # a meeting of another server
        await service.check_in(GUILD, elsewhere, ANA)
    with pytest.raises(NotFound):
        await service.check_in(GUILD, 999_999, ANA)
    alone = await service.check_in(GUILD, monthly, BEN)
    assert alone.new and alone.organization is None


async def test_figures_count_meetings_an_organization_attended_in_the_year(
        sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    service = AttendanceService(sessions, clock)
    hrn = await service.add_organization(GUILD, MOD, "HRN")
    quiet = await service.add_organization(GUILD, MOD, "Quiet")
    for person in (ANA, DEE):
        await service.set_affiliation(GUILD, person, str(hrn.id))
    year = 2031
    last_year = await meeting(sessions, "monthly", datetime(year - 1, 12, 31, 23, 0, tzinfo=UTC))
    meetings = [await meeting(sessions, "monthly", datetime(year, month, 5, 18, 0, tzinfo=UTC))
                for month in (1, 2, 3)]
    await meeting(sessions, "other", datetime(year, 4, 5, 18, 0, tzinfo=UTC))  # doesn't count
    for person in (ANA, DEE):  # two people at one meeting: the organization attended it once
        await service.check_in(GUILD, meetings[0], person)
    await service.check_in(GUILD, last_year, ANA)

    report = await service.report(GUILD, year)
    assert report.held == 3
    by_name = {f.organization: f for f in report.figures}
    assert (by_name["HRN"].attended, by_name["HRN"].meets_ask, by_name["HRN"].needed) == (1, False, 2)
    assert (by_name["Quiet"].attended, by_name["Quiet"].meets_ask) == (0, False)
    await service.check_in(GUILD, meetings[2], DEE)
    assert (await service.own_figure(GUILD, ANA, year)).attended == 2
    assert (await service.own_figure(GUILD, ANA, year)).meets_ask
    assert (await service.report(GUILD, year - 1)).held == 1
    empty = await service.report(GUILD, 2020)
    assert empty.held == 0 and all(f.attended == 0 for f in empty.figures)

    with pytest.raises(NotFound):
        await service.own_figure(GUILD, BEN, year)  # said nothing
    await service.set_affiliation(GUILD, BEN, "individual")
    with pytest.raises(NotFound):
        await service.own_figure(GUILD, BEN, year)
    assert quiet.id != hrn.id
