"""Shared machinery for the chaos tests (tests/e2e/test_chaos_*.py).

A scripted newcomer walks the whole onboarding like a person who keeps going when Discord
says "This interaction failed": a click whose callback never lands (the bot was dead, the
gateway was down, or Discord's callback endpoint failed) is simply made again on the message
as it looks NOW. The walker checks, after every click that worked, that the message shows
exactly one step more than the last one it saw: nothing is lost (never an earlier step) and
nothing is skipped (a stale re-click after an in-flight click that did commit shows the
saved step, it does not advance twice).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
import tomllib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import text

from db.session import create_engine
from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message, ScriptedUser
from tests.emulator.users import InteractionResult

from .conftest import BotProcess
from .test_onboarding_flow import COI_STEP, OPEN_DM, PATCH_MEMBER, POST_MESSAGE, TOTAL

__all__ = ["COI_STEP", "OPEN_DM", "PATCH_MEMBER", "POST_MESSAGE", "TOTAL"]

STEP_RE = re.compile(r"Step (\d+) of (\d+)")
DONE_MARK = "now a member"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def seed_from_env(name: str) -> int:
    """The run's seed: `name` from the environment, else a fresh one (printed by the test)."""
    value = os.environ.get(name)
    return int(value) if value else random.SystemRandom().randrange(10**9)


def shown_step(msg: Message) -> int | None:
    found = STEP_RE.search(msg.content)
    return int(found.group(1)) if found else None


class BotControl:
    """The bot subprocess plus what the scripted people need to know about it: whether it is up
    (set after a restart is ready), and how many times it died."""

    def __init__(self, proc: BotProcess) -> None:
        self.proc = proc
        self.up = asyncio.Event()
        self.up.set()
        self.epoch = 0
        self.kills = 0
        self.kill_times: list[float] = []  # time.monotonic(), the emulator's request-log clock

    async def wait_up(self, timeout: float = 90.0) -> None:  # noqa: ASYNC109
        await asyncio.wait_for(self.up.wait(), timeout)

    async def kill9_and_restart(self, downtime: float) -> None:
        self.up.clear()
        self.epoch += 1
        self.kill_times.append(time.monotonic())
        await self.proc.kill9()
        self.kills += 1
        await asyncio.sleep(downtime)  # people keep clicking and joining while it is dead
        await self.proc.start()
        self.up.set()


@dataclass
class Figures:
    clicks: int = 0
    failed_clicks: int = 0
    failed_while_down: int = 0
    non_edit_replies: list[str] = field(default_factory=list)
    filings: int = 0
    failed_filings: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"clicks": self.clicks, "clicks_retried": self.failed_clicks,
                "clicks_failed_while_bot_down": self.failed_while_down,
                "filing_attempts": self.filings, "filing_attempts_failed": self.failed_filings}


RETRYABLE = ("timed out", "has no gateway session")


class Person:
    """Makes interactions like a person: if nothing comes back, wait until the bot is back."""

    def __init__(self, emu: Emulator, control: BotControl | None, figures: Figures, rng: random.Random,
                 think: tuple[float, float] = (0.0, 0.08)) -> None:
        self.emu, self.control, self.figures, self.rng, self.think_range = emu, control, figures, rng, think

    @property
    def click_timeout(self) -> float:
        # A callback cannot land after Discord's deadline; a little margin for the loopback.
        return self.emu.interaction_deadline + 1.0

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think_range))

    async def attempt(self, act: Callable[[], Awaitable[InteractionResult]]) -> InteractionResult | None:
        """One interaction; None when it failed the way a dead bot or a flaky network makes it fail."""
        epoch = self.control.epoch if self.control else 0
        was_up = self.control.up.is_set() if self.control else True
        self.figures.clicks += 1
        try:
            result = await act()
        except AssertionError as exc:
            if not any(m in str(exc) for m in RETRYABLE):
                raise
            result = None
        if result is not None and result.type is not None:
            return result
        self.figures.failed_clicks += 1
        if self.control is not None:
            if self.control.epoch != epoch or not was_up or not self.control.up.is_set():
                self.figures.failed_while_down += 1
            await self.control.wait_up()
        await self.think()
        return None


@dataclass
class Walk:
    """What one newcomer saw."""

    user: ScriptedUser
    coi: list[str] | None
    joined_at: float = 0.0
    first_dm: Message | None = None
    steps_seen: list[int] = field(default_factory=list)
    retried: int = 0
    done: bool = False


async def walk_onboarding(person: Person, walk: Walk, *, first_dm_timeout: float) -> None:
    """From the first DM to "Yes", retrying failed clicks; asserts no lost and no skipped step."""
    user = walk.user
    msg = await user.wait_dm(lambda m: bool(m.buttons) and "Step 1 of" in m.content, timeout=first_dm_timeout)
    walk.first_dm = msg
    last = shown_step(msg)
    assert last == 1, msg.content[:80]
    walk.steps_seen.append(1)
    picked = walk.coi is None
    while True:
        await person.think()
        if DONE_MARK in msg.content:
            break
        now = shown_step(msg)
        assert now == last, f"{user.name}: message shows step {now}, last successfully reached {last}"
        if not picked and now == COI_STEP + 1:
            assert walk.coi is not None
            coi = walk.coi
            result = await person.attempt(partial(user.select, msg, coi, timeout=person.click_timeout))
            if result is None:
                walk.retried += 1
                continue
            assert result.type == 7, f"{user.name}: COI pick answered with type {result.type}: {result.text[:200]}"
            assert shown_step(msg) == now
            picked = True
            continue
        label = "Let's begin" if now == 1 else "Yes" if now == TOTAL else "I understand and agree"
        result = await person.attempt(partial(user.click, msg, label, timeout=person.click_timeout))
        if result is None:
            walk.retried += 1
            continue
        if result.type != 7:
            person.figures.non_edit_replies.append(f"{user.name} step {now} {label}: {result.text[:300]}")
            walk.retried += 1
            continue
        if label == "Yes":
            assert DONE_MARK in msg.content, f"{user.name}: 'Yes' showed {msg.content[:200]!r}"
            break
        after = shown_step(msg)
        assert after == last + 1, (f"{user.name}: clicked on step {last}, the message now shows step {after} "
                                   "(a lost or skipped step)")
        last = after
        walk.steps_seen.append(after)
    walk.done = True


# --- evidence -----------------------------------------------------------------------------------


def member_grants(emu: Emulator, sg: StandardGuild) -> Counter[int]:
    """Successful PATCH /guilds/{g}/members/{u} requests that ADD the Member role, per user."""
    member_role = sg.guild.role("Member").id
    counts: Counter[int] = Counter()
    for r in emu.requests(route=PATCH_MEMBER):
        if not 200 <= r.status < 300 or str(member_role) not in [str(x) for x in (r.body or {}).get("roles", [])]:
            continue
        user_id = int(r.path.rstrip("/").rsplit("/", 1)[1])
        counts[user_id] += 1
    return counts


def first_dm_times(emu: Emulator, user: ScriptedUser, sg: StandardGuild) -> list[float]:
    """When Discord accepted a first onboarding step into this person's DM channel."""
    dm = user.dm_channel(sg.bot)
    if dm is None:
        return []
    return [r.time for r in emu.requests(route=POST_MESSAGE, path_contains=f"/channels/{dm.id}/")
            if 200 <= r.status < 300 and "Step 1 of" in str((r.body or {}).get("content", ""))]


def first_dms_delivered(emu: Emulator, user: ScriptedUser, sg: StandardGuild) -> int:
    return len(first_dm_times(emu, user, sg))


def ack_figures(emu: Emulator) -> dict[str, float]:
    lat = sorted(emu.ack_latencies())
    if not lat:
        return {}
    return {"ack_p50_ms": round(lat[len(lat) // 2] * 1000), "ack_p99_ms": round(lat[int(len(lat) * 0.99)] * 1000),
            "ack_max_ms": round(lat[-1] * 1000), "unanswered_interactions": len(emu.unacknowledged_interactions())}


def status_counts(emu: Emulator, since: int = 0) -> Counter[int]:
    return Counter(r.status for r in emu.request_log[since:])


async def count_rows(config_text: str, sql: str) -> int:
    """Run a count query on the bot's own database (whatever the config points at)."""
    url = tomllib.loads(config_text)["database"]["url"]
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


# --- repair filings during the wave -------------------------------------------------------------


@dataclass
class Filing:
    """One try at /repair request; `marker` is unique text in "what happened" to find its case."""

    who: ScriptedUser
    anonymous: bool
    marker: str
    case_number: int | None = None  # from the receipt ("... saved as case #N")


CASE_RE = re.compile(r"case #(\d+)")


async def file_repair(person: Person, user: ScriptedUser, sg: StandardGuild, *, anonymous: bool, marker: str,
                      filings: list[Filing]) -> Filing:
    """/repair request -> named/anonymous -> modal -> receipt. Any step that fails ends the try
    (the person starts over with a fresh try); a try is recorded before its modal is submitted."""
    person.figures.filings += 1
    started = await person.attempt(lambda: user.slash(sg.guild, "repair request", timeout=person.click_timeout))
    attempt = Filing(user, anonymous, marker)
    if started is None or started.message is None:
        person.figures.failed_filings += 1
        return attempt
    step = started.message
    label = "File anonymously" if anonymous else "File with my name"
    chosen = await person.attempt(lambda: user.click(step, label, timeout=person.click_timeout))
    if chosen is None or chosen.modal is None:
        person.figures.failed_filings += 1
        return attempt
    modal = chosen.modal
    filings.append(attempt)
    submitted = await person.attempt(lambda: modal.submit(
        {"what": f"{marker}: someone talked over me at the meeting.", "who": "A member.",
         "help": "A conversation."}, timeout=person.click_timeout))
    if submitted is None:
        person.figures.failed_filings += 1
        return attempt
    try:
        receipt = await submitted.wait_message(lambda m: "case #" in m.text, timeout=8.0)
    except AssertionError:
        person.figures.failed_filings += 1
        return attempt
    found = CASE_RE.search(receipt.text)
    assert found, receipt.text
    attempt.case_number = int(found.group(1))
    return attempt


def case_summaries(sg: StandardGuild) -> dict[str, list[Message]]:
    """Summary messages (embed + buttons) per case place name (case-N thread or channel)."""
    out: dict[str, list[Message]] = {}
    for channel in sg.guild.channels.values():
        if channel.name.startswith("case-"):
            out.setdefault(channel.name, []).extend(
                m for m in channel.all_messages() if m.embeds and m.buttons and not m.deleted)
    return out
