"""One person repeating `/mydata show` can't slow everyone else: one look every few seconds.

Before: every call loaded the whole server's membership rows; a member calling it about 4 times a
second on a 6,000-member server made 10 of 12 other clicks miss Discord's 3-second deadline
(benchmarks/mydata_spam.py prints the figures; tests/unit/test_privacy_repository.py pins the query).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot


async def test_repeated_mydata_show_is_answered_kindly_and_only_once(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    pat = emulator.create_user("Pat")
    await pat.join(sg.guild)
    results = await asyncio.gather(*(pat.slash(sg.guild, "mydata show") for _ in range(8)))
    for result in results:
        await result.wait_message(lambda m: bool(m.text))
    shown = [r for r in results if "What I hold about you" in "\n".join(m.text for m in r.messages)]
    refused = [r for r in results if "please ask again in about" in r.text]
    assert len(shown) == 1 and len(refused) == 7 and all(r.ephemeral for r in refused)
    exported = await pat.slash(sg.guild, "mydata export")  # the same limit: show and export are one look
    assert "please ask again" in exported.text and not exported.messages[0].attachments
    bot_in_process.bot.clock.advance(timedelta(seconds=11))
    again = await pat.slash(sg.guild, "mydata show")
    await again.wait_message(lambda m: "What I hold about you" in m.text)
