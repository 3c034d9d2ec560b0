"""Property-based e2e test: the few words someone adds to an access request (/access request).

Any text (mention bait, markdown, very long): no unhandled error, an answer, nothing pinged, within
Discord's limits (see tests/e2e/property_support.py). The words reach the moderators' summary shown as
typed (markdown and links escaped) and, when the form is refused, come back to the person the same way.
"""

from __future__ import annotations

from hypothesis import given

from bot.plaintext import clip, plain
from cogs.access.logic import DETAIL_LIMIT
from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message

from .conftest import InProcessBot
from .property_support import Guard, echoed_in, fit, guard, prop_settings, text_strategy, with_examples

__all__ = ["guard"]  # the fixture, imported for pytest

TEXT = text_strategy()


@prop_settings(20)
@with_examples("@everyone captions please", "[https://discord.com/x](https://evil.example)", "# big\n> quote")
@given(text=TEXT)
async def test_access_request_detail(emulator: Emulator, standard_guild: StandardGuild,
                                     bot_in_process: InProcessBot, guard: Guard, text: str) -> None:
    sg = standard_guild
    person = emulator.create_user(f"asker{len(sg.guild.members)}")
    await person.join(sg.guild)
    detail = fit(guard.ids.fill(text), DETAIL_LIMIT)
    shown = plain(clip(detail.strip(), DETAIL_LIMIT))
    async with guard.probe(detail):
        # Refused (a forged need only): the words come back, escaped, within the limits.
        opened = await person.slash(sg.guild, "access request")
        assert opened.modal is not None
        refused = await opened.modal.submit({"needs": ["teleport"], "detail": detail})
        assert refused.ephemeral and "pick at least one need" in refused.text
        if detail.strip():
            guard.note_echo("given back", echoed_in(shown, refused.text))
        # Sent: the moderators' summary shows the words as typed.
        opened = await person.slash(sg.guild, "access request")
        assert opened.modal is not None
        sent = await opened.modal.submit({"needs": ["captions", "other"], "detail": detail})
        assert sent.ephemeral and "reached the moderators" in sent.text

        def summary() -> Message | None:
            for thread in sg.guild.threads():
                for message in thread.all_messages():
                    if any(f.get("value") == person.mention for e in message.embeds for f in e.get("fields", [])):
                        return message
            return None

        posted = await emulator.wait_for(summary, description="the request's summary")
        words = next(f["value"] for f in posted.embeds[0]["fields"] if f["name"] == "In their words")
        if detail.strip():
            guard.note_echo("summary", echoed_in(shown, words))
        else:
            assert words == "(nothing added)"
