"""Meeting attendance by organization: the use cases, on plain values (no discord import).

Moderators keep the list of organizations; a member may say which one they represent (or that they
are here as an individual); an "I'm here" at a monthly Coalition meeting is stored once per person
per meeting with the organization it counted for; staff read each organization's figure against
the 50% ask, and a member reads only their own organization's. Nobody's own attendance is ever
shown to anyone else; erasure (/mydata delete) finds the check-ins and the affiliation by user_id.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.errors import BadInput, Conflict, NotFound
from bot.i18n import t
from bot.plaintext import plain
from bot.services import ServiceKey
from cogs.attendance import logic, texts
from db.models import Organization
from db.repositories import attendance as repo
from db.repositories import audit

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class OrganizationInfo:
    id: int
    name: str


@dataclass(frozen=True)
class Affiliation:
    """What a member said: an organization, or `organization is None` for "individual"."""

    organization: OrganizationInfo | None


@dataclass(frozen=True)
class CheckIn:
    new: bool  # False: they had already checked in to this meeting
    organization: str | None  # what it counted for


class AttendanceService:
    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    # --- organizations (moderators) ----------------------------------------------------------------

    async def organizations(self, guild_id: int) -> list[OrganizationInfo]:
        async with self.sessions() as session:
            return [OrganizationInfo(o.id, o.name) for o in await repo.organizations(session, guild_id)]

    async def add_organization(self, guild_id: int, moderator_id: int, text: str) -> OrganizationInfo:
        try:
            name = logic.clean_name(text)
        except logic.BadName as exc:
            raise BadInput(t(texts.RESERVED_NAME) if str(exc) == "reserved"
                           else t(texts.BAD_NAME, limit=logic.NAME_LIMIT)) from None
        try:
            async with self.sessions() as session, session.begin():
                existing = await repo.organization_named(session, guild_id, logic.name_key(name))
                if existing is not None:
                    raise Conflict(t(texts.ALREADY_LISTED, name=plain(existing.name)))
                if await repo.count_organizations(session, guild_id) >= logic.MAX_ORGANIZATIONS:
                    raise Conflict(t(texts.TOO_MANY, limit=logic.MAX_ORGANIZATIONS))
                row = await repo.add_organization(session, guild_id, name, logic.name_key(name), self.clock.now())
                await audit.record(session, guild_id, moderator_id, "attendance.organization.add",
                                   f"organization:{row.id}", at=self.clock.now())
                return OrganizationInfo(row.id, row.name)
        except IntegrityError:  # another moderator added the same name at the same moment
            raise Conflict(t(texts.ALREADY_LISTED, name=plain(name))) from None

    async def remove_organization(self, guild_id: int, moderator_id: int, choice: str) -> OrganizationInfo:
        async with self.sessions() as session, session.begin():
            found = await self._find(session, guild_id, choice)
            if found is None:
                raise NotFound(t(texts.UNKNOWN_ORGANIZATION))
            info = OrganizationInfo(found.id, found.name)
            await repo.remove_organization(session, guild_id, found.id)
            await audit.record(session, guild_id, moderator_id, "attendance.organization.remove",
                               f"organization:{info.id}", at=self.clock.now())
        return info

    async def suggestions(self, guild_id: int, typed: str, *, individual: bool) -> list[tuple[str, str]]:
        """(label, value) choices for an autocomplete: the organizations matching what was typed."""
        want = logic.name_key(typed)
        found = [(o.name, str(o.id)) for o in await self.organizations(guild_id) if want in logic.name_key(o.name)]
        label = t(texts.INDIVIDUAL_CHOICE)
        if individual and (not want or want in logic.name_key(label) or want in logic.INDIVIDUAL):
            found.insert(0, (label, logic.INDIVIDUAL))
        return found[:25]

    @staticmethod
    async def _find(session: AsyncSession, guild_id: int, choice: str) -> Organization | None:
        """The organization an autocomplete value (its ID) or a typed name means, in this server only."""
        choice = choice.strip()
        if choice.isdigit() and len(choice) < 19:
            found = await repo.organization(session, guild_id, int(choice))
            if found is not None:
                return found
        return await repo.organization_named(session, guild_id, logic.name_key(choice))

    # --- affiliation (the member) --------------------------------------------------------------------

    async def set_affiliation(self, guild_id: int, user_id: int, choice: str) -> Affiliation:
        async with self.sessions() as session, session.begin():
            if logic.name_key(choice) in (logic.INDIVIDUAL, logic.name_key(t(texts.INDIVIDUAL_CHOICE))):
                await repo.set_affiliation(session, guild_id, user_id, None, self.clock.now())
                return Affiliation(None)
            found = await self._find(session, guild_id, choice)
            if found is None:  # a forged or outdated value: only the list's organizations
                raise BadInput(t(texts.UNKNOWN_ORGANIZATION))
            await repo.set_affiliation(session, guild_id, user_id, found.id, self.clock.now())
            return Affiliation(OrganizationInfo(found.id, found.name))

    async def clear_affiliation(self, guild_id: int, user_id: int) -> bool:
        async with self.sessions() as session, session.begin():
            return await repo.clear_affiliation(session, guild_id, user_id)

    async def affiliation(self, guild_id: int, user_id: int) -> Affiliation | None:
        async with self.sessions() as session:
            row = await repo.affiliation(session, guild_id, user_id)
            if row is None:
                return None
            if row.organization_id is None:
                return Affiliation(None)
            found = await repo.organization(session, guild_id, row.organization_id)
            return Affiliation(OrganizationInfo(found.id, found.name) if found is not None else None)

    async def represented(self, guild_id: int, user_id: int, kept: str = "") -> OrganizationInfo:
        """The organization this person says they represent (refused kindly, with `kept` given back, if none)."""
        said = await self.affiliation(guild_id, user_id)
        if said is None or said.organization is None:
            raise NotFound(t(texts.CANNOT_PARTICIPATE_NO_ORGANIZATION) + kept)
        return said.organization

    # --- "I'm here" ----------------------------------------------------------------------------------------

    async def check_in(self, guild_id: int, meeting_id: int, user_id: int) -> CheckIn:
        """Once per person per meeting, only at an open monthly Coalition meeting of this server."""
        try:
            async with self.sessions() as session, session.begin():
                meeting = await repo.meeting(session, guild_id, meeting_id)
                if meeting is None:
                    raise NotFound(t(texts.MEETING_GONE))
                if meeting.kind != logic.MONTHLY:
                    raise BadInput(t(texts.NOT_COUNTED))
                if await repo.checked_in(session, meeting_id, user_id):
                    return CheckIn(False, None)
                if meeting.ended_at is not None:
                    raise Conflict(t(texts.MEETING_ENDED))
                row = await repo.affiliation(session, guild_id, user_id)
                org = (await repo.organization(session, guild_id, row.organization_id)
                       if row is not None and row.organization_id is not None else None)
                await repo.add_check_in(session, guild_id, meeting_id, user_id, org.id if org else None)
                return CheckIn(True, org.name if org else None)
        except IntegrityError:  # two presses at once: the other one saved it
            return CheckIn(False, None)

    # --- figures -------------------------------------------------------------------------------------------

    async def report(self, guild_id: int, year: int) -> logic.Report:
        """Every organization's figure (staff only: the cog checks who asks)."""
        start, end = logic.year_bounds(year)
        async with self.sessions() as session:
            held = await repo.monthly_meetings_held(session, guild_id, start, end)
            orgs = await repo.organizations(session, guild_id)
            attended = await repo.meetings_attended(session, guild_id, start, end) if held else {}
        figures = [logic.Figure(o.name, attended.get(o.id, 0), held) for o in orgs]
        return logic.Report(year, held, logic.sort_figures(figures))

    async def own_figure(self, guild_id: int, user_id: int, year: int) -> logic.Figure:
        """The figure of the organization THIS person represents: there is no way to name another."""
        start, end = logic.year_bounds(year)
        async with self.sessions() as session:
            row = await repo.affiliation(session, guild_id, user_id)
            if row is None:
                raise NotFound(t(texts.MINE_NO_ORGANIZATION))
            org = (await repo.organization(session, guild_id, row.organization_id)
                   if row.organization_id is not None else None)
            if org is None:
                raise NotFound(t(texts.MINE_INDIVIDUAL))
            held = await repo.monthly_meetings_held(session, guild_id, start, end)
            attended = await repo.meetings_attended(session, guild_id, start, end, org.id) if held else {}
        return logic.Figure(org.name, attended.get(org.id, 0), held)

    def this_year(self) -> int:
        return self.clock.now().year


ATTENDANCE = ServiceKey("attendance", AttendanceService)
