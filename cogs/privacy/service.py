"""Privacy and data rights: the use cases, on plain values (no discord import).

What the bot holds about a person (shown, exported, erased), the audit log for moderators,
departures and the retention purge. The cogs do what only Discord can (roles, the bot's own
messages, case threads) and call this for everything that is read, decided or stored.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content
from bot.errors import BadInput
from bot.languages import LanguageBook
from bot.settings import PrivacySection
from cogs.privacy import logic
from cogs.privacy.inventory import INVENTORY
from db.crypto import DataCipher
from db.repositories import audit
from db.repositories import privacy as repo
from db.session import checkpoint_wal

Sessions = async_sessionmaker[AsyncSession]
NameOf = Callable[[int], str | None]  # a server's name, None when the bot is not in it


@dataclass
class JobReport:
    """What one run of the daily jobs did (counts only)."""

    departed_purged: int = 0
    departures_cancelled: int = 0
    cases_purged: int = 0
    access_purged: int = 0
    threads_deleted: int = 0


@dataclass(frozen=True)
class Erased:
    """What an erasure removed, and the bot's own messages still to take the person off."""

    records: int
    cases_unlinked: int
    servers: int
    total: int
    shown: repo.Shown


@dataclass
class Purge:
    """What the daily purge did in the database, and what is left to do on Discord."""

    report: JobReport
    shown: list[repo.Shown] = field(default_factory=list)
    case_places: list[tuple[int, int | None]] = field(default_factory=list)  # (guild, thread or channel)
    access_places: list[tuple[int, int | None]] = field(default_factory=list)  # the same, of access requests


async def _checkpoint(engine: object) -> None:
    # With secure_delete the erased bytes are zeroed in the pages; this moves those pages out of the
    # write-ahead log into the file and empties the log, so no copy lingers there.
    assert isinstance(engine, AsyncEngine)
    await checkpoint_wal(engine)


class PrivacyService:
    def __init__(self, sessions: Sessions, reads: Sessions, clock: Clock, settings: PrivacySection,
                 cipher: DataCipher, content: Content, languages: LanguageBook | None = None) -> None:
        self.sessions = sessions
        self.reads = reads  # answers even while the database is busy writing
        self.clock = clock
        self.settings = settings
        self.cipher = cipher
        self.content = content
        self.languages = languages or LanguageBook()  # forgets an erased person's language in memory too
        self._last_look: dict[int, datetime] = {}  # user -> last /mydata show or export

    # --- /privacy ------------------------------------------------------------------------------

    def inventory_pages(self) -> list[str]:
        return logic.inventory_pages(INVENTORY, self.settings.retention_days_after_leave,
                                     self.settings.case_retention_days)

    # --- /mydata -------------------------------------------------------------------------------

    def wait_before_look(self, user_id: int) -> int:
        """One look (show or export) per person every few seconds: a person repeating it must not slow
        everyone else's clicks. Seconds still to wait (0: go ahead, and the look is counted now)."""
        now = self.clock.now()
        cooldown = self.settings.mydata_cooldown_seconds
        wait = logic.mydata_wait(self._last_look.get(user_id), now, cooldown)
        if wait:
            return wait
        self._last_look[user_id] = now
        if len(self._last_look) > 10_000:  # keep only people still waiting: the dict stays small
            self._last_look = {k: v for k, v in self._last_look.items() if logic.mydata_wait(v, now, cooldown)}
        return 0

    async def gather(self, user_id: int, guild_id: int | None, name_of: NameOf) -> list[logic.ServerData]:
        """What the bot holds about the person, per server (one server, or all when None)."""
        await self.languages.drain()  # an app language noted behind a click a moment ago is shown too
        async with self.reads() as session:
            data = await repo.collect(session, self.cipher, user_id, guild_id)
        guild_ids = data.guild_ids() | ({guild_id} if guild_id is not None else set())
        retention = self.settings.retention_days_after_leave
        servers: list[logic.ServerData] = []
        for gid in sorted(guild_ids):
            records = tuple(logic.Record(f.table, tuple(f.columns), f.row) for f in data.found
                            if f.row.get("guild_id") == gid)
            cases = tuple(
                logic.FiledCase(number=c["number"], status=c["status"], anonymous=c["anonymous"],
                                created_at=c["created_at"], closed_at=c["closed_at"],
                                text={k: c[k] for k in ("what_happened", "who_involved", "what_would_help",
                                                        "content_warning")})
                for c in data.cases_filed if c["guild_id"] == gid)
            purge_on = None
            for record in records:
                if record.table == "departed_member" and record.row.get("left_at"):
                    left = datetime.fromisoformat(str(record.row["left_at"]))
                    purge_on = logic.purge_after_leave_at(left, retention).strftime("%Y-%m-%d")
            name = name_of(gid) or logic.unknown_server(gid)
            servers.append(logic.ServerData(gid, name, records, cases, purge_on))
        personal = [logic.Record(f.table, tuple(f.columns), f.row) for f in data.found if "guild_id" not in f.row]
        if personal:  # the person's language: theirs in every server, shown once, first
            servers.insert(0, logic.everywhere(personal))
        return servers

    def coi_labels(self) -> dict[str, str]:
        return {c.key: c.display for c in self.content.localized().coi_categories}  # the reader's language

    async def mydata_pages(self, user_id: int, guild_id: int | None, name_of: NameOf) -> list[str]:
        servers = await self.gather(user_id, guild_id, name_of)
        return logic.split_pages(logic.mydata_blocks(servers, self.coi_labels()))

    async def export(self, user_id: int, guild_id: int | None, name_of: NameOf) -> bytes:
        """The JSON file of /mydata export."""
        servers = await self.gather(user_id, guild_id, name_of)
        document = logic.export_document(user_id, self.clock.now(), servers)
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")

    async def erase(self, user_id: int, guild_id: int | None, *, action: str) -> Erased:
        """Erase the person (one server, or all when None), then flush the erased bytes out of the WAL."""
        await self.languages.drain()  # an app language being written behind a click is erased too
        async with self.sessions() as session, session.begin():
            data = await repo.collect(session, self.cipher, user_id, guild_id)
            guilds = data.guild_ids() | ({guild_id} if guild_id is not None else set())
            shown = await repo.shown_about(session, self.cipher, user_id, guild_id)
            result = await repo.erase(session, self.cipher, user_id, guild_id)
            for gid in sorted(guilds):
                # Who erased is deliberately not recorded: only that it happened.
                await audit.record(session, gid, None, action, at=self.clock.now())
            engine = session.bind
        self.languages.forget(user_id)
        await _checkpoint(engine)
        return Erased(result.rows_deleted + result.values_cleared, result.cases_unlinked, len(guilds), result.total,
                      shown)

    # --- /audit --------------------------------------------------------------------------------

    async def audit_pages(self, guild_id: int, action: str | None) -> list[str]:
        try:
            prefix = logic.clean_action_filter(action)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        async with self.reads() as session:
            entries = await audit.recent(session, guild_id, limit=25, action_prefix=prefix)
        lines = [logic.AuditLine(e.created_at, e.actor_id, e.action, e.subject) for e in entries]
        return logic.split_pages(logic.audit_blocks(lines, prefix))

    # --- leaving, rejoining, retention ------------------------------------------------------------

    async def member_left(self, guild_id: int, user_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.member_left(session, guild_id, user_id, self.clock.now())

    async def member_rejoined(self, guild_id: int, user_id: int) -> bool:
        """True when a scheduled deletion was cancelled."""
        async with self.sessions() as session, session.begin():
            return await repo.member_rejoined(session, guild_id, user_id)

    async def purge(self, owned: Callable[[int], bool], still_member: Callable[[int, int], bool]) -> Purge:
        """Purge departed members' data and old closed cases that are due, in this process's servers."""
        purge = Purge(JobReport())
        report = purge.report
        now = self.clock.now()
        erased: list[int] = []
        await self.languages.drain()
        async with self.sessions() as session, session.begin():
            for departure in await repo.departures_due(session, logic.leave_cutoff(
                    now, self.settings.retention_days_after_leave)):
                if not owned(departure.guild_id):
                    continue  # another shard's server: its process checks the member list and purges
                if still_member(departure.guild_id, departure.user_id):
                    # Back in the server (the join was missed): cancel instead of purging.
                    await repo.member_rejoined(session, departure.guild_id, departure.user_id)
                    report.departures_cancelled += 1
                    continue
                # Exactly what /mydata delete does, including what the bot has shown.
                purge.shown.append(await repo.shown_about(session, self.cipher, departure.user_id,
                                                          departure.guild_id))
                await repo.erase(session, self.cipher, departure.user_id, departure.guild_id)
                erased.append(departure.user_id)
                report.departed_purged += 1
            # Only this shard's servers: the case's moderator thread can be deleted only by the
            # process that has the server (else the case row goes but its thread stays forever).
            purged = await repo.purge_closed_cases(session, logic.closed_case_cutoff(
                now, self.settings.case_retention_days), owned=owned)
            report.cases_purged = len(purged)
            for gid, count in sorted(Counter(p.guild_id for p in purged).items()):
                await audit.record(session, gid, None, "privacy.closed_cases_purged", f"count:{count}", at=now)
            # Answered access requests go after the same time as closed cases (docs/access.md).
            answered = await repo.purge_answered_access_requests(session, logic.closed_case_cutoff(
                now, self.settings.case_retention_days), owned=owned)
            report.access_purged = len(answered)
            for gid, count in sorted(Counter(p.guild_id for p in answered).items()):
                await audit.record(session, gid, None, "privacy.access_requests_purged", f"count:{count}", at=now)
            engine = session.bind
        for user_id in erased:
            self.languages.forget(user_id)
        if report.departed_purged or report.cases_purged or report.access_purged:
            await _checkpoint(engine)  # as after /mydata delete: no erased value left in the WAL
        purge.case_places = [(case.guild_id, case.thread_id) for case in purged]
        purge.access_places = [(request.guild_id, request.thread_id) for request in answered]
        return purge
