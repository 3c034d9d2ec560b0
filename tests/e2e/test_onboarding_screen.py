"""The step screen end to end: a content item longer than a step is split over "continued"
steps and shown whole, never cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content import default_content_text
from cogs.onboarding.texts import CONTINUES
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import RunBot
from .test_onboarding_flow import first_step, newcomer, step_no

SENTENCE = "We agree to listen first, speak with care, and come back to each other after a hard conversation. "
LONG_ITEM = (SENTENCE * 30).strip()  # about 3,000 characters: more than one message holds


async def test_a_long_item_is_shown_whole_over_continued_steps(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = default_content_text().replace(
        '"We agree to strive for transparency and mutual accountability.",',
        f'"We agree to strive for transparency and mutual accountability.",\n  "{LONG_ITEM}",')
    assert LONG_ITEM in text
    (tmp_path / "long.toml").write_text(text)
    monkeypatch.setenv("BOT_CONTENT_FILE", str(tmp_path / "long.toml"))
    await run_bot(standard_guild)
    ana = await newcomer(emulator, standard_guild, "Ana")
    msg = await first_step(ana)
    shown: list[str] = []
    while "Yes" not in [b["label"] for b in msg.buttons]:
        shown.append(msg.content)
        assert len(msg.content) <= 2000 and "…" not in msg.content
        result = await ana.click(msg, "Let's begin" if step_no(msg) == 1 else "I understand and agree")
        assert result.message is msg
    continued = [t for t in shown if "(continued)" in t and SENTENCE.split(",")[0] in t]
    assert len(continued) == 2, "the 3,000-character agreement takes three steps"
    first = next(i for i, t in enumerate(shown) if SENTENCE.split(",")[0] in t)
    parts = shown[first:first + 3]
    assert re.search(rf"\*\*Step {first + 1} of \d+\*\*", parts[0])
    assert re.search(rf"\*\*Step {first + 2} of \d+ \(continued\)\*\*", parts[1])
    body = " ".join(" ".join(p.split("Agreements — What we commit to", 1)[1].replace(CONTINUES, "").split())
                    for p in parts)
    assert all(CONTINUES in p for p in parts[:2]) and CONTINUES not in parts[2]
    assert " ".join(LONG_ITEM.split()) in body, "every word of the item was shown, in order"
