"""Personal data across EVERY table: find it, erase it, purge it on schedule.

The core of this module is `PERSON_COLUMNS`: for each table, each column that can hold a
person's Discord ID and what erasure does to it. Everything else is generic:

* any column named in `PERSON_COLUMNS` is matched by equality with the person's ID;
* every JSON column (unless kept for safety) is scrubbed of the ID wherever it appears;
* every plain text column is scrubbed of the ID written as text ("user:123", "<@123>");
* repair cases are linked to their requester only through the blind index;
* an access request loses its requester's words with its link to them.

`unhandled_person_columns()` lists Snowflake columns that look like a person's ID but are not
in the registry, so a test fails the day a feature adds one without saying what erasure does.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    LargeBinary,
    MetaData,
    String,
    Text,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.crypto import DataCipher
from db.models import (
    AccessRequest,
    Base,
    DepartedMember,
    OnboardingProgress,
    OnboardingQuestion,
    RecordingException,
    RepairCase,
    RepairEvent,
)

# Stands in for a person who erased their data where a column cannot be empty.
FORMER_MEMBER_ID = 0
FORMER_TEXT = "former"


class Erase(enum.Enum):
    """What erasing a person does to one column that holds their ID."""

    DELETE_ROW = "delete the row"
    SET_NULL = "set to empty"
    SET_FORMER = "set to 0 (a former member)"
    SCRUB_JSON = "removed from the list"
    KEEP_FOR_SAFETY = "kept (see reason)"
    NOT_A_PERSON = "not a person (e.g. a bot)"


PERSON_COLUMNS: dict[str, dict[str, Erase]] = {
    "audit_log": {"actor_id": Erase.SET_NULL},
    "departed_member": {"user_id": Erase.DELETE_ROW},
    # JSON columns that never hold a person are declared too: only the others are scanned for an ID
    # (reading every membership's step fingerprints stalled the bot on large servers).
    "onboarding_progress": {"user_id": Erase.DELETE_ROW, "coi_selection": Erase.NOT_A_PERSON},
    "membership": {"user_id": Erase.DELETE_ROW, "accepted_step_hashes": Erase.NOT_A_PERSON},
    "member_role_hold": {"user_id": Erase.KEEP_FOR_SAFETY},
    "onboarding_question": {"user_id": Erase.DELETE_ROW, "answered_by": Erase.SET_NULL},
    "coi_tag": {"user_id": Erase.DELETE_ROW},
    "organization_affiliation": {"user_id": Erase.DELETE_ROW},
    "attendance_checkin": {"user_id": Erase.DELETE_ROW},
    # The person's language is theirs in every server: any erasure of them (one server's or all) deletes it.
    "person_language": {"user_id": Erase.DELETE_ROW},
    "waiting_room": {"started_by": Erase.SET_FORMER, "moved_member_ids": Erase.SCRUB_JSON,
                     "category_keys": Erase.NOT_A_PERSON},
    "meeting": {"started_by": Erase.SET_FORMER, "notetaker_id": Erase.SET_NULL},
    "confidential_space": {"added_by": Erase.SET_FORMER},
    "recording_exception": {"granted_by": Erase.SET_FORMER, "bot_user_id": Erase.NOT_A_PERSON},
    "repair_case": {"assignee_id": Erase.SET_NULL, "excluded_moderator_ids": Erase.KEEP_FOR_SAFETY},
    "repair_event": {"actor_id": Erase.SET_NULL},
    # The request stays for the moderators' record (its needs and answer), without who asked nor their words
    # (`erase` clears `detail_enc` with the link), like a repair case's requester link.
    "access_request": {"requester_id": Erase.SET_NULL, "decided_by": Erase.SET_NULL},
}
# Why some IDs survive an erasure (shown in docs and /privacy).
KEEP_REASONS: dict[tuple[str, str], str] = {
    ("member_role_hold", "user_id"): (
        "moderators took this person's member role away; forgetting that would let anyone regain the role by "
        "erasing their data and saying yes again. Deleted when a moderator allows them back."
    ),
    ("repair_case", "excluded_moderator_ids"): (
        "a requester asked that these moderators never see their case; forgetting the exclusion "
        "would show the case to the very person it is about. Deleted with the case."
    ),
}
# Snowflake columns that are never a person: places, messages, the row's own server.
NOT_PERSON_NAMES = ("guild_id", "channel_id", "message_id", "target_id", "thread_id")


def _is_snowflake(column: Column[Any]) -> bool:
    return isinstance(column.type, BigInteger)


def unhandled_person_columns(metadata: MetaData | None = None) -> list[str]:
    """Snowflake columns that may hold a person's ID and that PERSON_COLUMNS does not cover."""
    missing: list[str] = []
    for table in (metadata or Base.metadata).sorted_tables:
        known = PERSON_COLUMNS.get(table.name, {})
        for column in table.columns:
            if column.name in known or not _is_snowflake(column) or (column.primary_key and column.name == "id"):
                continue
            if column.name.endswith(NOT_PERSON_NAMES):
                continue
            missing.append(f"{table.name}.{column.name}")
    return missing


def stale_person_columns() -> list[str]:
    """Registry entries whose table or column no longer exists."""
    out: list[str] = []
    for table_name, columns in PERSON_COLUMNS.items():
        table = Base.metadata.tables.get(table_name)
        out += [f"{table_name}.{c}" for c in columns if table is None or c not in table.columns]
    return out


# --- pure helpers (unit tested) --------------------------------------------------------


def scrub_json(value: Any, user_id: int) -> tuple[Any, bool]:
    """Remove `user_id` (as int or string) from a JSON value: list items are dropped, dict
    values become None, dict keys equal to it are dropped. Returns (new value, changed)."""
    text = str(user_id)

    def matches(v: Any) -> bool:
        return (isinstance(v, int) and not isinstance(v, bool) and v == user_id) or (
            isinstance(v, str) and v == text)

    if matches(value):
        return None, True
    if isinstance(value, list):
        out_list: list[Any] = []
        changed = False
        for item in value:
            if matches(item):
                changed = True
                continue
            new, sub = scrub_json(item, user_id)
            changed |= sub
            out_list.append(new)
        return out_list, changed
    if isinstance(value, dict):
        out_dict: dict[Any, Any] = {}
        changed = False
        for key, item in value.items():
            if matches(key):
                changed = True
                continue
            new, sub = scrub_json(item, user_id)
            changed |= sub
            out_dict[key] = new
        return out_dict, changed
    if isinstance(value, str) and text in value:
        scrubbed = scrub_text(value, user_id)
        return scrubbed, scrubbed != value
    return value, False


def scrub_text(text: str, user_id: int) -> str:
    """Replace the ID written inside text (not part of a longer number) with "former"."""
    return re.sub(rf"(?<!\d){user_id}(?!\d)", FORMER_TEXT, text)


def contains_id(value: Any, user_id: int) -> bool:
    """Whether a stored value holds the ID as an integer or anywhere as text."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == user_id
    if isinstance(value, (bytes, bytearray, memoryview)):
        return str(user_id).encode() in bytes(value)
    if isinstance(value, str):
        return re.search(rf"(?<!\d){user_id}(?!\d)", value) is not None
    if isinstance(value, list):
        return any(contains_id(v, user_id) for v in value)
    if isinstance(value, dict):
        return any(contains_id(k, user_id) or contains_id(v, user_id) for k, v in value.items())
    return str(user_id) in str(value)


# --- finding a person's rows ----------------------------------------------------------------


def _is_text(column: Column[Any]) -> bool:
    return isinstance(column.type, (String, Text)) and not column.name.endswith(("_enc", "_index"))


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON)


def _guild_filter(table: Any, guild_id: int | None) -> list[ColumnElement[bool]]:
    if guild_id is None or "guild_id" not in table.c:
        return []
    return [table.c.guild_id == guild_id]


@dataclass
class Found:
    """One row that mentions the person, and which columns matched."""

    table: str
    columns: list[str]
    row: dict[str, Any]


@dataclass
class PersonalData:
    """Everything stored about one person (in one server, or in all of them)."""

    user_id: int
    found: list[Found] = field(default_factory=list)
    # Repair cases linked to the person through the blind index, content decrypted for them.
    cases_filed: list[dict[str, Any]] = field(default_factory=list)

    def guild_ids(self) -> set[int]:
        ids = {int(f.row["guild_id"]) for f in self.found if f.row.get("guild_id") is not None}
        return ids | {int(c["guild_id"]) for c in self.cases_filed}


async def _requester_indexes(session: AsyncSession, cipher: DataCipher, user_id: int,
                             guild_id: int | None) -> list[str]:
    if guild_id is not None:
        guild_ids: Iterable[int] = [guild_id]
    else:
        guild_ids = (await session.execute(select(RepairCase.guild_id).distinct())).scalars().all()
    return [cipher.blind_index(g, str(user_id)) for g in guild_ids]


async def cases_filed_by(session: AsyncSession, cipher: DataCipher, user_id: int,
                         guild_id: int | None) -> Sequence[RepairCase]:
    indexes = await _requester_indexes(session, cipher, user_id, guild_id)
    if not indexes:
        return []
    query = select(RepairCase).where(RepairCase.requester_index.in_(indexes)).order_by(RepairCase.id)
    return (await session.execute(query)).scalars().all()


OWN_CASE_FIELDS = ("what_happened_enc", "who_involved_enc", "what_would_help_enc", "content_warning_enc")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


async def collect(session: AsyncSession, cipher: DataCipher, user_id: int,
                  guild_id: int | None = None) -> PersonalData:
    """Every row that holds `user_id` (equality on person columns, or inside JSON),
    plus the cases they filed. Encrypted values are decrypted only where they are the
    person's own words (their questions, their case text)."""
    data = PersonalData(user_id)
    for table in Base.metadata.sorted_tables:
        policies = PERSON_COLUMNS.get(table.name, {})
        person_cols = [c for c, how in policies.items()
                       if how not in (Erase.NOT_A_PERSON, Erase.KEEP_FOR_SAFETY) and not _is_json(table.c[c])]
        # Never show anyone a safety exclusion that names them; never scan what holds no person.
        json_cols = [c.name for c in table.columns
                     if _is_json(c) and policies.get(c.name) not in (Erase.KEEP_FOR_SAFETY, Erase.NOT_A_PERSON)]
        conditions: list[ColumnElement[bool]] = [table.c[c] == user_id for c in person_cols]
        if json_cols:
            conditions += [table.c[c].is_not(None) for c in json_cols]
        if not conditions:
            continue
        query = select(table).where(or_(*conditions), *_guild_filter(table, guild_id))
        for row in (await session.execute(query)).mappings():
            matched = [c for c in person_cols if row[c] == user_id]
            matched += [c for c in json_cols if contains_id(row[c], user_id)]
            if not matched:
                continue
            values: dict[str, Any] = {}
            # What is about them, never another person's fingerprint: other people's IDs (e.g. the
            # asker of a question they answered, excluded moderators) and keyed fingerprints such as a
            # case's requester_index (the same value on two cases names an anonymous requester).
            others = {c for c, how in policies.items() if c not in matched and how is not Erase.NOT_A_PERSON}
            for column in table.columns:
                value = row[column.name]
                if column.name in others or column.name.endswith("_index"):
                    continue
                if column.name in matched and _is_json(column):
                    values[column.name] = "includes you"  # the rest of the list is other people
                    continue
                if column.name.endswith("_enc"):
                    own = table.name == "onboarding_question" and "user_id" in matched
                    own = own or (table.name == "repair_event" and "actor_id" in matched)
                    own = own or (table.name == "access_request" and "requester_id" in matched)
                    if own and value is not None:
                        values[column.name.removesuffix("_enc")] = cipher.decrypt(value)
                    continue
                values[column.name] = _plain(value)
            data.found.append(Found(table.name, matched, values))
    for case in await cases_filed_by(session, cipher, user_id, guild_id):
        item: dict[str, Any] = {
            "guild_id": case.guild_id, "number": case.number, "anonymous": case.anonymous,
            "status": case.status, "created_at": _plain(case.created_at), "closed_at": _plain(case.closed_at),
        }
        for name in OWN_CASE_FIELDS:
            item[name.removesuffix("_enc")] = cipher.decrypt_optional(getattr(case, name))
        data.cases_filed.append(item)
    return data


# --- what the bot has shown in Discord ------------------------------------------------------


@dataclass
class Shown:
    """The bot's own Discord messages that carry a person's words or name, found before an erasure
    (afterwards the rows that point at them are gone): re-rendered, redacted or deleted after it."""

    named_case_ids: list[int] = field(default_factory=list)
    # (channel_id, message_id, case number) of "@them wrote (case #N)" lines in named cases
    relay_posts: list[tuple[int, int, int]] = field(default_factory=list)
    # (channel_id, message_id) of their onboarding questions posted for moderators
    question_posts: list[tuple[int, int]] = field(default_factory=list)
    # access requests they made: their summaries name them and show their words
    access_request_ids: list[int] = field(default_factory=list)


async def shown_about(session: AsyncSession, cipher: DataCipher, user_id: int, guild_id: int | None) -> Shown:
    shown = Shown()
    named = [c for c in await cases_filed_by(session, cipher, user_id, guild_id) if not c.anonymous]
    shown.named_case_ids = [c.id for c in named]
    for case in named:
        query = select(RepairEvent).where(RepairEvent.case_id == case.id, RepairEvent.kind == "requester_message")
        for event in (await session.execute(query)).scalars():
            posted = (event.data or {}).get("posted")
            if isinstance(posted, list) and len(posted) == 2:
                shown.relay_posts.append((int(posted[0]), int(posted[1]), case.number))
    questions = select(OnboardingQuestion.post_channel_id, OnboardingQuestion.post_message_id).where(
        OnboardingQuestion.user_id == user_id, OnboardingQuestion.post_message_id.is_not(None),
        *_guild_filter(OnboardingQuestion.__table__, guild_id))
    rows = (await session.execute(questions)).all()
    shown.question_posts = [(int(c), int(m)) for c, m in rows if c is not None and m is not None]
    access = select(AccessRequest.id).where(AccessRequest.requester_id == user_id,
                                            *_guild_filter(AccessRequest.__table__, guild_id))
    shown.access_request_ids = [int(i) for i in (await session.execute(access)).scalars()]
    return shown


# --- erasing -------------------------------------------------------------------------------


@dataclass
class ErasureResult:
    rows_deleted: int = 0
    values_cleared: int = 0
    cases_unlinked: int = 0
    by_table: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int, *, deleted: bool) -> None:
        if count <= 0:
            return
        if deleted:
            self.rows_deleted += count
        else:
            self.values_cleared += count
        self.by_table[table] = self.by_table.get(table, 0) + count

    @property
    def total(self) -> int:
        return self.rows_deleted + self.values_cleared + self.cases_unlinked


async def erase(session: AsyncSession, cipher: DataCipher, user_id: int,
                guild_id: int | None = None) -> ErasureResult:
    """Erase the person from every table (one server, or all when guild_id is None).

    Their own rows are deleted; their ID is removed from other rows (set empty, or 0 where a
    column cannot be empty); their link to repair cases they filed is removed while the case
    stays for moderators. Call inside a transaction.
    """
    result = ErasureResult()
    # 1. Repair cases they filed: drop the link, keep the case.
    cases = await cases_filed_by(session, cipher, user_id, guild_id)
    if cases:
        ids = [c.id for c in cases]
        await session.execute(update(RepairCase).where(RepairCase.id.in_(ids))
                              .values(requester_enc=None, requester_index=None))
        result.cases_unlinked += len(ids)
    # 1b. Access requests they made: their words go with the link to them (step 2 clears the link).
    await session.execute(update(AccessRequest).where(
        AccessRequest.requester_id == user_id, AccessRequest.detail_enc.is_not(None),
        *_guild_filter(AccessRequest.__table__, guild_id)).values(detail_enc=None))
    # 2. Columns that hold the ID directly.
    for table_name, columns in PERSON_COLUMNS.items():
        table = Base.metadata.tables.get(table_name)
        if table is None:
            continue
        where_guild = _guild_filter(table, guild_id)
        for column_name, how in columns.items():
            if column_name not in table.c or _is_json(table.c[column_name]):
                continue
            column = table.c[column_name]
            match = and_(column == user_id, *where_guild)
            if how is Erase.DELETE_ROW:
                res = await session.execute(delete(table).where(match))
                result.add(table_name, _count(res), deleted=True)
            elif how is Erase.SET_NULL:
                res = await session.execute(update(table).where(match).values({column_name: None}))
                result.add(table_name, _count(res), deleted=False)
            elif how is Erase.SET_FORMER:
                res = await session.execute(update(table).where(match).values({column_name: FORMER_MEMBER_ID}))
                result.add(table_name, _count(res), deleted=False)
    # 3. JSON and text columns, scanned generically.
    for table in Base.metadata.sorted_tables:
        keep = {c for c, how in PERSON_COLUMNS.get(table.name, {}).items() if how is Erase.KEEP_FOR_SAFETY}
        no_person = {c for c, how in PERSON_COLUMNS.get(table.name, {}).items() if how is Erase.NOT_A_PERSON}
        json_cols = [c for c in table.columns if _is_json(c) and c.name not in keep | no_person]
        text_cols = [c for c in table.columns if _is_text(c) and c.name not in keep]
        if not json_cols and not text_cols:
            continue
        key_cols = list(table.primary_key.columns)
        conditions: list[ColumnElement[bool]] = [c.is_not(None) for c in json_cols]
        conditions += [c.contains(str(user_id)) for c in text_cols]
        query = select(table).where(or_(*conditions), *_guild_filter(table, guild_id))
        for row in (await session.execute(query)).mappings().all():
            changes: dict[str, Any] = {}
            for column in json_cols:
                new, changed = scrub_json(row[column.name], user_id)
                if changed:
                    changes[column.name] = new
            for column in text_cols:
                value = row[column.name]
                if isinstance(value, str) and str(user_id) in value:
                    scrubbed = scrub_text(value, user_id)
                    if scrubbed != value:
                        changes[column.name] = scrubbed
            if changes:
                await session.execute(update(table).where(*[k == row[k.name] for k in key_cols]).values(changes))
                result.add(table.name, len(changes), deleted=False)
    await session.flush()
    return result


def _count(res: Any) -> int:
    return int(getattr(res, "rowcount", 0) or 0)


# --- leaving and retention ------------------------------------------------------------------


async def member_left(session: AsyncSession, guild_id: int, user_id: int, at: datetime) -> None:
    """Delete onboarding progress now and remember the departure (idempotent)."""
    await session.execute(delete(OnboardingProgress).where(
        OnboardingProgress.guild_id == guild_id, OnboardingProgress.user_id == user_id))
    existing = await session.get(DepartedMember, (guild_id, user_id))
    if existing is None:
        session.add(DepartedMember(guild_id=guild_id, user_id=user_id, left_at=at))
    else:
        existing.left_at = at
    await session.flush()


async def member_rejoined(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """A rejoin cancels the scheduled purge. Returns whether one was pending."""
    res = await session.execute(delete(DepartedMember).where(
        DepartedMember.guild_id == guild_id, DepartedMember.user_id == user_id))
    return _count(res) > 0


async def departure(session: AsyncSession, guild_id: int, user_id: int) -> DepartedMember | None:
    return await session.get(DepartedMember, (guild_id, user_id))


async def departures_due(session: AsyncSession, cutoff: datetime) -> Sequence[DepartedMember]:
    query = select(DepartedMember).where(DepartedMember.left_at <= cutoff).order_by(DepartedMember.left_at)
    return (await session.execute(query)).scalars().all()


# Statuses in which a case was closed (cogs/repair/logic.py FINISHED_STATUSES).
FINISHED_STATUSES = ("resolved", "closed")


@dataclass
class PurgedCase:
    guild_id: int
    case_id: int
    thread_id: int | None


async def purge_closed_cases(session: AsyncSession, cutoff: datetime,
                             owned: Callable[[int], bool] | None = None) -> list[PurgedCase]:
    """Delete finished cases (closed as resolved or closed; a reopened case is not finished)
    whose closed_at is on or before `cutoff`, with their events; only in servers for which
    `owned(guild_id)` is true when given (a sharded process purges its own servers)."""
    query = select(RepairCase.id, RepairCase.guild_id, RepairCase.thread_id).where(
        RepairCase.status.in_(FINISHED_STATUSES), RepairCase.closed_at.is_not(None), RepairCase.closed_at <= cutoff)
    rows = [r for r in (await session.execute(query)).all() if owned is None or owned(r.guild_id)]
    if not rows:
        return []
    ids = [r.id for r in rows]
    await session.execute(delete(RepairEvent).where(RepairEvent.case_id.in_(ids)))
    await session.execute(delete(RepairCase).where(RepairCase.id.in_(ids)))
    await session.flush()
    return [PurgedCase(r.guild_id, r.id, r.thread_id) for r in rows]


# Statuses in which an access request has its answer (cogs/access/logic.py DECISIONS).
ANSWERED_STATUSES = ("arranged", "not_possible")


async def purge_answered_access_requests(session: AsyncSession, cutoff: datetime,
                                         owned: Callable[[int], bool] | None = None) -> list[PurgedCase]:
    """Delete access requests answered on or before `cutoff` (like closed repair cases), in the servers
    `owned` says this process handles; a recording exception granted from one forgets the link."""
    query = select(AccessRequest.id, AccessRequest.guild_id, AccessRequest.thread_id).where(
        AccessRequest.status.in_(ANSWERED_STATUSES), AccessRequest.decided_at.is_not(None),
        AccessRequest.decided_at <= cutoff)
    rows = [r for r in (await session.execute(query)).all() if owned is None or owned(r.guild_id)]
    if not rows:
        return []
    ids = [r.id for r in rows]
    await session.execute(update(RecordingException).where(RecordingException.access_request_id.in_(ids))
                          .values(access_request_id=None))
    await session.execute(delete(AccessRequest).where(AccessRequest.id.in_(ids)))
    await session.flush()
    return [PurgedCase(r.guild_id, r.id, r.thread_id) for r in rows]


# --- evidence (tests and /mydata) -------------------------------------------------------------


async def tables_mentioning(session: AsyncSession, user_id: int,
                            ignore: Iterable[tuple[str, str]] = ()) -> list[str]:
    """"table.column" for every stored value that holds the ID, as an integer or as text,
    in any column of any table (a full scan; for tests and audits, not hot paths)."""
    skipped = set(ignore)
    hits: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in (await session.execute(select(table))).mappings():
            for column in table.columns:
                if (table.name, column.name) in skipped:
                    continue
                value = row[column.name]
                if isinstance(column.type, LargeBinary):
                    value = bytes(value) if value is not None else None
                if contains_id(value, user_id):
                    hits.append(f"{table.name}.{column.name}")
    return sorted(set(hits))
