"""Organizations, who represents which, and meeting check-ins: every read and write of attendance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AttendanceCheckIn, Meeting, Organization, OrganizationAffiliation

MONTHLY = "monthly"  # the meeting kind that counts (cogs.attendance.logic.MONTHLY)


# --- organizations ----------------------------------------------------------------------------------


async def organizations(session: AsyncSession, guild_id: int) -> Sequence[Organization]:
    query = select(Organization).where(Organization.guild_id == guild_id).order_by(Organization.name_key)
    return (await session.execute(query)).scalars().all()


async def organization(session: AsyncSession, guild_id: int, organization_id: int) -> Organization | None:
    found = await session.get(Organization, organization_id)
    return found if found is not None and found.guild_id == guild_id else None  # never another server's


async def organization_named(session: AsyncSession, guild_id: int, name_key: str) -> Organization | None:
    query = select(Organization).where(Organization.guild_id == guild_id, Organization.name_key == name_key)
    return (await session.execute(query)).scalars().first()


async def count_organizations(session: AsyncSession, guild_id: int) -> int:
    query = select(func.count()).select_from(Organization).where(Organization.guild_id == guild_id)
    return int((await session.execute(query)).scalar_one())


async def add_organization(session: AsyncSession, guild_id: int, name: str, name_key: str,
                           at: datetime) -> Organization:
    row = Organization(guild_id=guild_id, name=name, name_key=name_key, added_at=at)
    session.add(row)
    await session.flush()
    return row


async def remove_organization(session: AsyncSession, guild_id: int, organization_id: int) -> None:
    """The organization goes, and with it who said they represent it; its past check-ins stay as
    anyone's attendance (counted for no organization)."""
    await session.execute(delete(OrganizationAffiliation).where(
        OrganizationAffiliation.guild_id == guild_id, OrganizationAffiliation.organization_id == organization_id))
    await session.execute(update(AttendanceCheckIn).where(
        AttendanceCheckIn.guild_id == guild_id, AttendanceCheckIn.organization_id == organization_id)
        .values(organization_id=None))
    await session.execute(delete(Organization).where(
        Organization.guild_id == guild_id, Organization.id == organization_id))


# --- affiliations -----------------------------------------------------------------------------------


async def affiliation(session: AsyncSession, guild_id: int, user_id: int) -> OrganizationAffiliation | None:
    return await session.get(OrganizationAffiliation, (guild_id, user_id))


async def set_affiliation(session: AsyncSession, guild_id: int, user_id: int, organization_id: int | None,
                          at: datetime) -> None:
    row = await affiliation(session, guild_id, user_id)
    if row is None:
        session.add(OrganizationAffiliation(guild_id=guild_id, user_id=user_id, organization_id=organization_id,
                                            set_at=at))
    else:
        await session.execute(update(OrganizationAffiliation).where(
            OrganizationAffiliation.guild_id == guild_id, OrganizationAffiliation.user_id == user_id)
            .values(organization_id=organization_id, set_at=at))
    await session.flush()


async def clear_affiliation(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    result = await session.execute(delete(OrganizationAffiliation).where(
        OrganizationAffiliation.guild_id == guild_id, OrganizationAffiliation.user_id == user_id))
    return bool(getattr(result, "rowcount", 0))


# --- meetings and check-ins --------------------------------------------------------------------------


async def meeting(session: AsyncSession, guild_id: int, meeting_id: int) -> Meeting | None:
    found = await session.get(Meeting, meeting_id)
    return found if found is not None and found.guild_id == guild_id else None


async def checked_in(session: AsyncSession, meeting_id: int, user_id: int) -> bool:
    return await session.get(AttendanceCheckIn, (meeting_id, user_id)) is not None


async def add_check_in(session: AsyncSession, guild_id: int, meeting_id: int, user_id: int,
                       organization_id: int | None) -> None:
    """One per person per meeting (the primary key refuses a second: IntegrityError at flush)."""
    session.add(AttendanceCheckIn(guild_id=guild_id, meeting_id=meeting_id, user_id=user_id,
                                  organization_id=organization_id))
    await session.flush()


async def monthly_meetings_held(session: AsyncSession, guild_id: int, start: datetime, end: datetime) -> int:
    query = select(func.count()).select_from(Meeting).where(
        Meeting.guild_id == guild_id, Meeting.kind == MONTHLY, Meeting.started_at >= start, Meeting.started_at < end)
    return int((await session.execute(query)).scalar_one())


async def meetings_attended(session: AsyncSession, guild_id: int, start: datetime, end: datetime,
                            organization_id: int | None = None) -> dict[int, int]:
    """organization id -> how many of the period's monthly meetings at least one of its people checked in to."""
    query = (select(AttendanceCheckIn.organization_id, func.count(func.distinct(AttendanceCheckIn.meeting_id)))
             .join(Meeting, Meeting.id == AttendanceCheckIn.meeting_id)
             .where(AttendanceCheckIn.guild_id == guild_id, AttendanceCheckIn.organization_id.is_not(None),
                    Meeting.guild_id == guild_id, Meeting.kind == MONTHLY, Meeting.started_at >= start,
                    Meeting.started_at < end)
             .group_by(AttendanceCheckIn.organization_id))
    if organization_id is not None:
        query = query.where(AttendanceCheckIn.organization_id == organization_id)
    return {int(org): int(count) for org, count in (await session.execute(query)).all() if org is not None}
