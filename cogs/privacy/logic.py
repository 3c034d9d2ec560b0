"""Pure rules and text for privacy: retention dates, plain-language reports, pages.

No discord, no sqlalchemy, no db imports: the cog turns database rows into the plain
`Record`/`FiledCase` values below and sends what these functions return. Reports for the person
asking are rendered in their language (`t`, set by the interaction pipeline); the audit log, read by
moderators, in the server's (`t_server`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import LANGUAGES, t, t_server, tn
from bot.plaintext import pack_pages
from cogs.access import texts as access_texts
from cogs.privacy import texts
from cogs.privacy.inventory import INTRO, TableDoc

PAGE_LIMIT = 3900  # below Discord's 4096-character embed description
MESSAGE_LIMIT = 2000


# --- retention -----------------------------------------------------------------------------


def purge_after_leave_at(left_at: datetime, retention_days: float) -> datetime:
    return left_at + timedelta(days=retention_days)


def leave_purge_due(left_at: datetime, now: datetime, retention_days: float) -> bool:
    return now >= purge_after_leave_at(left_at, retention_days)


def closed_case_cutoff(now: datetime, case_retention_days: float) -> datetime:
    """Closed cases whose closed_at is on or before this moment are purged."""
    return now - timedelta(days=case_retention_days)


def leave_cutoff(now: datetime, retention_days: float) -> datetime:
    """Departures on or before this moment are due for the purge."""
    return now - timedelta(days=retention_days)


# --- pages ---------------------------------------------------------------------------------


def split_pages(blocks: Iterable[str], limit: int = PAGE_LIMIT) -> list[str]:
    """Pack text blocks into pages of at most `limit` characters, never splitting a block
    unless it alone is too long (then it is cut on line breaks, or hard as a last resort)."""
    pieces = (piece for block in blocks for piece in _cut(block.strip("\n"), limit))
    return pack_pages(pieces, limit, sep="\n\n") or [""]


def _cut(block: str, limit: int) -> list[str]:
    if len(block) <= limit:
        return [block]
    out: list[str] = []
    current = ""
    for line in block.split("\n"):
        while len(line) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = line
    if current:
        out.append(current)
    return out


def page_footer(index: int, total: int) -> str:
    return t(texts.PAGE_OF, page=index + 1, total=total)


# --- the inventory in plain language ---------------------------------------------------------


def inventory_blocks(inventory: Sequence[TableDoc], retention_days: float, case_days: float) -> list[str]:
    """The inventory in the reader's language: its sentences are marked `N_` and translated here."""
    intro = t(INTRO, retention=t(texts.RETENTION_HERE, days=retention_days),
              case_retention=t(texts.CASE_RETENTION_HERE, days=case_days))
    blocks = [t(texts.INVENTORY_HEADING) + "\n" + intro + "\n\n" + t(texts.LANGUAGE_NOTE)]
    for table in inventory:
        columns = t(texts.COLUMN_SEPARATOR).join(t(text) for _name, text in table.columns)
        blocks.append(t(texts.TABLE, title=t(table.title), why=t(table.why), deleted=t(table.deleted),
                        columns=columns))
    return blocks


def inventory_pages(inventory: Sequence[TableDoc], retention_days: float, case_days: float) -> list[str]:
    return split_pages(inventory_blocks(inventory, retention_days, case_days))


# --- "what the bot holds about me" -------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One stored row that mentions the person, and which of its columns did."""

    table: str
    columns: tuple[str, ...]
    row: Mapping[str, Any]


@dataclass(frozen=True)
class FiledCase:
    number: int
    status: str
    anonymous: bool
    created_at: str | None
    closed_at: str | None
    text: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerData:
    guild_id: int
    guild_name: str
    records: tuple[Record, ...]
    cases: tuple[FiledCase, ...]
    # When a departure is recorded: the date the rest will be deleted.
    purge_on: str | None = None

    @property
    def empty(self) -> bool:
        return not self.records and not self.cases


MODERATOR_COLUMNS = texts.MODERATOR_COLUMNS


def unknown_server(guild_id: int) -> str:
    return t(texts.UNKNOWN_SERVER, guild_id=guild_id)


EVERYWHERE_ID = 0  # the ServerData of what belongs to no one server (the person's language)


def everywhere(records: Sequence[Record]) -> ServerData:
    return ServerData(EVERYWHERE_ID, t(texts.EVERYWHERE), tuple(records), ())


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str) and len(value) >= 10:
        return value[:10]
    return t(texts.UNKNOWN_DATE)


def _status(labels: Mapping[str, str], status: object) -> str:
    """A stored status in words (one the texts don't know yet: as stored, underscores as spaces)."""
    key = str(status or "")
    return t(labels[key]) if key in labels else key.replace("_", " ")


def _short(text: str | None, limit: int = 120) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe_server(data: ServerData, coi_labels: Mapping[str, str]) -> str:
    """Plain-language account of what the bot holds about the person in one server."""
    lines = [t(texts.SERVER_HEADING, name=data.guild_name)]
    if data.empty:
        lines.append(t(texts.NOTHING_STORED))
        return "\n".join(lines)
    by_table: dict[str, list[Record]] = {}
    for record in data.records:
        by_table.setdefault(record.table, []).append(record)
    handled: set[str] = set()

    for r in by_table.get("membership", []):
        lines.append(t(texts.MEMBERSHIP, version=r.row.get("content_version"), date=_date(r.row.get("accepted_at"))))
    for r in by_table.get("onboarding_progress", []):
        lines.append(t(texts.ONBOARDING, status=_status(texts.ONBOARDING_STATUSES, r.row.get("status")),
                       step=int(r.row.get("step_index") or 0) + 1, date=_date(r.row.get("started_at"))))
    questions = [r for r in by_table.get("onboarding_question", []) if "user_id" in r.columns]
    if questions:
        lines.append(t(texts.QUESTIONS, count=len(questions)))
        for r in questions:
            lines.append(t(texts.QUESTION, date=_date(r.row.get("asked_at")), question=_short(r.row.get("question"))))
    tags = by_table.get("coi_tag", [])
    if tags:
        names = t(texts.LIST_SEPARATOR).join(coi_labels.get(str(r.row.get("category_key")),
                                                            str(r.row.get("category_key"))) for r in tags)
        lines.append(t(texts.COI_TAGS, names=names))
    for r in by_table.get("organization_affiliation", []):
        lines.append(t(texts.AFFILIATION if r.row.get("organization_id") is not None else texts.AFFILIATION_INDIVIDUAL))
    check_ins = by_table.get("attendance_checkin", [])
    if check_ins:
        lines.append(tn(texts.CHECK_INS, len(check_ins)))
    notes = [r for r in by_table.get("meeting", []) if "notetaker_id" in r.columns]
    if notes:
        dates = t(texts.LIST_SEPARATOR).join(_date(r.row.get("started_at")) for r in notes)
        lines.append(tn(texts.NOTES, len(notes), dates=dates))
    for r in by_table.get("access_request", []):
        if "requester_id" not in r.columns:
            continue
        needs = t(texts.LIST_SEPARATOR).join(t(access_texts.NEED_LABELS[key]) if key in access_texts.NEED_LABELS
                                             else key for key in str(r.row.get("needs") or "").split(",") if key)
        status = str(r.row.get("status"))
        status = t(access_texts.STATUS_LABELS[status]) if status in access_texts.STATUS_LABELS else status
        lines.append(t(texts.ACCESS_REQUEST, number=r.row.get("number"), needs=needs, status=status,
                       date=_date(r.row.get("created_at"))))
        if r.row.get("detail"):
            lines.append(t(texts.ACCESS_WORDS, detail=_short(r.row.get("detail"))))
    for case in data.cases:
        if case.anonymous:
            template = texts.CASE_CLOSED_ANONYMOUS if case.closed_at else texts.CASE_OPEN_ANONYMOUS
        else:
            template = texts.CASE_CLOSED if case.closed_at else texts.CASE_OPEN
        lines.append(t(template, number=case.number, status=_status(texts.CASE_STATUSES, case.status),
                       filed=case.created_at[:10] if case.created_at else t(texts.UNKNOWN_DATE),
                       closed=(case.closed_at or "")[:10]))
    for r in by_table.get("departed_member", []):
        lines.append(t(texts.LEFT, date=_date(r.row.get("left_at"))))
    for r in by_table.get("person_language", []):
        code = str(r.row.get("language"))
        template = texts.LANGUAGE_CHOSEN if r.row.get("chosen") else texts.LANGUAGE_FROM_APP
        lines.append(t(template, language=LANGUAGES.get(code, code)))
    handled.update({"membership", "onboarding_progress", "coi_tag", "departed_member", "organization_affiliation",
                    "attendance_checkin", "person_language"})

    counts: dict[tuple[str, str], int] = {}
    for record in data.records:
        for column in record.columns:
            shown_above = record.table in handled or (record.table, column) in (
                ("onboarding_question", "user_id"), ("meeting", "notetaker_id"), ("access_request", "requester_id"))
            if (record.table, column) not in MODERATOR_COLUMNS and shown_above:
                continue
            counts[(record.table, column)] = counts.get((record.table, column), 0) + 1
    for (table, column), count in counts.items():
        counted = MODERATOR_COLUMNS.get((table, column))
        if counted is None:
            lines.append(t(texts.OTHER_RECORDS, table=table, column=column, count=count))
        else:
            lines.append(t(counted, count=count))
    if data.purge_on:
        lines.append(t(texts.PURGE_ON, date=data.purge_on))
    return "\n".join(lines)


def mydata_blocks(servers: Sequence[ServerData], coi_labels: Mapping[str, str]) -> list[str]:
    if all(s.empty for s in servers):
        return [t(texts.HOLD_NOTHING_HERE if len(servers) == 1 else texts.HOLD_NOTHING)]
    return [t(texts.HOLD_HEAD), *(describe_server(s, coi_labels) for s in servers if not s.empty)]


def export_document(user_id: int, generated_at: datetime, servers: Sequence[ServerData]) -> dict[str, Any]:
    """The JSON export: the same facts as /mydata show, with every stored field."""
    return {
        "about": t(texts.EXPORT_ABOUT),
        "user_id": str(user_id),
        "generated_at": generated_at.isoformat(),
        "servers": [
            {
                "guild_id": str(s.guild_id) if s.guild_id != EVERYWHERE_ID else None,
                "server": s.guild_name,
                "records": [{"table": r.table, "matched": list(r.columns), "fields": _jsonable(dict(r.row))}
                            for r in s.records],
                "repair_cases_you_filed": [
                    {"number": c.number, "status": c.status, "anonymous": c.anonymous,
                     "created_at": c.created_at, "closed_at": c.closed_at, **dict(c.text)}
                    for c in s.cases],
                "scheduled_deletion": s.purge_on,
            }
            for s in servers
        ],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value > 2**53:
        return str(value)  # Discord IDs as text, so no JSON reader rounds them
    return value


# --- deletion ----------------------------------------------------------------------------------


def delete_confirmation(scope_all: bool, server_name: str | None) -> str:
    heading = t(texts.CONFIRM_EVERYWHERE) if scope_all else t(texts.CONFIRM_HERE, server=server_name)
    return f"{heading}\n{t(texts.CONFIRM_BODY)}"


def delete_done(records: int, cases: int, roles_removed: int, roles_failed: int) -> str:
    sentences = [tn(texts.DONE, records)]
    if cases:
        sentences.append(tn(texts.CASES_UNLINKED, cases))
    if roles_removed:
        sentences.append(tn(texts.ROLES_REMOVED, roles_removed))
    if roles_failed:
        sentences.append(tn(texts.ROLES_FAILED, roles_failed))
    sentences.append(t(texts.UNTOUCHED))
    return " ".join(sentences)


# --- audit log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    created_at: datetime
    actor_id: int | None
    action: str
    subject: str | None


def audit_blocks(entries: Sequence[AuditLine], action_filter: str | None) -> list[str]:
    title = t_server(texts.AUDIT_TITLE_FILTERED, prefix=action_filter) if action_filter \
        else t_server(texts.AUDIT_TITLE)
    if not entries:
        return [f"{title}\n{t_server(texts.AUDIT_EMPTY)}"]
    lines = [title]
    for e in entries:
        actor = f"<@{e.actor_id}>" if e.actor_id else t_server(texts.AUDIT_NOBODY)
        values = {"when": e.created_at.strftime("%Y-%m-%d %H:%M"), "action": e.action, "actor": actor}
        lines.append(t_server(texts.AUDIT_LINE_WITH_SUBJECT, **values, subject=e.subject) if e.subject
                     else t_server(texts.AUDIT_LINE, **values))
    return ["\n".join(lines)]


def clean_action_filter(value: str | None) -> str | None:
    """Normalise the optional `action` filter; refuse odd characters with a clear reason."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip().lower()
    if len(cleaned) > 64 or not all(ch.isalnum() or ch in "._-" for ch in cleaned):
        raise ValueError(t_server(texts.BAD_ACTION_FILTER))
    return cleaned


def mydata_wait(last: datetime | None, now: datetime, cooldown_seconds: float) -> int:
    """Whole seconds until one person may look at their data again (0: now)."""
    if last is None:
        return 0
    left = cooldown_seconds - (now - last).total_seconds()
    return max(1, math.ceil(left)) if left > 0 else 0
