"""Join-wave benchmark: N newcomers join within seconds and each completes onboarding.

Runs the real bot (`python -m bot`, SQLite) and a bare discord.py baseline bot side by
side as subprocesses against the loopback Discord emulator with Discord's global limit
of 50 requests/s enforced, and prints ONE JSON line of figures (see README,
"Performance and resilience"). Not a test: it measures.

    python benchmarks/join_wave.py [--newcomers 1000] [--join-window 10] [--seed 1]
    python benchmarks/join_wave.py --large-guild [--members 50000]

Each newcomer: joins, waits for the welcome DM, then clicks through every step with a
think-time drawn from [--think-min, --think-max] seconds, answers "Yes", and waits for
the member role. From the first DM on, a mirror user makes the same clicks, with the same
think-times, on the baseline bot, which answers each with a static message edit.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emulator import Emulator  # noqa: E402
from tests.emulator import permissions as P  # noqa: E402
from tests.emulator.interactions import COMPONENT  # noqa: E402
from tests.emulator.state import Channel, Guild, Message  # noqa: E402
from tests.emulator.world import BotApp  # noqa: E402

DEADLINE_S = 3.0
ADVANCE_LABELS = ("Yes", "Let's begin", "I understand and agree")
PATCH_MEMBER = "PATCH /guilds/{guild_id}/members/{user_id}"
POST_MESSAGE = "POST /channels/{channel_id}/messages"


def rate_by_window(offsets: Sequence[float], window: float) -> list[float]:
    """Requests per second in consecutive windows from the wave's start (is the bucket kept full?)."""
    counts: dict[int, int] = {}
    for offset in offsets:
        counts[int(offset // window)] = counts.get(int(offset // window), 0) + 1
    return [round(counts.get(i, 0) / window, 1) for i in range(max(counts, default=-1) + 1)]


def by_window(samples: Sequence[tuple[float, float]], window: float) -> list[list[float]]:
    """The values of consecutive windows from the wave's start (offset, value) -> [[values], ...]."""
    grouped: dict[int, list[float]] = {}
    for offset, value in samples:
        grouped.setdefault(int(offset // window), []).append(value)
    return [grouped.get(i, []) for i in range(max(grouped, default=-1) + 1)]


def p99_by_window(samples: Sequence[tuple[float, float]], window: float) -> list[float]:
    """When in the wave were answers slow?"""
    return [round(percentile(values, 99), 1) for values in by_window(samples, window)]


def max_by_window(samples: Sequence[tuple[float, float]], window: float) -> list[float]:
    return [round(max(values, default=0.0), 1) for values in by_window(samples, window)]


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Process:
    """A bot subprocess whose CPU time and peak RSS we read from the OS."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, name: str) -> None:
        self.argv, self.env, self.cwd, self.name = argv, env, cwd, name
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        log = (self.cwd / f"{self.name}.log").open("wb")
        self.proc = await asyncio.create_subprocess_exec(*self.argv, env=self.env, cwd=self.cwd,
                                                         stdout=log, stderr=log)
        log.close()

    @property
    def ps(self) -> psutil.Process:
        assert self.proc is not None
        return psutil.Process(self.proc.pid)

    def cpu_s(self) -> float:
        times = self.ps.cpu_times()
        return float(times.user + times.system)

    def peak_rss_mb(self) -> float:
        """VmHWM: the kernel's own high-water mark of resident memory."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return self.ps.memory_info().rss / 1e6

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def base_env(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(DISCORD_TOKEN=token, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return env


def build_guild(emu: Emulator, bot: BotApp, name: str) -> Guild:
    """A server as a coalition would set it up (the bot provisions the rest)."""
    owner = emu.create_user(f"{name} owner")
    guild = emu.create_guild(name, owner)
    moderator_role = guild.create_role("Moderator", permissions=P.MODERATOR_PERMS, hoist=True)
    guild.create_text_channel("welcome")
    private = {guild.id: (0, P.VIEW_CHANNEL), moderator_role.id: (P.VIEW_CHANNEL, 0)}
    moderators = guild.create_text_channel("moderators", overwrites=private)
    mod_log = guild.create_text_channel("mod-log", overwrites=private)
    guild.create_voice_channel("waiting-room")
    emu.add_bot_to_guild(bot, guild)
    for channel in (moderators, mod_log):
        guild.set_overwrite(channel, bot.role(guild), allow=P.VIEW_CHANNEL)
    return guild


async def start_bots(emu: Emulator, tmp: Path, ours: BotApp, guild: Guild, base: BotApp, panel: Channel,
                     *, chunk: bool = True) -> tuple[Process, Process, float, float]:
    config = tmp / "config.toml"
    config.write_text(
        f'[discord]\napi_base_url = "{emu.api_base_url}"\ngateway_url = "{emu.gateway_url}"\n'
        f"chunk_guilds_at_startup = {'true' if chunk else 'false'}\n"
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp / "bot.db"}"\n'
        '[logging]\nlevel = "WARNING"\n')
    # BENCH_CPROFILE=/tmp/bot.prof: run the bot under cProfile (slower; for finding where its CPU goes)
    profile = ["-m", "cProfile", "-o", os.environ["BENCH_CPROFILE"]] if os.environ.get("BENCH_CPROFILE") else []
    bot_proc = Process([sys.executable, *profile, "-m", "bot", "--config", str(config)], base_env(ours.token), tmp,
                       "bot")
    baseline = Process([sys.executable, str(ROOT / "benchmarks" / "baseline_bot.py"), emu.api_base_url,
                        emu.gateway_url, str(panel.id)], base_env(base.token), tmp, "baseline")
    started = time.monotonic()
    await bot_proc.start()
    await emu.wait_bot_ready(ours, guild, timeout=300)
    ours_ready = time.monotonic() - started
    started = time.monotonic()
    await baseline.start()
    await emu.wait_for(lambda: panel.messages(), timeout=300, interval=0.05, description="baseline panel")
    base_ready = time.monotonic() - started
    return bot_proc, baseline, ours_ready, base_ready


def advance_label(msg: Message) -> str | None:
    labels = {b.get("label") for b in msg.buttons if not b.get("disabled")}
    return next((label for label in ADVANCE_LABELS if label in labels), None)


async def click(emu: Emulator, bot: BotApp, user: Any, guild: Guild | None, channel: Channel,
                msg: Message, label: str) -> bool:
    """Click without polling: wait on the emulator's per-interaction event."""
    button = msg.button(label)
    rec = emu.interactions.dispatch(bot, user, guild, channel, COMPONENT,
                                    {"custom_id": button["custom_id"], "component_type": 2}, source=msg)
    try:
        await asyncio.wait_for(rec.responded.wait(), 30)
    except TimeoutError:
        return False
    return True


async def watch_loop_lag(samples: list[tuple[float, float]], period: float = 0.01) -> None:
    """How late this process's event loop wakes up: a busy emulator delays every answer it times."""
    while True:
        before = time.monotonic()
        await asyncio.sleep(period)
        samples.append((before, (time.monotonic() - before - period) * 1000))


async def watch_cpu(procs: dict[str, Process], samples: dict[str, list[float]], period: float = 10.0) -> None:
    """Each process's share of one core in consecutive windows (is the bot saturated?)."""
    last = {name: proc.cpu_s() for name, proc in procs.items()} | {"emulator": time.process_time()}
    while True:
        await asyncio.sleep(period)
        now = {name: proc.cpu_s() for name, proc in procs.items()} | {"emulator": time.process_time()}
        for name, value in now.items():
            samples.setdefault(name, []).append(round((value - last[name]) / period, 2))
        last = now


class Wave:
    def __init__(self, emu: Emulator, args: argparse.Namespace, ours: BotApp, guild: Guild, base: BotApp,
                 bguild: Guild, panel: Channel) -> None:
        self.emu, self.args, self.ours, self.guild = emu, args, ours, guild
        self.base, self.bguild, self.panel = base, bguild, panel
        self.rng = random.Random(args.seed)
        self.join_times: dict[int, float] = {}
        self.people: dict[int, Any] = {}
        self.failed_clicks = 0
        self.baseline_clicks = 0
        self.stage: dict[int, str] = {}  # newcomer -> where they are (for a stalled run's report)

    async def newcomer(self, index: int, delay: float, thinks: list[float]) -> None:
        await asyncio.sleep(delay)
        person = self.emu.create_user(f"newcomer {index}")
        self.join_times[person.id] = time.monotonic()
        self.people[person.id] = person
        await person.join(self.guild)
        await person.join(self.bguild)
        msg: Message | None = None
        self.stage[index] = "waiting for the first DM"
        while msg is None:
            await asyncio.sleep(0.25)
            msg = next((m for m in person.dm_messages(self.ours) if m.buttons), None)
        # The mirror starts with the walk, so both bots answer their clicks at the same moments.
        mirror = asyncio.create_task(self.mirror(person.user, thinks))
        dm = self.emu.world.channels[msg.channel_id]
        for step, think in enumerate(thinks, start=1):
            label = advance_label(msg)
            if label is None:
                break
            self.stage[index] = f"clicking {label!r} (click {step})"
            await asyncio.sleep(think)
            while not await click(self.emu, self.ours, person.user, None, dm, msg, label):
                self.failed_clicks += 1
            if label == "Yes":
                break
        self.stage[index] = "waiting for the member role"
        while not person.has_role(self.guild, "Member"):  # noqa: ASYNC110 - the emulator has no role event
            await asyncio.sleep(0.25)
        self.stage[index] = "done"
        await mirror

    async def mirror(self, user: Any, thinks: list[float]) -> None:
        """The same clicks, with the same think-times, on the baseline bot."""
        panel_msg = self.panel.messages()[0]
        for think in thinks:
            await asyncio.sleep(think)
            if await click(self.emu, self.base, user, self.bguild, self.panel, panel_msg, "I understand and agree"):
                self.baseline_clicks += 1

    async def run(self, steps: int) -> float:
        n = self.args.newcomers
        delays = sorted(self.rng.uniform(0, self.args.join_window) for _ in range(n))
        plans = [[self.rng.uniform(self.args.think_min, self.args.think_max) for _ in range(steps)] for _ in range(n)]
        started = time.monotonic()
        tasks = [asyncio.create_task(self.newcomer(i, delays[i], plans[i])) for i in range(n)]
        _, pending = await asyncio.wait(tasks, timeout=self.args.timeout)
        for task in pending:
            task.cancel()
        if pending:
            stuck: dict[str, int] = {}
            for stage in self.stage.values():
                if stage != "done":
                    stuck[stage] = stuck.get(stage, 0) + 1
            print(f"{len(pending)} newcomer(s) did not finish within {self.args.timeout:.0f}s: {stuck}",
                  file=sys.stderr)
        return started


async def join_wave(args: argparse.Namespace) -> dict[str, Any]:
    from bot.content import load_content
    from cogs.onboarding import logic

    steps = len(logic.build_steps(load_content()))
    emu = Emulator(default_timeout=60)
    await emu.start()
    tmp = Path(tempfile.mkdtemp(prefix="join-wave-"))
    ours = emu.create_bot(name="Coalition Bot")
    base = emu.create_bot(name="Baseline Bot")
    guild = build_guild(emu, ours, "IHRRC")
    bguild = emu.create_guild("Baseline", emu.create_user("baseline owner"))
    panel = bguild.create_text_channel("panel")
    emu.add_bot_to_guild(base, bguild)
    bot_proc, baseline, _, _ = await start_bots(emu, tmp, ours, guild, base, panel)
    try:
        emu.failures.enforce_global_limit = True
        await asyncio.sleep(1.0)  # let start-up calls leave the 1-second window
        profiler = None
        if os.environ.get("BENCH_PYSPY"):  # e.g. BENCH_PYSPY=/tmp/bot.txt: sample the bot's CPU during the wave
            assert bot_proc.proc is not None
            profiler = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(bot_proc.proc.pid), "-f", "raw",
                "-o", os.environ["BENCH_PYSPY"], "-r", "200", stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL)
        # This process (the emulator and the newcomers) keeps every request and interaction for
        # the figures; its full garbage collections grew to 700 ms pauses that delayed both bots'
        # answers. They are off during the wave, so the ack times are the bots' own.
        gc.collect()
        gc.disable()
        cpu0, bcpu0, ecpu0 = bot_proc.cpu_s(), baseline.cpu_s(), time.process_time()
        log_start = len(emu.request_log)
        interactions_before = {r.id for r in emu.interaction_records()}
        wave = Wave(emu, args, ours, guild, base, bguild, panel)
        lag: list[tuple[float, float]] = []
        lag_watch = asyncio.create_task(watch_loop_lag(lag))
        cpu_share: dict[str, list[float]] = {}
        cpu_watch = asyncio.create_task(watch_cpu({"bot": bot_proc, "baseline": baseline}, cpu_share))
        started = await wave.run(steps)
        lag_watch.cancel()
        cpu_watch.cancel()
        cpu, bcpu = bot_proc.cpu_s() - cpu0, baseline.cpu_s() - bcpu0
        emulator_cpu = time.process_time() - ecpu0  # this process: the emulator and the newcomers
        rss, brss = bot_proc.peak_rss_mb(), baseline.peak_rss_mb()
        if profiler is not None:
            profiler.send_signal(2)
            await profiler.wait()
    finally:
        gc.enable()
        await bot_proc.stop()
        await baseline.stop()
        await emu.stop()

    requests = emu.request_log[log_start:]
    mine = [r for r in requests if r.bot_id == ours.id]
    limited = [r for r in mine if not r.exempt]
    grants = [r for r in limited if r.route == PATCH_MEMBER and r.status == 200]
    wall = (max(r.time for r in grants) - started) if grants else float("nan")
    floor = len(limited) / 50.0
    records = [r for r in emu.interaction_records() if r.id not in interactions_before]
    our_records = [r for r in records if r.bot is ours]
    acks = [r.ack_latency * 1000 for r in our_records if r.ack_latency is not None]
    misses = sum(1 for r in our_records if r.ack_latency is None or r.ack_latency > DEADLINE_S)
    first_dm: list[float] = []
    posts_by_path: dict[str, float] = {}
    for r in limited:
        if r.route == POST_MESSAGE and r.status == 200:
            posts_by_path.setdefault(r.path, r.time)
    for user_id, joined in wave.join_times.items():
        dm = wave.people[user_id].dm_channel(ours)
        posted = posts_by_path.get(f"/channels/{dm.id}/messages") if dm is not None else None
        if posted is not None:
            first_dm.append(posted - joined)
    onboarded = len({r.path for r in grants})
    base_records = [r for r in records if r.bot is base and r.ack_latency is not None]
    ours_per = cpu / max(1, len(our_records))
    base_per = bcpu / max(1, len(base_records))
    return {
        "newcomers": args.newcomers,
        "onboarded": onboarded,
        "wall_s": round(wall, 2),
        "floor_s": round(floor, 2),
        "wall_over_floor": round(wall / floor, 3) if floor else None,
        "responses_429": sum(1 for r in mine if r.status == 429),
        "limited_calls_per_newcomer": round(len(limited) / args.newcomers, 3),
        "ack_p50_ms": round(percentile(acks, 50), 1),
        "ack_p99_ms": round(percentile(acks, 99), 1),
        "ack_max_ms": round(max(acks, default=0.0), 1),
        "deadline_misses": misses,
        "first_dm_p50_s": round(percentile(first_dm, 50), 2),
        "first_dm_p99_s": round(percentile(first_dm, 99), 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(rss, 1),
        "interactions": len(our_records),
        "baseline_interactions": len(base_records),
        "baseline_cpu_s": round(bcpu, 2),
        "baseline_peak_rss_mb": round(brss, 1),
        "cpu_per_interaction_ratio": round(ours_per / base_per, 3) if base_per else None,
        "peak_rss_ratio": round(rss / brss, 3) if brss else None,
        "failed_clicks": wave.failed_clicks,
        # The emulator shares the 2 cores with both bots: near wall_s means it was the bottleneck.
        "emulator_cpu_s": round(emulator_cpu, 2),
        "limited_calls_per_s_by_10s": rate_by_window([r.time - started for r in limited], 10.0),
        "ack_p99_ms_by_10s": p99_by_window([(r.dispatched_at - started, r.ack_latency * 1000)
                                            for r in our_records if r.ack_latency is not None], 10.0),
        "cpu_share_by_10s": cpu_share,
        "emulator_loop_lag_max_ms_by_10s": max_by_window([(t - started, ms) for t, ms in lag], 10.0),
        "baseline_ack_p99_ms_by_10s": p99_by_window([(r.dispatched_at - started, r.ack_latency * 1000)
                                                     for r in base_records if r.ack_latency is not None], 10.0),
    }


async def large_guild(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"members": args.members}
    for chunk in (True, False):
        emu = Emulator(default_timeout=300)
        await emu.start()
        tmp = Path(tempfile.mkdtemp(prefix="large-guild-"))
        ours = emu.create_bot(name="Coalition Bot")
        base = emu.create_bot(name="Baseline Bot")
        guild = build_guild(emu, ours, "IHRRC")
        emu.populate(guild, args.members)
        bguild = emu.create_guild("Baseline", emu.create_user("baseline owner"))
        panel = bguild.create_text_channel("panel")
        emu.add_bot_to_guild(base, bguild)
        emu.populate(bguild, args.members)
        try:
            bot_proc, baseline, ready, bready = await start_bots(emu, tmp, ours, guild, base, panel, chunk=chunk)
            await asyncio.sleep(1.0)
            rss, brss = bot_proc.peak_rss_mb(), baseline.peak_rss_mb()
            await bot_proc.stop()
            await baseline.stop()
        finally:
            await emu.stop()
        key = "chunked" if chunk else "not_chunked"
        results[key] = {"ready_s": round(ready, 2), "baseline_ready_s": round(bready, 2),
                        "peak_rss_mb": round(rss, 1), "baseline_peak_rss_mb": round(brss, 1),
                        "peak_rss_ratio": round(rss / brss, 3)}
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--newcomers", type=int, default=1000)
    parser.add_argument("--join-window", type=float, default=10.0, help="seconds over which everyone joins")
    parser.add_argument("--think-min", type=float, default=0.2)
    parser.add_argument("--think-max", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on the wave after this long")
    parser.add_argument("--large-guild", action="store_true", help="measure start-up on a large server instead")
    parser.add_argument("--members", type=int, default=50_000)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    result = asyncio.run(large_guild(args) if args.large_guild else join_wave(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
