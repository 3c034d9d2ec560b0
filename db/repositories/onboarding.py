"""Onboarding progress, memberships and newcomers' questions (small functions on a session)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

# The statuses are declared once, beside the rules that move between them (logic is pure: no database).
from cogs.onboarding.logic import COMPLETED, IN_PROGRESS, SURFACE_PENDING
from db.models import MemberRoleHold, Membership, OnboardingProgress, OnboardingQuestion
from db.session import driver_fetchall

# Built once: every click loads a flow, and building the expression each time showed in profiles.
_PROGRESS = select(OnboardingProgress).where(OnboardingProgress.guild_id == bindparam("guild_id"),
                                             OnboardingProgress.user_id == bindparam("user_id"))
_PROGRESS_FOR_UPDATE = _PROGRESS.with_for_update()
_MEMBERSHIP = select(Membership).where(Membership.guild_id == bindparam("guild_id"),
                                       Membership.user_id == bindparam("user_id"))


async def get_progress(session: AsyncSession, guild_id: int, user_id: int, *,
                       for_update: bool = False) -> OnboardingProgress | None:
    query = _PROGRESS_FOR_UPDATE if for_update else _PROGRESS
    params = {"guild_id": guild_id, "user_id": user_id}
    return (await session.execute(query, params)).scalar_one_or_none()


class Move(NamedTuple):
    """One click's move, saved only if the row still has `expected_revision`."""

    guild_id: int
    user_id: int
    expected_revision: int
    status: str
    step_index: int
    declined_count: int
    updated_at: datetime


# Compare-and-set: the row's revision must still be the one the move was computed from.
# The SET list omits `revision`, so its onupdate (revision + 1) applies.
_SAVE_MOVE = (update(OnboardingProgress)
              .where(OnboardingProgress.guild_id == bindparam("m_guild_id"),
                     OnboardingProgress.user_id == bindparam("m_user_id"),
                     OnboardingProgress.revision == bindparam("m_expected_revision"))
              .values(status=bindparam("m_status"), step_index=bindparam("m_step_index"),
                      declined_count=bindparam("m_declined_count"), updated_at=bindparam("m_updated_at")))


# SQLite: every move of a group commit in ONE statement, which says which rows it saved. Through
# SQLAlchemy each statement is 3-4 hand-offs to aiosqlite's thread (cursor, execute, fetch, close)
# and the executemany below needed a savepoint around it: 9 hand-offs a commit instead of 1.
_SQLITE_MOVES = ("WITH m(g, u, r, s, i, d, t) AS (VALUES {rows}) "
                 "UPDATE onboarding_progress SET status = m.s, step_index = m.i, declined_count = m.d, "
                 "updated_at = m.t, revision = onboarding_progress.revision + 1 FROM m "
                 "WHERE onboarding_progress.guild_id = m.g AND onboarding_progress.user_id = m.u "
                 "AND onboarding_progress.revision = m.r "
                 "RETURNING onboarding_progress.guild_id, onboarding_progress.user_id")
_SQLITE_MOVES_AT_ONCE = 500  # 7 parameters each, well under SQLite's 32,766


async def _save_moves_sqlite(session: AsyncSession, moves: Sequence[Move]) -> list[bool]:
    connection = await session.connection()
    stamp = OnboardingProgress.__table__.c.updated_at.type.bind_processor(connection.dialect)
    saved: set[tuple[int, int]] = set()
    for start in range(0, len(moves), _SQLITE_MOVES_AT_ONCE):
        chunk = moves[start:start + _SQLITE_MOVES_AT_ONCE]
        params: list[object] = []
        for m in chunk:
            params += [m.guild_id, m.user_id, m.expected_revision, m.status, m.step_index, m.declined_count,
                       stamp(m.updated_at) if stamp is not None else m.updated_at]
        sql = _SQLITE_MOVES.format(rows=", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk)))
        saved.update((int(g), int(u)) for g, u in await driver_fetchall(connection, sql, params))
    return [(m.guild_id, m.user_id) in saved for m in moves]


async def save_moves(session: AsyncSession, moves: Sequence[Move]) -> list[bool]:
    """Save many clicks' moves in the session's transaction; for each, whether it was saved.

    SQLite: one statement (above) unless two moves are for the same row (a double click in
    the same batch). Otherwise one executemany when the driver reports its summed row count
    and every row still matches — the usual case — else (a row changed meanwhile, or
    PostgreSQL's asyncpg, which has no summed count) row by row."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite" and len({(m.guild_id, m.user_id) for m in moves}) == len(moves):
        return await _save_moves_sqlite(session, moves)
    params = [{f"m_{name}": value for name, value in move._asdict().items()} for move in moves]
    if len(params) > 1 and connection.dialect.supports_sane_multi_rowcount:
        savepoint = await connection.begin_nested()
        if (await connection.execute(_SAVE_MOVE, params)).rowcount == len(params):
            await savepoint.commit()
            return [True] * len(params)
        await savepoint.rollback()
    return [(await connection.execute(_SAVE_MOVE, one)).rowcount == 1 for one in params]


async def start_progress(session: AsyncSession, guild_id: int, user_id: int, *, content_version: str,
                         now: datetime, surface: str = "dm", reaffirm_from_version: str = "") -> OnboardingProgress:
    """Begin (or begin again) at step 0; keeps the row's identity, resets everything else."""
    row = await get_progress(session, guild_id, user_id, for_update=True)
    if row is None:
        row = OnboardingProgress(guild_id=guild_id, user_id=user_id)
        session.add(row)
    row.status = IN_PROGRESS
    row.step_index = 0
    row.surface = surface
    row.content_version = content_version
    row.reaffirm_from_version = reaffirm_from_version
    row.declined_count = 0
    row.coi_selection = None
    row.started_at = now
    row.updated_at = now
    row.reminded_at = None
    await session.flush()
    return row


class FlowRow(NamedTuple):
    """The columns of a flow that a click reads."""

    status: str
    step_index: int
    declined_count: int
    coi_selection: list[str] | None
    reaffirm_from_version: str
    content_version: str
    revision: int


async def set_surface(session: AsyncSession, guild_id: int, user_id: int, surface: str) -> FlowRow | None:
    """Where the flow's messages are; returns the flow as saved (None: no flow), so the caller
    can serve the first click from memory without reading it again."""
    query = (update(OnboardingProgress)
             .where(OnboardingProgress.guild_id == guild_id, OnboardingProgress.user_id == user_id)
             .values(surface=surface)
             .returning(*(getattr(OnboardingProgress, name) for name in FlowRow._fields))
             .execution_options(synchronize_session=False))
    row = (await session.execute(query)).one_or_none()
    return None if row is None else FlowRow(*row)


async def delete_progress(session: AsyncSession, guild_id: int, user_id: int) -> None:
    await session.execute(delete(OnboardingProgress).where(
        OnboardingProgress.guild_id == guild_id, OnboardingProgress.user_id == user_id))


async def at_step_for_user(session: AsyncSession, user_id: int, statuses: Sequence[str]) -> list[OnboardingProgress]:
    """A person's flows in any server with one of `statuses`, most recently active first."""
    query = (select(OnboardingProgress)
             .where(OnboardingProgress.user_id == user_id, OnboardingProgress.status.in_(statuses))
             .order_by(OnboardingProgress.updated_at.desc()))
    return list((await session.execute(query)).scalars())


async def stalled_unreminded(session: AsyncSession, updated_before: datetime) -> list[OnboardingProgress]:
    query = (select(OnboardingProgress)
             .where(OnboardingProgress.status == IN_PROGRESS, OnboardingProgress.reminded_at.is_(None),
                    OnboardingProgress.updated_at <= updated_before)
             .order_by(OnboardingProgress.updated_at)
             .limit(200))
    return list((await session.execute(query)).scalars())


async def progress_in_guild(session: AsyncSession, guild_id: int) -> list[OnboardingProgress]:
    query = select(OnboardingProgress).where(OnboardingProgress.guild_id == guild_id)
    return list((await session.execute(query)).scalars())


# --- memberships ------------------------------------------------------------------------


async def get_membership(session: AsyncSession, guild_id: int, user_id: int) -> Membership | None:
    params = {"guild_id": guild_id, "user_id": user_id}
    return (await session.execute(_MEMBERSHIP, params)).scalar_one_or_none()


async def record_membership(session: AsyncSession, guild_id: int, user_id: int, *, content_version: str,
                            step_hashes: dict[str, str], now: datetime,
                            grant_attempted_at: datetime | None = None) -> Membership:
    """Upsert: the content version and step texts the member said yes to, and when. The role is
    owed until Discord confirms it; `grant_attempted_at` says who is granting it (see cog)."""
    row = await get_membership(session, guild_id, user_id)
    if row is None:
        row = Membership(guild_id=guild_id, user_id=user_id)
        session.add(row)
        merged: dict[str, str] = {}
    else:
        merged = dict(row.accepted_step_hashes or {})
    merged.update(step_hashes)
    row.content_version = content_version
    row.accepted_at = now
    row.accepted_step_hashes = merged
    row.reaffirm_requested_version = None
    row.role_granted_at = None
    row.grant_attempted_at = grant_attempted_at  # in the same INSERT/UPDATE: no second statement
    await session.flush()
    return row


async def delete_membership(session: AsyncSession, guild_id: int, user_id: int) -> None:
    await session.execute(delete(Membership).where(Membership.guild_id == guild_id, Membership.user_id == user_id))


async def memberships_in_guild(session: AsyncSession, guild_id: int) -> list[Membership]:
    query = select(Membership).where(Membership.guild_id == guild_id).order_by(Membership.user_id)
    return list((await session.execute(query)).scalars())


async def yes_user_ids(session: AsyncSession, guild_id: int) -> set[int]:
    """Everyone in the server with a recorded yes (IDs only: no JSON column is read)."""
    query = select(Membership.user_id).where(Membership.guild_id == guild_id)
    return set((await session.execute(query)).scalars())


async def outdated_memberships(session: AsyncSession, guild_id: int, current_version: str) -> list[Membership]:
    """Members who accepted another version and were not yet asked to reaffirm this one."""
    query = (select(Membership)
             .where(Membership.guild_id == guild_id, Membership.content_version != current_version)
             .order_by(Membership.user_id))
    rows = (await session.execute(query)).scalars()
    return [m for m in rows if m.reaffirm_requested_version != current_version]


# --- questions ----------------------------------------------------------------------------


async def add_question(session: AsyncSession, guild_id: int, user_id: int, step_index: int,
                       question_enc: bytes, now: datetime) -> OnboardingQuestion:
    row = OnboardingQuestion(guild_id=guild_id, user_id=user_id, step_index=step_index,
                             question_enc=question_enc, asked_at=now)
    session.add(row)
    await session.flush()
    return row


async def question_load(session: AsyncSession, guild_id: int, user_id: int) -> tuple[int, datetime | None]:
    """(unanswered questions, when the last one was asked) of one person in one server."""
    query = select(func.count(OnboardingQuestion.id).filter(OnboardingQuestion.answered_at.is_(None)),
                   func.max(OnboardingQuestion.asked_at)).where(OnboardingQuestion.guild_id == guild_id,
                                                                OnboardingQuestion.user_id == user_id)
    open_count, last = (await session.execute(query)).one()
    return int(open_count or 0), last


async def get_question(session: AsyncSession, question_id: int, *,
                       for_update: bool = False) -> OnboardingQuestion | None:
    query = select(OnboardingQuestion).where(OnboardingQuestion.id == question_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def set_question_post(session: AsyncSession, question_id: int, channel_id: int, message_id: int) -> None:
    """Remember where the question was posted, so erasure and the purge can delete that post."""
    row = await session.get(OnboardingQuestion, question_id)
    if row is not None:
        row.post_channel_id, row.post_message_id = channel_id, message_id


# --- owed role grants (crash-safe, exactly once) ---------------------------------------------


async def pending_grants(session: AsyncSession, guild_ids: Sequence[int], attempted_before: datetime,
                         limit: int = 200) -> list[Membership]:
    """Memberships whose role grant is still owed and not attempted recently, in `guild_ids`."""
    if not guild_ids:
        return []
    query = (select(Membership)
             .where(Membership.guild_id.in_(guild_ids), Membership.role_granted_at.is_(None),
                    (Membership.grant_attempted_at.is_(None)) | (Membership.grant_attempted_at < attempted_before))
             .order_by(Membership.accepted_at)
             .limit(limit))
    return list((await session.execute(query)).scalars())


async def mark_grant(session: AsyncSession, guild_id: int, user_id: int, *, attempted_at: datetime | None = None,
                     granted_at: datetime | None = None) -> None:
    values: dict[str, datetime] = {}
    if attempted_at is not None:
        values["grant_attempted_at"] = attempted_at
    if granted_at is not None:
        values["role_granted_at"] = granted_at
    if values:  # one UPDATE, no read: it runs once per newcomer
        await session.execute(update(Membership)
                              .where(Membership.guild_id == guild_id, Membership.user_id == user_id)
                              .values(**values).execution_options(synchronize_session=False))


async def undelivered(session: AsyncSession, guild_id: int, started_before: datetime) -> list[OnboardingProgress]:
    """Flows whose first message was never delivered (e.g. the bot died right after the join)."""
    query = select(OnboardingProgress).where(OnboardingProgress.guild_id == guild_id,
                                             OnboardingProgress.surface == SURFACE_PENDING,
                                             OnboardingProgress.started_at < started_before)
    return list((await session.execute(query)).scalars())


async def known_user_ids(session: AsyncSession, guild_id: int) -> set[int]:
    """Everyone with a flow or a membership in the server."""
    flows = select(OnboardingProgress.user_id).where(OnboardingProgress.guild_id == guild_id)
    members = select(Membership.user_id).where(Membership.guild_id == guild_id)
    return set((await session.execute(flows)).scalars()) | set((await session.execute(members)).scalars())


# --- member roles moderators removed ------------------------------------------------------------


async def hold_member_role(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> None:
    if await session.get(MemberRoleHold, (guild_id, user_id)) is None:
        session.add(MemberRoleHold(guild_id=guild_id, user_id=user_id, removed_at=now))
        await session.flush()


async def member_role_held(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    return await session.get(MemberRoleHold, (guild_id, user_id)) is not None


async def release_member_role(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """True when there was a hold to lift."""
    result = await session.execute(delete(MemberRoleHold).where(MemberRoleHold.guild_id == guild_id,
                                                                MemberRoleHold.user_id == user_id))
    return bool(getattr(result, "rowcount", 0))


# --- writes on a row the caller has loaded (the unit of work saves them at commit) --------------------


def move(row: OnboardingProgress, status: str, step_index: int, declined_count: int, now: datetime, *,
         content_version: str | None = None) -> None:
    """A click's move on the full path (the hot path saves through `save_moves`)."""
    row.status, row.step_index, row.declined_count, row.updated_at = status, step_index, declined_count, now
    if content_version is not None:
        row.content_version = content_version


def complete(row: OnboardingProgress, now: datetime) -> None:
    row.status = COMPLETED
    row.updated_at = now
    row.reaffirm_from_version = ""


def set_coi_pick(row: OnboardingProgress, keys: list[str], now: datetime) -> None:
    row.coi_selection = keys
    row.updated_at = now


def set_surface_of(row: OnboardingProgress, surface: str) -> None:
    row.surface = surface


def mark_reminded(row: OnboardingProgress, now: datetime) -> None:
    row.reminded_at = now


def request_reaffirm(membership: Membership, version: str) -> None:
    membership.reaffirm_requested_version = version


async def mark_answered(session: AsyncSession, question_id: int, moderator_id: int, now: datetime) -> None:
    await session.execute(update(OnboardingQuestion).where(OnboardingQuestion.id == question_id)
                          .values(answered_at=now, answered_by=moderator_id)
                          .execution_options(synchronize_session=False))
