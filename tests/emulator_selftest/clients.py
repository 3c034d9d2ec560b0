"""Run bare discord.py clients against the emulator inside the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import discord

from tests.emulator import Emulator, point_discord_py_at

C = TypeVar("C", bound=discord.Client)


def intents(members: bool = True, voice: bool = True, content: bool = True) -> discord.Intents:
    i = discord.Intents.default()
    i.members = members
    i.voice_states = voice
    i.message_content = content
    return i


@contextlib.asynccontextmanager
async def running(emu: Emulator, client: C, token: str, *, wait_ready: bool = True) -> AsyncIterator[C]:
    """Start ``client`` (already pointed at ``emu``), wait for on_ready, close on exit."""
    with point_discord_py_at(emu):
        task = asyncio.create_task(client.start(token))
        try:
            if wait_ready:
                waiter = asyncio.create_task(client.wait_until_ready())
                done, _ = await asyncio.wait({task, waiter}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
                if task in done:
                    waiter.cancel()
                    task.result()
                assert waiter in done, "client did not become ready"
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5)
