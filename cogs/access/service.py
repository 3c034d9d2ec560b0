"""Access needs: the use cases, with no Discord in them.

Plain values in (server, person, the needs picked, their words, a moderator's answer), plain results out
(the request as the summary shows it, and whom to tell). The service owns the sessions, the clock and
the cipher: the person's words are stored encrypted and never logged. Not anonymous: moderators see
who asks (the requester's ID is kept until they erase their data).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.errors import MODERATORS_ONLY, BadInput, Conflict, NotAllowed, NotFound
from bot.i18n import t, t_server
from bot.plaintext import plain
from bot.services import ServiceKey
from cogs.access import logic, texts
from cogs.access.logic import AlreadyAnswered, Need, Status
from db.crypto import DataCipher
from db.models import AccessRequest
from db.repositories import access as repo
from db.repositories import audit

log = logging.getLogger(__name__)

# Filings in one server at the same moment: each loser of a number takes the next. On PostgreSQL every
# round has one winner, so this bounds how many may file at the very same moment (a counter row like
# repair's would remove the bound).
NUMBER_ATTEMPTS = 12


@dataclass(frozen=True)
class Moderator:
    """Someone answering a request, as the facts the adapter read from Discord."""

    user_id: int
    guild_id: int
    is_moderator: bool


@dataclass(frozen=True)
class Request:
    """An access request as the moderators' summary shows it (the person's words decrypted)."""

    request_id: int
    guild_id: int
    number: int
    requester_id: int | None  # None once they erased their data
    needs: tuple[Need, ...]
    detail: str | None
    status: Status
    decided_by: int | None
    decided_at: datetime | None
    thread_id: int | None
    summary_message_id: int | None
    recording_channel_id: int | None
    recording_allowed_at: datetime | None
    created_at: datetime

    @property
    def wants_recording(self) -> bool:
        return Need.RECORDING in self.needs


@dataclass(frozen=True)
class Filed:
    request_id: int
    number: int


class SummaryBoard(Protocol):
    """The Discord side that shows a request's summary (registered by the cog)."""

    async def show_summary(self, request: Request) -> None: ...


class AccessService:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], cipher: DataCipher, clock: Clock) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.clock = clock
        self.board: SummaryBoard | None = None

    def view(self, row: AccessRequest) -> Request:
        return Request(
            request_id=row.id, guild_id=row.guild_id, number=row.number, requester_id=row.requester_id,
            needs=logic.decode_needs(row.needs), detail=self.cipher.decrypt_optional(row.detail_enc),
            status=Status(row.status), decided_by=row.decided_by, decided_at=row.decided_at,
            thread_id=row.thread_id, summary_message_id=row.summary_message_id,
            recording_channel_id=row.recording_channel_id, recording_allowed_at=row.recording_allowed_at,
            created_at=row.created_at)

    # --- the person asking -------------------------------------------------------------------------

    async def file(self, guild_id: int, user_id: int, needs: Iterable[str], detail: str | None, *,
                   email: str) -> Filed:
        """Save a request. BadInput/Conflict (with the person's words given back) when it can't be."""
        picked = logic.parse_needs(needs)
        words = logic.clean_detail(detail)
        if not picked:
            raise BadInput(t(texts.NOTHING_PICKED) + self.given_back(words))
        now = self.clock.now()
        for attempt in range(NUMBER_ATTEMPTS):
            try:
                async with self.sessions() as session, session.begin():
                    waiting = await repo.count_waiting(session, guild_id, user_id)
                    if waiting >= logic.MAX_OPEN:
                        raise Conflict(t(texts.TOO_MANY_OPEN, count=waiting, email=email)
                                       + self.given_back(words))
                    row = await repo.create(session, guild_id=guild_id, requester_id=user_id,
                                            needs=logic.encode_needs(picked),
                                            detail_enc=self.cipher.encrypt_optional(words), at=now)
                    return Filed(row.id, row.number)
            except IntegrityError:
                if attempt == NUMBER_ATTEMPTS - 1:
                    raise
                log.info("access: two requests took the same number at once; trying the next")
        raise AssertionError("unreachable")

    @staticmethod
    def given_back(words: str | None) -> str:
        """The person's own words, shown as typed (no markdown, no links), so a refusal loses nothing."""
        words = logic.clean_detail(words)
        return t(texts.YOUR_WORDS, detail=plain(words)) if words else ""

    # --- moderators answering ----------------------------------------------------------------------

    @staticmethod
    def _check_moderator(moderator: Moderator) -> None:
        # Before any lookup: a made-up request ID learns nothing.
        if not moderator.is_moderator:
            raise NotAllowed(MODERATORS_ONLY)

    @staticmethod
    def _check_place(row: AccessRequest | None, moderator: Moderator) -> AccessRequest:
        if row is None:
            raise NotFound(t_server(texts.REQUEST_GONE))
        if row.guild_id != moderator.guild_id:
            raise NotFound(t_server(texts.WRONG_SERVER))
        return row

    async def decide(self, request_id: int, moderator: Moderator, decision: Status) -> Request:
        """Mark the request arranged or not possible (once): one transaction with its audit entry."""
        self._check_moderator(moderator)
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            row = self._check_place(await repo.locked(session, request_id), moderator)
            try:
                status = logic.decide(row.status, decision)
            except AlreadyAnswered:
                label = t_server(texts.STATUS_LABELS.get(row.status, row.status))
                raise Conflict(t_server(texts.ALREADY_ANSWERED, number=row.number, status=label)) from None
            await repo.decide(session, row, status=status.value, moderator_id=moderator.user_id, at=now)
            await audit.record(session, row.guild_id, moderator.user_id, f"access.{status.value}",
                               f"access:{row.id}", at=now)
            return self.view(row)

    async def check_recording(self, request_id: int, moderator: Moderator) -> Request:
        """Before the recording form opens: a moderator, this server, a request that asked for a recording."""
        self._check_moderator(moderator)
        async with self.sessions() as session:
            row = self._check_place(await repo.get(session, request_id), moderator)
        request = self.view(row)
        if not request.wants_recording:
            raise BadInput(t_server(texts.NO_RECORDING_ASKED, number=request.number))
        if request.status is Status.NOT_POSSIBLE:
            raise Conflict(t_server(texts.RECORDING_AFTER_NOT_POSSIBLE, number=request.number))
        return request

    async def recording_allowed(self, request_id: int, moderator: Moderator, channel_id: int) -> Request:
        """Record on the request that a recording exception was granted from it (where, when, by whom)."""
        self._check_moderator(moderator)
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            row = self._check_place(await repo.locked(session, request_id), moderator)
            await repo.recording_allowed(session, row, channel_id=channel_id, at=now)
            await audit.record(session, row.guild_id, moderator.user_id, "access.recording", f"access:{row.id}",
                               at=now)
            return self.view(row)

    # --- reading ------------------------------------------------------------------------------------

    async def request(self, request_id: int) -> Request | None:
        async with self.sessions() as session:
            row = await repo.get(session, request_id)
        return self.view(row) if row is not None else None

    async def refresh_summaries(self, request_ids: Sequence[int]) -> None:
        """Re-render these requests' posted summaries (e.g. after the requester erased their data)."""
        if self.board is None:
            return
        for request_id in request_ids:
            request = await self.request(request_id)
            if request is not None:
                await self.board.show_summary(request)

    # --- routing's records ------------------------------------------------------------------------

    async def unrouted(self, guild_ids: Iterable[int]) -> list[int]:
        async with self.sessions() as session:
            return [r.id for r in await repo.unrouted(session, guild_ids)]

    async def set_place(self, request_id: int, place_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_place(session, request_id, place_id)

    async def set_summary_message(self, request_id: int, message_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_summary_message(session, request_id, message_id)

    def place_token(self, request: Request) -> str:
        """A per-request secret for a channel topic: proves the bot created the channel for it."""
        return self.cipher.blind_index(request.guild_id, f"access-place:{request.request_id}:{request.number}")[:16]


ACCESS = ServiceKey("access", AccessService)  # bot.services[ACCESS]: the access feature's use cases
