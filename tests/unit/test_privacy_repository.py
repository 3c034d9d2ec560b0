"""db.repositories.privacy against real databases (SQLite and PostgreSQL): a person with a
row in every table is found, erased everywhere, and nobody else's data is touched.

`seed_every_table` is also used by the end-to-end tests to give a member data in features
whose screens are not the point of the test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import Base
from db.crypto import DataCipher
from db.models import (
    AccessRequest,
    AttendanceCheckIn,
    AuditEntry,
    CoiTag,
    ConfidentialSpace,
    DepartedMember,
    Meeting,
    Membership,
    OnboardingProgress,
    OnboardingQuestion,
    OrganizationAffiliation,
    PersonLanguage,
    RecordingException,
    RepairCase,
    RepairEvent,
    StickyReminder,
    VoiceMeetingState,
    WaitingRoom,
)
from db.repositories import privacy as repo

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
QUESTION = "Is the Tuesday meeting safe for me QMARK-7781?"
CASE_TEXT = "Something happened at the meeting CASEMARK-5521"
ACCESS_TEXT = "Captions please, I am hard of hearing ACCESSMARK-3391"


@dataclass
class Seeded:
    guild_id: int
    user_id: int
    case_numbers: list[int]


async def seed_every_table(session: AsyncSession, cipher: DataCipher, guild_id: int, user_id: int,
                           moderator_id: int, other_id: int, *, at: datetime = T0,
                           channel_id: int = 5551) -> Seeded:
    """Give `user_id` a row (or an ID inside a row) in every table that can hold a person."""
    base = (await session.execute(select(func.coalesce(func.max(RepairCase.number), 0)).where(
        RepairCase.guild_id == guild_id))).scalar_one()
    session.add_all([
        OnboardingProgress(guild_id=guild_id, user_id=user_id, content_version="v1", coi_selection=["funders"],
                           started_at=at, updated_at=at),
        Membership(guild_id=guild_id, user_id=user_id, content_version="v1", accepted_at=at,
                   accepted_step_hashes={"values": "abc"}),
        OnboardingQuestion(guild_id=guild_id, user_id=user_id, step_index=1, question_enc=cipher.encrypt(QUESTION),
                           asked_at=at, answered_at=at, answered_by=moderator_id),
        CoiTag(guild_id=guild_id, user_id=user_id, category_key="funders", declared_at=at),
        WaitingRoom(guild_id=guild_id, channel_id=channel_id, category_keys=["funders"], previous_overwrites={},
                    moved_member_ids=[user_id, other_id], started_by=user_id, reason=f"asked by <@{user_id}>",
                    started_at=at, expires_at=at + timedelta(hours=1)),
        Meeting(guild_id=guild_id, channel_id=channel_id, started_by=moderator_id, notetaker_id=user_id,
                started_at=at),
        ConfidentialSpace(guild_id=guild_id, target_id=channel_id + 1, target_kind="text", added_by=user_id,
                          added_at=at),
        StickyReminder(guild_id=guild_id, channel_id=channel_id + 1, messages_since=3),
        VoiceMeetingState(guild_id=guild_id, channel_id=channel_id + 2),
        RecordingException(guild_id=guild_id, channel_id=channel_id, reason_enc=cipher.encrypt("captions"),
                           granted_by=user_id, starts_at=at, expires_at=at + timedelta(hours=2)),
        AuditEntry(guild_id=guild_id, actor_id=user_id, action="coi.waiting_room.start",
                   subject=f"user:{user_id}", created_at=at),
        DepartedMember(guild_id=guild_id, user_id=user_id, left_at=at),
        OrganizationAffiliation(guild_id=guild_id, user_id=user_id, organization_id=None, set_at=at),
    ])
    await session.flush()
    meeting_id = (await session.execute(select(func.max(Meeting.id)).where(Meeting.guild_id == guild_id))).scalar_one()
    session.add(AttendanceCheckIn(guild_id=guild_id, meeting_id=meeting_id, user_id=user_id, organization_id=None))
    # The person's language belongs to no one server: seeded once, however many servers are seeded.
    await session.merge(PersonLanguage(user_id=user_id, language="es", chosen=True))
    index = cipher.blind_index(guild_id, str(user_id))
    own = RepairCase(guild_id=guild_id, number=base + 1, anonymous=False, requester_enc=cipher.encrypt(str(user_id)),
                     requester_index=index, what_happened_enc=cipher.encrypt(CASE_TEXT), assignee_id=moderator_id,
                     excluded_moderator_ids=[other_id], created_at=at)
    anonymous = RepairCase(guild_id=guild_id, number=base + 2, anonymous=True,
                           requester_enc=cipher.encrypt(str(user_id)), requester_index=index,
                           what_happened_enc=cipher.encrypt("anonymous " + CASE_TEXT), created_at=at)
    assigned = RepairCase(guild_id=guild_id, number=base + 3, anonymous=False,
                          requester_enc=cipher.encrypt(str(other_id)),
                          requester_index=cipher.blind_index(guild_id, str(other_id)),
                          what_happened_enc=cipher.encrypt("other person's case"), assignee_id=user_id,
                          created_at=at)
    session.add_all([own, anonymous, assigned])
    access_base = (await session.execute(select(func.coalesce(func.max(AccessRequest.number), 0)).where(
        AccessRequest.guild_id == guild_id))).scalar_one()
    session.add_all([
        AccessRequest(guild_id=guild_id, number=access_base + 1, requester_id=user_id, needs="captions,recording",
                      detail_enc=cipher.encrypt(ACCESS_TEXT), status="received", created_at=at),
        AccessRequest(guild_id=guild_id, number=access_base + 2, requester_id=other_id, needs="notetaker",
                      detail_enc=cipher.encrypt("another person's words"), status="arranged", decided_by=user_id,
                      decided_at=at, created_at=at)])
    await session.flush()
    session.add_all([
        RepairEvent(case_id=own.id, guild_id=guild_id, actor_id=user_id, kind="submitted",
                    body_enc=cipher.encrypt("my reply"), data={"by": user_id}, created_at=at),
        RepairEvent(case_id=assigned.id, guild_id=guild_id, actor_id=user_id, kind="acknowledged",
                    data={"assignee": str(user_id)}, created_at=at),
    ])
    await session.flush()
    return Seeded(guild_id, user_id, [own.number, anonymous.number])


CIPHER = DataCipher([DataCipher.generate_key()])
G, G2, U, M, OTHER = 900000000000000001, 900000000000000002, 412345678901234567, 512345678901234567, 612345678901234567


async def test_collect_finds_every_table_and_decrypts_only_own_words(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await seed_every_table(session, CIPHER, G, U, M, OTHER)
    async with sessions() as session:
        data = await repo.collect(session, CIPHER, U, G)
    tables = {f.table for f in data.found}
    person_tables = {t for t, cols in repo.PERSON_COLUMNS.items()
                     if any(how not in (repo.Erase.NOT_A_PERSON, repo.Erase.KEEP_FOR_SAFETY) for how in cols.values())}
    assert tables == person_tables
    question = next(f for f in data.found if f.table == "onboarding_question")
    assert question.row["question"] == QUESTION and "question_enc" not in question.row
    mine, answered = sorted((f for f in data.found if f.table == "access_request"), key=lambda f: f.row["number"])
    assert mine.row["detail"] == ACCESS_TEXT and "detail_enc" not in mine.row and mine.columns == ["requester_id"]
    # A request they answered as a moderator: not the asker's ID nor their words.
    assert answered.columns == ["decided_by"] and "requester_id" not in answered.row and "detail" not in answered.row
    exception = next(f for f in data.found if f.table == "recording_exception")
    assert "reason" not in exception.row and "reason_enc" not in exception.row  # not their words
    assert sorted(c["number"] for c in data.cases_filed) == [1, 2]
    assert {c["what_happened"] for c in data.cases_filed} == {CASE_TEXT, "anonymous " + CASE_TEXT}
    # The moderator excluded from a case is never shown that exclusion.
    async with sessions() as session:
        other = await repo.collect(session, CIPHER, OTHER, G)
    assert not any(f.table == "repair_case" and "excluded_moderator_ids" in f.columns for f in other.found)


async def test_erase_leaves_no_trace_keeps_cases_and_spares_others(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await seed_every_table(session, CIPHER, G, U, M, OTHER)
        await seed_every_table(session, CIPHER, G2, U, M, OTHER, channel_id=7771)
    async with sessions() as session:
        assert len(await repo.tables_mentioning(session, U)) > 10
    async with sessions() as session, session.begin():
        result = await repo.erase(session, CIPHER, U, G)
    assert result.cases_unlinked == 2 and result.rows_deleted == 8  # incl. the affiliation, the check-in, the language
    async with sessions() as session:
        # Nothing in server G mentions U any more; server G2 is untouched.
        for table in Base.metadata.sorted_tables:
            if "guild_id" not in table.c:
                continue  # key_check: no server's data
            rows = (await session.execute(select(table).where(table.c.guild_id == G))).mappings().all()
            for row in rows:
                assert not any(repo.contains_id(v, U) for v in row.values()), (table.name, dict(row))
        cases = (await session.execute(select(RepairCase).where(RepairCase.guild_id == G)
                                       .order_by(RepairCase.number))).scalars().all()
        assert [c.number for c in cases] == [1, 2, 3]
        assert cases[0].requester_enc is None and cases[0].requester_index is None
        assert CIPHER.decrypt(cases[0].what_happened_enc) == CASE_TEXT  # content stays for moderators
        assert cases[0].excluded_moderator_ids == [OTHER] and cases[0].assignee_id == M
        assert cases[2].assignee_id is None and cases[2].requester_index == CIPHER.blind_index(G, str(OTHER))
        room = (await session.execute(select(WaitingRoom).where(WaitingRoom.guild_id == G))).scalar_one()
        assert room.moved_member_ids == [OTHER] and room.started_by == repo.FORMER_MEMBER_ID
        assert room.reason == "asked by <@former>"
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.guild_id == G))).scalar_one()
        assert audit.actor_id is None and audit.subject == "user:former"
        # Their access request stays for the moderators' record, without them and without their words.
        requests = (await session.execute(select(AccessRequest).where(AccessRequest.guild_id == G)
                                          .order_by(AccessRequest.number))).scalars().all()
        mine = requests[0]
        assert (mine.requester_id, mine.detail_enc, mine.needs) == (None, None, "captions,recording")
        assert requests[1].requester_id == OTHER and requests[1].decided_by is None
        assert CIPHER.decrypt(requests[1].detail_enc) == "another person's words"  # not theirs: kept
        question = await session.get(Membership, (G2, U))
        assert question is not None
        assert (await repo.collect(session, CIPHER, U, G)).found == []
    async with sessions() as session, session.begin():
        await repo.erase(session, CIPHER, U, None)
    async with sessions() as session:
        assert await repo.tables_mentioning(session, U) == []
        assert "repair_case.excluded_moderator_ids" in await repo.tables_mentioning(session, OTHER)


async def test_leave_rejoin_and_due_departures(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        session.add(OnboardingProgress(guild_id=G, user_id=U, content_version="v1"))
        await session.flush()
        await repo.member_left(session, G, U, T0)
        await repo.member_left(session, G, U, T0 + timedelta(hours=1))  # idempotent: moves the date
    async with sessions() as session, session.begin():
        assert await session.get(OnboardingProgress, (G, U)) is None
        departure = await repo.departure(session, G, U)
        assert departure is not None and departure.left_at == T0 + timedelta(hours=1)
        assert await repo.departures_due(session, T0) == []
        assert len(await repo.departures_due(session, T0 + timedelta(hours=1))) == 1
        assert await repo.member_rejoined(session, G, U) is True
        assert await repo.member_rejoined(session, G, U) is False
        assert await repo.departures_due(session, T0 + timedelta(days=999)) == []


async def test_purge_closed_cases_only_when_old_enough(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        cases = [RepairCase(guild_id=G, number=n, what_happened_enc=CIPHER.encrypt("x"), status=status,
                            closed_at=closed, thread_id=n) for n, status, closed in [
                                (1, "closed", T0), (2, "closed", T0 + timedelta(days=2)), (3, "resolved", None),
                                (4, "reopened", T0), (5, "resolved", T0)]]
        session.add_all(cases)
        await session.flush()
        session.add(RepairEvent(case_id=cases[0].id, guild_id=G, kind="closed"))
    async with sessions() as session, session.begin():
        purged = await repo.purge_closed_cases(session, T0 + timedelta(days=1))
        assert sorted((p.guild_id, p.thread_id) for p in purged) == [(G, 1), (G, 5)]
    async with sessions() as session:
        numbers = (await session.execute(select(RepairCase.number).order_by(RepairCase.number))).scalars().all()
        assert numbers == [2, 3, 4]
        assert (await session.execute(select(func.count()).select_from(RepairEvent))).scalar_one() == 0


async def test_purge_answered_access_requests_only_when_old_enough(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        requests = [AccessRequest(guild_id=G, number=n, requester_id=U, needs="recording", status=status,
                                  decided_at=decided, thread_id=n, created_at=T0) for n, status, decided in [
                                      (1, "arranged", T0), (2, "not_possible", T0 + timedelta(days=2)),
                                      (3, "received", None), (4, "not_possible", T0)]]
        session.add_all(requests)
        await session.flush()
        session.add(RecordingException(guild_id=G, channel_id=1, reason_enc=CIPHER.encrypt("x"), granted_by=M,
                                       starts_at=T0, expires_at=T0 + timedelta(hours=1),
                                       access_request_id=requests[0].id))
    async with sessions() as session, session.begin():
        purged = await repo.purge_answered_access_requests(session, T0 + timedelta(days=1))
        assert sorted((p.guild_id, p.thread_id) for p in purged) == [(G, 1), (G, 4)]
    async with sessions() as session:
        numbers = (await session.execute(select(AccessRequest.number).order_by(AccessRequest.number))).scalars().all()
        assert numbers == [2, 3]
        exception = (await session.execute(select(RecordingException))).scalar_one()
        assert exception.access_request_id is None  # the exception forgets the purged request


async def test_collect_reads_only_the_persons_rows(sessions: async_sessionmaker[AsyncSession],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """/mydata show used to load every membership and onboarding row of the server (their JSON columns
    matched `IS NOT NULL`) and scan each in Python: on a 6,000-member server one person asking a few
    times a second stalled everyone's clicks. Now only the person's own rows (and the few JSON columns
    that can hold people) are read: the scan count stays the same however many members there are."""
    async with sessions() as session, session.begin():
        await seed_every_table(session, CIPHER, G, U, M, OTHER)
        for n in range(300):
            other = 700000000000000000 + n
            session.add_all([
                Membership(guild_id=G, user_id=other, content_version="v1", accepted_at=T0,
                           accepted_step_hashes={f"step{i}": "f" * 16 for i in range(20)}),
                OnboardingProgress(guild_id=G, user_id=other, content_version="v1", coi_selection=["funders"],
                                   started_at=T0, updated_at=T0)])
    scanned: list[object] = []
    real = repo.contains_id

    def counting(value: object, user_id: int) -> bool:
        scanned.append(value)
        return real(value, user_id)

    monkeypatch.setattr(repo, "contains_id", counting)
    async with sessions() as session:
        data = await repo.collect(session, CIPHER, U, G)
    assert {f.table for f in data.found} >= {"membership", "onboarding_progress"}
    assert len(scanned) <= 10, f"{len(scanned)} JSON values scanned for one person"
