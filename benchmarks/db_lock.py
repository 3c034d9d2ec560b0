"""Another program holds SQLite's write lock: does the bot stay responsive and lose nothing?

A volunteer opens the database in a browser tool (or copies it) while the bot runs. Here a
separate process holds the write lock (BEGIN IMMEDIATE) for --hold seconds while newcomers
click through onboarding and a moderator runs a command that reads (/audit recent) and one
that writes (/meeting start). The bot runs in this process (its loop is the one measured;
the emulator shares it, so the lag is an upper bound). Prints ONE JSON line:

- loop_lag_max_ms: the longest the event loop was late to wake up during the hold;
- deadline_misses: interactions not acknowledged within Discord's 3 seconds;
- lost_clicks: clicks the bot acknowledged (showed the next step) that the database lacks;
- busy_replies: interactions answered "busy, try again in a moment";
- reads_answered_during_hold: /audit recent answers with real entries while the lock was held;
- onboarded: newcomers who finished after the lock went (the bot recovers by itself).

    python benchmarks/db_lock.py [--hold 15] [--newcomers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot import heap  # noqa: E402
from db.models import OnboardingProgress  # noqa: E402
from tests.conftest import guild_builder  # noqa: E402
from tests.e2e.conftest import InProcessBot, write_config  # noqa: E402
from tests.emulator import Emulator, ScriptedUser  # noqa: E402

DEADLINE_S = 3.0
ADVANCE_LABELS = ("Let's begin", "I understand and agree")
HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


class Figures:
    def __init__(self) -> None:
        self.interactions = 0
        self.deadline_misses = 0
        self.busy_replies = 0
        self.reads_answered = 0
        self.writes_answered = 0
        self.lag_max_ms = 0.0
        self.shown_step: dict[int, int] = {}  # user id -> step number the bot last showed them


def step_number(text: str) -> int:
    import re

    found = re.search(r"Step (\d+) of (\d+)", text)
    return int(found.group(1)) if found else 0


def record(figures: Figures, result: Any) -> bool:
    """Count one answered interaction; True when the answer was "busy"."""
    figures.interactions += 1
    latency = result.record.ack_latency
    if latency is None or latency > DEADLINE_S:
        figures.deadline_misses += 1
    busy = "busy" in result.text.lower() and "try again" in result.text.lower()
    figures.busy_replies += busy
    return busy


async def walk(user: ScriptedUser, figures: Figures, until: float, rng: random.Random) -> None:
    """Click through the steps until `until` (monotonic), retrying after a "busy" answer."""
    msg = await user.wait_dm(lambda m: bool(m.buttons) and "Step 1 of" in m.content, timeout=30)
    while time.monotonic() < until:
        labels = {b.get("label") for b in msg.buttons if not b.get("disabled")}
        label = next((x for x in ADVANCE_LABELS if x in labels), None)
        if label is None:
            return
        result = await user.click(msg, label, timeout=30)
        if not record(figures, result):
            figures.shown_step[user.id] = step_number(msg.content)
        await asyncio.sleep(rng.uniform(0.3, 0.8))


async def moderate(sg: Any, figures: Figures, until: float, locked: asyncio.Event, voice: Any) -> None:
    while time.monotonic() < until:
        read = await sg.moderator.slash(sg.guild, "audit recent", timeout=30)
        busy = record(figures, read)
        if not busy and locked.is_set():
            figures.reads_answered += 1
        write = await sg.moderator.slash(sg.guild, "meeting start", channel=voice, kind="other", timeout=30)
        if not record(figures, write):
            figures.writes_answered += 1
        await asyncio.sleep(1.0)


async def watch_lag(figures: Figures, locked: asyncio.Event, period: float = 0.01) -> None:
    while True:
        before = time.monotonic()
        await asyncio.sleep(period)
        late = (time.monotonic() - before - period) * 1000
        if locked.is_set():
            figures.lag_max_ms = max(figures.lag_max_ms, late)


async def measure(directory: Path, hold: float = 15.0, newcomers: int = 8, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    emu = Emulator()
    await emu.start()
    handle: InProcessBot | None = None
    holder: asyncio.subprocess.Process | None = None
    figures = Figures()
    try:
        sg = guild_builder(emu)()
        handle = await InProcessBot(sg, directory, write_config(directory, emu)).start()
        heap.settle()  # as `python -m bot` does once ready: no full collections over the start-up heap
        voice = sg.guild.create_voice_channel("coalition-call")
        users = []
        for i in range(newcomers):
            user = emu.create_user(f"newcomer{i}")
            await user.join(sg.guild, roles=[sg.guild.role("Newcomer")])
            users.append(user)
        # The first step reached every newcomer before the lock: the walks start at once.
        for user in users:
            await user.wait_dm(lambda m: bool(m.buttons) and "Step 1 of" in m.content, timeout=30)
        locked = asyncio.Event()
        lag = asyncio.create_task(watch_lag(figures, locked))
        holder = await asyncio.create_subprocess_exec(
            sys.executable, "-c", HOLD_LOCK, str(directory / "bot.db"), str(hold), stdout=asyncio.subprocess.PIPE)
        assert holder.stdout is not None
        await holder.stdout.readline()
        locked.set()
        started = time.monotonic()
        until = started + hold + 6.0  # on after the lock goes: the bot must recover by itself
        released = asyncio.create_task(holder.wait())
        released.add_done_callback(lambda _: locked.clear())
        await asyncio.gather(moderate(sg, figures, until, locked, voice),
                             *(walk(u, figures, until, rng) for u in users))
        await released
        lag.cancel()
        async with handle.bot.sessions() as session:
            rows = {r.user_id: r for r in (await session.execute(select(OnboardingProgress))).scalars()}
        lost = 0
        for user in users:
            shown = figures.shown_step.get(user.id, 1)
            row = rows.get(user.id)
            saved = (row.step_index + 1) if row is not None else 0
            lost += max(0, shown - saved)
        return {
            "hold_s": hold, "newcomers": newcomers, "interactions": figures.interactions,
            "loop_lag_max_ms": round(figures.lag_max_ms, 1), "deadline_misses": figures.deadline_misses,
            "lost_clicks": lost, "busy_replies": figures.busy_replies,
            "reads_answered_during_hold": figures.reads_answered, "writes_answered": figures.writes_answered,
            "steps_reached_min": min((r.step_index + 1 for r in rows.values()), default=0),
        }
    finally:
        if holder is not None and holder.returncode is None:
            holder.kill()
            await holder.wait()
        if handle is not None:
            await handle.stop()
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=15.0)
    parser.add_argument("--newcomers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(measure(Path(tmp), args.hold, args.newcomers, args.seed))))


if __name__ == "__main__":
    main()
