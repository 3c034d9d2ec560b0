"""Chaos: a join wave while the bot is killed with SIGKILL three times (issue 8, "Chaos tests").

The bot runs as a real subprocess (`python -m bot`) on the emulator. CHAOS_NEWCOMERS (default
200) newcomers join over a few seconds and each walks the whole onboarding (21 clicks and a
COI pick for some) with small random think-times; meanwhile a handful of members file repair
requests, named and anonymous. At random moments the bot is killed with SIGKILL and started
again after a short random downtime. Everything random comes from one seed: it is printed, and
CHAOS_SEED=<seed> replays the same schedule (the interleaving with the bot still varies).

A click that hits a dead bot gets no callback (Discord would say "This interaction failed"); the
scripted person then waits until the bot is back and clicks the message as it looks now. The
bot's buttons survive restarts, and a stale click re-renders the saved step.

Proven here: every newcomer ends with Member and without Newcomer (also those who joined while
the bot was dead: caught up at start); exactly one successful Member grant per person; no lost
and no skipped step (see chaos_support.walk_onboarding); every filing that got a receipt has
exactly one case row, one case place and one summary; no filing is routed twice.
"""

from __future__ import annotations

import asyncio
import json
import random
import time

import pytest

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .chaos_support import (
    BotControl,
    Figures,
    Filing,
    Person,
    Walk,
    ack_figures,
    case_summaries,
    count_rows,
    env_int,
    file_repair,
    first_dm_times,
    first_dms_delivered,
    member_grants,
    seed_from_env,
    status_counts,
    walk_onboarding,
)
from .conftest import SpawnBot

pytestmark = pytest.mark.slow

NEWCOMERS = env_int("CHAOS_NEWCOMERS", 200)
FILERS = env_int("CHAOS_FILERS", 6)
KILLS = 3
JOIN_WINDOW_S = 12.0
# Grants and first DMs a crash interrupted are retried after this (30 s in production).
CONFIG = {"onboarding": {"retry_after_seconds": 3},
          "repair": {"cooldown_minutes": 0, "max_open_per_member": 10}}


async def test_join_wave_survives_three_kill9s(emulator: Emulator, standard_guild: StandardGuild,
                                               spawn_bot: SpawnBot) -> None:
    sg = standard_guild
    seed = seed_from_env("CHAOS_SEED")
    print(f"\nchaos kill -9: CHAOS_SEED={seed} CHAOS_NEWCOMERS={NEWCOMERS}")
    rng = random.Random(seed)
    started = time.monotonic()
    proc = await spawn_bot(sg, config=CONFIG)
    control = BotControl(proc)
    figures = Figures()
    log_start = len(emulator.request_log)

    filers = [emulator.create_user(f"Filer {i}") for i in range(FILERS)]
    for filer in filers:
        await filer.join(sg.guild)
    newcomer_role = sg.guild.role("Newcomer")
    walks = [Walk(emulator.create_user(f"Newcomer {i}"), ["Funders"] if rng.random() < 0.2 else None)
             for i in range(NEWCOMERS)]
    join_at = [rng.uniform(0, JOIN_WINDOW_S) for _ in walks]
    # three kills at random moments of the wave, each after the previous restart is ready; the
    # first falls inside the join window, so some people join while the bot is dead
    kill_at = sorted([rng.uniform(1.0, JOIN_WINDOW_S - 3.0),
                      *(rng.uniform(1.0, JOIN_WINDOW_S + 8.0) for _ in range(KILLS - 1))])
    downtimes = [rng.uniform(0.3, 2.0) for _ in range(KILLS)]
    filing_plan = [(filer, rng.uniform(0.5, JOIN_WINDOW_S + 8.0), k % 2 == 1)
                   for i, filer in enumerate(filers) for k in range(i % 2, i % 2 + 2)]
    joined_while_down: list[int] = []
    filings: list[Filing] = []
    t0 = time.monotonic()

    async def newcomer(i: int, walk: Walk) -> None:
        await asyncio.sleep(join_at[i])
        if not control.up.is_set():
            joined_while_down.append(walk.user.id)
        walk.joined_at = time.monotonic()
        await walk.user.join(sg.guild, roles=[newcomer_role])
        person = Person(emulator, control, figures, random.Random(seed * 1000 + i))
        await walk_onboarding(person, walk, first_dm_timeout=90)

    async def chaos() -> None:
        for at, down in zip(kill_at, downtimes, strict=True):
            await asyncio.sleep(max(0.0, at - (time.monotonic() - t0)))
            killed = time.monotonic() - t0
            await control.kill9_and_restart(down)
            print(f"  killed at {killed:5.1f}s, down {down:.1f}s, ready again at {time.monotonic() - t0:5.1f}s "
                  f"(abs {time.monotonic():.2f})")

    async def filer_task(index: int) -> None:
        person = Person(emulator, control, figures, random.Random(seed * 7 + index), think=(0.1, 0.5))
        mine = [(at, anon) for user, at, anon in filing_plan if user is filers[index]]
        for n, (at, anonymous) in enumerate(sorted(mine)):
            await asyncio.sleep(max(0.0, at - (time.monotonic() - t0)))
            for attempt in range(8):  # a person tries again until they get the receipt
                done = await file_repair(person, filers[index], sg, anonymous=anonymous,
                                         marker=f"chaos-{index}-{n}-{attempt}", filings=filings)
                if done.case_number is not None:
                    break
            else:
                raise AssertionError(f"{filers[index].name} never got a receipt")

    await asyncio.wait_for(asyncio.gather(
        chaos(), *(newcomer(i, w) for i, w in enumerate(walks)), *(filer_task(i) for i in range(FILERS))), 240)
    wave_s = time.monotonic() - t0

    # -- every newcomer onboarded: Member, not Newcomer (owed grants are retried after restarts)
    assert all(w.done for w in walks)
    await emulator.wait_for(lambda: all(w.user.has_role(sg.guild, "Member") and not w.user.has_role(
        sg.guild, "Newcomer") for w in walks), timeout=60, description="every newcomer's member role")
    for w in walks:
        if w.coi:
            assert w.user.has_role(sg.guild, "COI: Funders"), w.user.name
    # -- exactly one successful Member grant per person (a succeeded PATCH counts, retried 5xx do not)
    grants = member_grants(emulator, sg)
    duplicates = {uid: n for uid, n in grants.items() if n != 1}
    assert not duplicates, f"duplicate Member grants: {duplicates}"
    assert set(grants) == {w.user.id for w in walks}

    # -- repair: every receipt has exactly one case row, one place and one summary; nothing twice
    receipted = [f for f in filings if f.case_number is not None]
    assert len(receipted) == len(filing_plan)
    numbers = [f.case_number for f in receipted]
    assert len(set(numbers)) == len(numbers), f"two receipts for one case: {numbers}"
    config = proc.config.read_text()
    rows = await count_rows(config, "SELECT count(*) FROM repair_case")
    await emulator.wait_for(lambda: len(case_summaries(sg)) == rows and all(case_summaries(sg).values()), timeout=30,
                            description="every saved case routed after the restarts")
    summaries = case_summaries(sg)
    assert all(len(found) == 1 for found in summaries.values()), sorted((k, len(v)) for k, v in summaries.items())
    for f in filings:
        holding = [name for name, found in summaries.items() if f.marker in found[0].text]
        if f.case_number is not None:
            assert holding == [f"case-{f.case_number}"], (f.marker, holding)
        else:
            assert len(holding) <= 1, (f.marker, holding)  # a try cut short by a kill: at most one case
    assert await count_rows(config, "SELECT count(*) FROM repair_event WHERE kind = 'routed'") == rows
    assert rows <= len(filings)

    statuses = status_counts(emulator, log_start)
    first_dms = {w.user.id: first_dms_delivered(emulator, w.user, sg) for w in walks}
    figures_out = {
        "seed": seed, "newcomers": NEWCOMERS, "kills": control.kills, "joined_while_down": len(joined_while_down),
        **figures.as_dict(), "non_edit_replies": len(figures.non_edit_replies),
        "repeated_first_dms": sum(n - 1 for n in first_dms.values() if n > 1),
        "receipts": len(receipted), "cases": rows, "responses_429": statuses.get(429, 0),
        **ack_figures(emulator), "wave_s": round(wave_s, 1), "total_s": round(time.monotonic() - started, 1)}
    print("  " + json.dumps(figures_out))
    assert control.kills == KILLS
    assert figures.failed_while_down > 0, "no click ever hit a dead bot: the kills missed the wave"
    if NEWCOMERS >= 50:
        assert joined_while_down, "nobody joined while the bot was dead"
    # A first DM is repeated only when the bot died after Discord accepted it and before it saved
    # "delivered" (no way to make that atomic): the repeat comes after a kill that fell right after
    # the first one. Any other repeat is a bug (two deliverers racing inside one process was one).
    for w in walks:
        posts = first_dm_times(emulator, w.user, sg)
        if len(posts) > 1:
            assert len(posts) == 2 and any(posts[0] < k <= posts[0] + 2.0 and posts[1] > k
                                           for k in control.kill_times), (w.user.name, posts, control.kill_times)
    assert not figures.non_edit_replies, figures.non_edit_replies[:5]
