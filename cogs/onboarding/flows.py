"""Clicks served from memory and saved together: the onboarding hot path.

A click used to read the newcomer's progress and write it back in a transaction of its
own: four statements and about 4 ms of CPU per click, which made a join wave CPU-bound
(issue 8). Now the process keeps a copy of each flow it has served. A click computes its
move from the copy (logic.click_move) and waits for the next group commit, which saves
every pending move in one transaction, each with compare-and-set on `revision`.

- The reply is sent only after the commit, so a crash never loses a click that was answered
  (tests/e2e/test_chaos_kill9.py checks every newcomer's steps).
- Anyone else's change to a row (a restart by a moderator, another shard process, a job, a
  typed "yes") bumps its revision; the compare-and-set then fails and the click takes the
  full path, which reads the row again. Nothing here has to be told about other writers.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cogs.onboarding import logic
from db.repositories import onboarding as repo

Key = tuple[int, int]  # (guild_id, user_id)
MAX_FLOWS = 10_000  # about 2 MB; the least recently clicked are dropped first (they reload on their next click)
# How long the first click of a commit waits for others to join it. A transaction costs far
# more CPU than a row in it; 10 ms is invisible next to Discord's 3 s deadline, and in a join
# wave (hundreds of clicks a second) it gathers several clicks per commit.
GATHER_SECONDS = 0.01


@dataclass(slots=True)
class _Save:
    key: Key
    before: logic.Flow
    after: logic.Flow
    now: datetime
    saved: asyncio.Future[bool]


class FlowCache:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], max_flows: int = MAX_FLOWS,
                 gather_seconds: float = GATHER_SECONDS) -> None:
        self._sessions = sessions
        self._max_flows = max_flows
        self._gather_seconds = gather_seconds
        self._flows: OrderedDict[Key, logic.Flow] = OrderedDict()
        self._pending: list[_Save] = []
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # group commits so far (tests read it)

    def __len__(self) -> int:
        return len(self._flows)

    def get(self, key: Key) -> logic.Flow | None:
        return self._flows.get(key)

    def remember(self, key: Key, flow: logic.Flow) -> None:
        self._flows[key] = flow
        self._flows.move_to_end(key)
        while len(self._flows) > self._max_flows:
            self._flows.popitem(last=False)

    def forget(self, key: Key) -> None:
        self._flows.pop(key, None)

    async def save(self, key: Key, before: logic.Flow, after: logic.Flow, now: datetime) -> bool:
        """Save one click's move with the next group commit. False: the row had changed
        (or is gone) since `before` was read; nothing was saved and the copy is dropped."""
        save = _Save(key, before, after, now, asyncio.get_running_loop().create_future())
        self._pending.append(save)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending(), name="onboarding-group-commit")
        if await save.saved:
            self.remember(key, replace(after, revision=before.revision + 1))
            return True
        self.forget(key)
        return False

    async def _write_pending(self) -> None:
        await asyncio.sleep(self._gather_seconds)  # let other clicks join this commit
        while self._pending:
            batch, self._pending = self._pending, []
            moves = [repo.Move(s.key[0], s.key[1], s.before.revision, s.after.status, s.after.step_index,
                               s.after.declined_count, s.now) for s in batch]
            try:
                async with self._sessions() as session, session.begin():
                    results = await repo.save_moves(session, moves)
            except Exception as error:  # the clicks report it; the next batch tries again
                for s in batch:
                    if not s.saved.done():
                        s.saved.set_exception(error)
                continue
            self.commits += 1
            for s, ok in zip(batch, results, strict=True):
                if not s.saved.done():
                    s.saved.set_result(ok)

    async def drain(self) -> None:
        """Wait for the commit under way (at unload, so no answered click is left unsaved)."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
