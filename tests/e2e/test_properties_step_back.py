"""Property-based e2e test: the optional reason someone gives when they step back from membership.

Any text (mention bait, markdown, very long): no unhandled error, an answer, nothing pinged, within
Discord's limits (see tests/e2e/property_support.py), and the one #mod-log line shows it defused.
"""

from __future__ import annotations

from hypothesis import given

from bot.plaintext import clip, plain
from cogs.onboarding.step_back_views import REASON_LIMIT
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot
from .property_support import Guard, echoed_in, fit, guard, prop_settings, text_strategy, with_examples

__all__ = ["guard"]  # the fixture, imported for pytest

TEXT = text_strategy()


@prop_settings(20)
@with_examples("@everyone bye", "[https://discord.com/x](https://evil.example)", "# too much\n> for now")
@given(text=TEXT)
async def test_step_back_reason(emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot,
                                guard: Guard, text: str) -> None:
    sg = standard_guild
    assert sg.mod_log is not None
    person = emulator.create_user(f"leaver{len(sg.guild.members)}")
    await person.join(sg.guild, roles=[sg.guild.role("Member")])  # a member from before the bot: no yes on record
    reason = fit(guard.ids.fill(text), REASON_LIMIT)
    async with guard.probe(reason):
        prompt = (await person.slash(sg.guild, "membership step-back")).message
        assert prompt is not None
        opened = await person.click(prompt, "Step back and tell the moderators why")
        assert opened.modal is not None
        sent = await opened.modal.submit({"reason": reason})
        assert sent.ephemeral and "not a punishment" in (await sent.wait_message()).text
        line = await emulator.wait_for(lambda: next((m for m in sg.mod_log.all_messages()
                                                     if m.content.startswith(f"{person.mention} stepped back")),
                                                    None), description="the mod-log line")
        one_line = " ".join(reason.split())
        assert "\n" not in line.content
        if one_line:
            guard.note_echo("reason", echoed_in(plain(clip(one_line, REASON_LIMIT)), line.content))
        else:
            assert line.content == f"{person.mention} stepped back from membership"
    assert not person.has_role(sg.guild, "Member")
