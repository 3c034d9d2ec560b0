"""`/mydata show` spam benchmark: one member repeats it while newcomers click through onboarding.

Runs the real bot (`python -m bot`, SQLite) against the loopback Discord emulator on a server with
--members members, each with a membership and an onboarding row (as after years of use). One member
sends `/mydata show` --rate times a second; meanwhile --newcomers newcomers click through their
onboarding steps. Prints ONE JSON line: the newcomers' click answer times (p50, p99, max, how many
missed Discord's 3-second deadline) and what happened to the spam. Not a test: it measures.

    python benchmarks/mydata_spam.py [--members 6000] [--newcomers 12] [--rate 4] [--seconds 20]
    python benchmarks/mydata_spam.py --cooldown 0   # without the per-person limit (the query alone)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from benchmarks.join_wave import DEADLINE_S, Process, advance_label, base_env, build_guild, percentile  # noqa: E402
from db.models import Membership, OnboardingProgress  # noqa: E402
from tests.emulator import Emulator  # noqa: E402
from tests.emulator.interactions import COMPONENT  # noqa: E402
from tests.emulator.state import Guild  # noqa: E402


def seed(db: Path, guild: Guild) -> int:
    """A membership and a finished onboarding row for every member (written while the bot runs)."""
    engine = create_engine(f"sqlite:///{db}", connect_args={"timeout": 60})
    now = datetime.now(UTC)
    hashes = {f"step-{i}": "0123456789abcdef" for i in range(20)}
    ids = [uid for uid, m in guild.members.items() if not m.user.bot]
    with Session(engine) as session, session.begin():
        for uid in ids:
            session.add(Membership(guild_id=guild.id, user_id=uid, content_version="2025.1", accepted_at=now,
                                   accepted_step_hashes=hashes, role_granted_at=now))
            session.add(OnboardingProgress(guild_id=guild.id, user_id=uid, status="completed", step_index=19,
                                           content_version="2025.1", coi_selection=["funders"], surface="dm",
                                           started_at=now, updated_at=now))
    engine.dispose()
    return len(ids)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    emu = Emulator(default_timeout=300)
    await emu.start()
    tmp = Path(tempfile.mkdtemp(prefix="mydata-spam-"))
    ours = emu.create_bot(name="Coalition Bot")
    guild = build_guild(emu, ours, "IHRRC")
    populated = emu.populate(guild, args.members)
    config = tmp / "config.toml"
    config.write_text(
        f'[discord]\napi_base_url = "{emu.api_base_url}"\ngateway_url = "{emu.gateway_url}"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp / "bot.db"}"\n'
        + (f"[privacy]\nmydata_cooldown_seconds = {args.cooldown}\n" if args.cooldown >= 0 else "") +
        '[logging]\nlevel = "WARNING"\n')
    bot = Process([sys.executable, "-m", "bot", "--config", str(config)], base_env(ours.token), tmp, "bot")
    rng = random.Random(args.seed)
    latencies: list[float] = []
    spam = {"sent": 0, "shown": 0, "refused": 0, "unanswered": 0}
    try:
        await bot.start()
        await emu.wait_bot_ready(ours, guild, timeout=300)
        seeded = await asyncio.to_thread(seed, tmp / "bot.db", guild)
        spammer = emu.user(populated[0])
        newcomers = [emu.create_user(f"newcomer {i}") for i in range(args.newcomers)]
        for person in newcomers:
            await person.join(guild)
        firsts = [await person.wait_dm(lambda m: bool(m.buttons), timeout=60) for person in newcomers]
        stop_at = time.monotonic() + args.seconds

        async def one_spam() -> None:
            spam["sent"] += 1
            try:
                result = await spammer.slash(guild, "mydata show", timeout=30)
                await result.wait_message(lambda m: bool(m.text), timeout=30)
            except AssertionError:
                spam["unanswered"] += 1
                return
            text = "\n".join(m.text for m in result.messages)
            spam["shown" if "What I hold about you" in text else "refused"] += 1

        async def spam_loop() -> None:
            tasks = []
            while time.monotonic() < stop_at:
                tasks.append(asyncio.create_task(one_spam()))
                await asyncio.sleep(1 / args.rate)
            await asyncio.gather(*tasks)

        async def walk(person: Any, msg: Any) -> None:
            channel = emu.world.channels[msg.channel_id]
            while time.monotonic() < stop_at:
                label = advance_label(msg)
                if label is None or label == "Yes":
                    return
                button = msg.button(label)
                started = time.monotonic()
                rec = emu.interactions.dispatch(ours, person.user, None, channel, COMPONENT,
                                                {"custom_id": button["custom_id"], "component_type": 2}, source=msg)
                try:
                    await asyncio.wait_for(rec.responded.wait(), 30)
                    latencies.append(time.monotonic() - started)
                except TimeoutError:
                    latencies.append(30.0)
                await asyncio.sleep(rng.uniform(0.5, 1.5))

        await asyncio.gather(spam_loop(), *(walk(p, m) for p, m in zip(newcomers, firsts, strict=True)))
    finally:
        await bot.stop()
        await emu.stop()
    return {
        "members": args.members, "rows_seeded": seeded, "newcomers": args.newcomers,
        "spam_rate_per_s": args.rate, "seconds": args.seconds, "cooldown_s": args.cooldown,
        "clicks": len(latencies), "click_p50_s": round(percentile(latencies, 50), 3),
        "click_p99_s": round(percentile(latencies, 99), 3), "click_max_s": round(max(latencies, default=0), 3),
        "clicks_over_3s": sum(1 for v in latencies if v > DEADLINE_S), "spam": spam,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=6000)
    parser.add_argument("--newcomers", type=int, default=12)
    parser.add_argument("--rate", type=float, default=4.0, help="/mydata show per second from one member")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--cooldown", type=float, default=10.0,
                        help="[privacy] mydata_cooldown_seconds (-1: leave it out, for a build without it)")
    parser.add_argument("--seed", type=int, default=1)
    print(json.dumps(asyncio.run(run(parser.parse_args(argv)))))


if __name__ == "__main__":
    main()
