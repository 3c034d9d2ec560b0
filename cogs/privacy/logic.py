"""Pure rules and text for privacy: retention dates, plain-language reports, pages.

No discord, no sqlalchemy, no db imports: the cog turns database rows into the plain
`Record`/`FiledCase` values below and sends what these functions return.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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
    pages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _cut(block.strip("\n"), limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                pages.append(current)
                current = piece
    if current:
        pages.append(current)
    return pages or [""]


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
    return f"Page {index + 1} of {total}"


# --- the inventory in plain language ---------------------------------------------------------


def inventory_blocks(inventory: Sequence[TableDoc], retention_days: float, case_days: float) -> list[str]:
    intro = (
        "**What I store and why**\n" + INTRO.replace("`retention_days_after_leave` (default 30)",
                                                     f"`retention_days_after_leave` (here: {retention_days:g} days)")
        .replace("`case_retention_days` (default 365)", f"`case_retention_days` (here: {case_days:g} days)")
    )
    blocks = [intro]
    for table in inventory:
        columns = "; ".join(text for _name, text in table.columns)
        blocks.append(f"**{table.title}**\nWhy: {table.why}\nDeleted: {table.deleted}\nWhat is kept: {columns}.")
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


MODERATOR_COLUMNS: dict[tuple[str, str], str] = {
    ("audit_log", "actor_id"): "moderator actions in the audit log",
    ("waiting_room", "started_by"): "waiting rooms you opened",
    ("meeting", "started_by"): "meetings you opened",
    ("confidential_space", "added_by"): "spaces you marked confidential",
    ("recording_exception", "granted_by"): "recording exceptions you granted",
    ("onboarding_question", "answered_by"): "newcomers' questions you answered",
    ("repair_case", "assignee_id"): "repair cases assigned to you",
    ("repair_event", "actor_id"): "entries you made in repair case histories",
    ("waiting_room", "moved_member_ids"): "waiting rooms you were moved into",
}


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str) and len(value) >= 10:
        return value[:10]
    return "an unknown date"


def _short(text: str | None, limit: int = 120) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe_server(data: ServerData, coi_labels: Mapping[str, str]) -> str:
    """Plain-language account of what the bot holds about the person in one server."""
    lines = [f"**{data.guild_name}**"]
    if data.empty:
        lines.append("Nothing stored.")
        return "\n".join(lines)
    by_table: dict[str, list[Record]] = {}
    for record in data.records:
        by_table.setdefault(record.table, []).append(record)
    handled: set[str] = set()

    for r in by_table.get("membership", []):
        lines.append(f"• Membership: you said yes to the agreements (version {r.row.get('content_version')}) "
                     f"on {_date(r.row.get('accepted_at'))}.")
    for r in by_table.get("onboarding_progress", []):
        lines.append(f"• Onboarding: {str(r.row.get('status', '')).replace('_', ' ')}, "
                     f"on step {int(r.row.get('step_index') or 0) + 1}, started {_date(r.row.get('started_at'))}.")
    questions = [r for r in by_table.get("onboarding_question", []) if "user_id" in r.columns]
    if questions:
        lines.append(f"• Questions you asked during onboarding: {len(questions)}.")
        for r in questions:
            lines.append(f"  – {_date(r.row.get('asked_at'))}: \"{_short(r.row.get('question'))}\"")
    tags = by_table.get("coi_tag", [])
    if tags:
        names = ", ".join(coi_labels.get(str(r.row.get("category_key")), str(r.row.get("category_key")))
                          for r in tags)
        lines.append(f"• Conflict of interest (COI) tags: {names}.")
    notes = [r for r in by_table.get("meeting", []) if "notetaker_id" in r.columns]
    if notes:
        dates = ", ".join(_date(r.row.get("started_at")) for r in notes)
        lines.append(f"• You volunteered to take notes at {len(notes)} meeting(s): {dates}.")
    for case in data.cases:
        anon = " (anonymous — only you can see this link)" if case.anonymous else ""
        closed = f", closed {case.closed_at[:10]}" if case.closed_at else ""
        filed = case.created_at[:10] if case.created_at else "an unknown date"
        lines.append(f"• Repair case #{case.number} you filed{anon}: {case.status.replace('_', ' ')}, "
                     f"filed {filed}{closed}.")
    for r in by_table.get("departed_member", []):
        lines.append(f"• You left this server on {_date(r.row.get('left_at'))}.")
    handled.update({"membership", "onboarding_progress", "coi_tag", "departed_member"})

    counts: dict[str, int] = {}
    for record in data.records:
        for column in record.columns:
            label = MODERATOR_COLUMNS.get((record.table, column))
            if label is None:
                if record.table in handled or (record.table, column) in (
                        ("onboarding_question", "user_id"), ("meeting", "notetaker_id")):
                    continue
                label = f"other records in `{record.table}` ({column})"
            counts[label] = counts.get(label, 0) + 1
    for label, count in counts.items():
        lines.append(f"• {label[0].upper()}{label[1:]}: {count}.")
    if data.purge_on:
        lines.append(f"Everything above will be deleted on {data.purge_on} unless you rejoin.")
    return "\n".join(lines)


def mydata_blocks(servers: Sequence[ServerData], coi_labels: Mapping[str, str]) -> list[str]:
    if all(s.empty for s in servers):
        return ["**What I hold about you**\nNothing. I have no records about you"
                + (" in this server." if len(servers) == 1 else ".")]
    head = ("**What I hold about you**\nOnly you can see this. `/mydata export` sends it as a file; "
            "`/mydata delete` erases it (you will be asked to confirm first).")
    return [head, *(describe_server(s, coi_labels) for s in servers if not s.empty)]


def export_document(user_id: int, generated_at: datetime, servers: Sequence[ServerData]) -> dict[str, Any]:
    """The JSON export: the same facts as /mydata show, with every stored field."""
    return {
        "about": "Everything the coalition bot stores about you. Encrypted text is included only where it "
                 "is your own words (your questions and the cases you filed).",
        "user_id": str(user_id),
        "generated_at": generated_at.isoformat(),
        "servers": [
            {
                "guild_id": str(s.guild_id),
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
    where = "in every server we share" if scope_all else f"in **{server_name}**"
    return (
        f"**Delete what I hold about you {where}?**\n"
        "This deletes:\n"
        "• your onboarding progress and history, and your membership record\n"
        "• questions you asked during onboarding\n"
        "• your conflict of interest (COI) tags\n"
        "• your meeting note-taker records\n"
        "• your link to any repair case you filed, anonymous ones too. The case itself stays with the "
        "moderators so they can finish the repair work; it will show \"former member\" instead of you.\n"
        "• your ID in moderator records (audit log, case histories), which then show \"former member\".\n\n"
        "In Discord, I will remove your COI roles (I manage those). I will **not** remove your Member role, "
        "kick you, or delete any messages — you stay in the server exactly as you are.\n"
        "This cannot be undone. If you change your mind later, you can go through onboarding or tag your "
        "COI again."
    )


def delete_done(records: int, cases: int, roles_removed: int, roles_failed: int) -> str:
    parts = [f"Done. I deleted or cleared {records} record(s) about you"]
    if cases:
        parts.append(f" and removed your link to {cases} repair case(s); they now show \"former member\"")
    text = "".join(parts) + "."
    if roles_removed:
        text += f" I removed {roles_removed} COI role(s) from you."
    if roles_failed:
        text += (f" I could not remove {roles_failed} COI role(s) (missing permission); a moderator can remove "
                 "them, or you can ask one to.")
    return text + " Your Member role and your messages are untouched."


DELETE_CANCELLED = "Okay, nothing was deleted. Your data stays as it was."


# --- audit log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    created_at: datetime
    actor_id: int | None
    action: str
    subject: str | None


def audit_blocks(entries: Sequence[AuditLine], action_filter: str | None) -> list[str]:
    title = "**Audit log — most recent first**" + (f" (actions starting with `{action_filter}`)"
                                                  if action_filter else "")
    if not entries:
        return [title + "\nNo entries yet."]
    lines = [title]
    for e in entries:
        actor = f"<@{e.actor_id}>" if e.actor_id else "former member / the bot"
        subject = f" · {e.subject}" if e.subject else ""
        lines.append(f"`{e.created_at.strftime('%Y-%m-%d %H:%M')}` **{e.action}** by {actor}{subject}")
    return ["\n".join(lines)]


def clean_action_filter(value: str | None) -> str | None:
    """Normalise the optional `action` filter; refuse odd characters with a clear reason."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip().lower()
    if len(cleaned) > 64 or not all(ch.isalnum() or ch in "._-" for ch in cleaned):
        raise ValueError("An action filter is a word like `repair` or `repair.close` (letters, digits, dots).")
    return cleaned


MYDATA_TOO_SOON = (
    "I showed you your data a moment ago, and nothing has changed since unless you did something new. To keep "
    "the bot quick for everyone, please ask again in about {seconds} seconds."
)


def mydata_wait(last: datetime | None, now: datetime, cooldown_seconds: float) -> int:
    """Whole seconds until one person may look at their data again (0: now)."""
    if last is None:
        return 0
    left = cooldown_seconds - (now - last).total_seconds()
    return max(1, math.ceil(left)) if left > 0 else 0
