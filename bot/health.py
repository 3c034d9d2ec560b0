"""Is the bot alive and connected? A heartbeat file the running bot touches, read by `python -m bot health`.

The container's HEALTHCHECK (and anyone's monitoring) runs `python -m bot health`: healthy while the
running bot touched `<data_dir>/heartbeat` within the last STALE_AFTER_SECONDS, which it does only while
it is connected to Discord and its event loop is responsive. A clean stop removes the file.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
HEARTBEAT_FILE_NAME = "heartbeat"
BEAT_SECONDS = 30.0
STALE_AFTER_SECONDS = 3 * BEAT_SECONDS


def heartbeat_path(data_dir: str) -> Path:
    return Path(data_dir) / HEARTBEAT_FILE_NAME


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


async def beat(bot: Any, path: Path) -> None:
    """Touch `path` every BEAT_SECONDS while the bot is ready and its gateway answers (runs until cancelled)."""
    try:
        await bot.wait_until_ready()
        while True:
            if bot.is_ready() and not bot.is_closed() and bot.ws is not None and bot.ws.open:
                try:
                    await asyncio.to_thread(touch, path)
                except OSError as exc:
                    log.warning("cannot write the health heartbeat %s (%s)", path, exc.strerror)
            await asyncio.sleep(BEAT_SECONDS)
    finally:
        # Stopped: not healthy any more (also on a clean stop, so a restart starts from "starting").
        await asyncio.to_thread(path.unlink, True)  # missing_ok


def check(path: Path, now: float | None = None) -> tuple[bool, str]:
    """(healthy, one line for the person or the container runtime)."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return False, f"not running or not connected to Discord yet (no {path})"
    if age > STALE_AFTER_SECONDS:
        return False, f"no sign of life for {age:.0f} s: stuck, or disconnected from Discord"
    return True, f"connected; last sign of life {age:.0f} s ago"
