"""Property-based e2e test: an organization's name, typed by a moderator and echoed to everyone who
picks it (autocomplete, replies, the #mod-log line, the report).

Any text (mention bait, markdown, very long): no unhandled error, every interaction answered, nothing
pinged, within Discord's limits (see tests/e2e/property_support.py); a name is either listed (one line,
shown defused) or refused kindly with nothing stored.
"""

from __future__ import annotations

from hypothesis import given

from bot.plaintext import clip, plain
from cogs.attendance.logic import NAME_LIMIT, REASON_LIMIT
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot
from .property_support import Guard, echoed_in, fit, guard, prop_settings, text_strategy, with_examples

__all__ = ["guard"]  # the fixture, imported for pytest

TEXT = text_strategy(200)
OPTION_LIMIT = 100  # /mod-organization add's name option (Discord refuses longer)


@prop_settings(20)
@with_examples("@everyone Org", "[Org](https://evil.example)", "# Big\n> Org", "individual", "x" * 100)
@given(text=TEXT)
async def test_organization_name(emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot,
                                 guard: Guard, text: str) -> None:
    sg = standard_guild
    name = fit(guard.ids.fill(text), OPTION_LIMIT) or "-"
    member = emulator.create_user(f"delegate{len(sg.guild.members)}")
    await member.join(sg.guild, roles=[sg.guild.role("Member")])
    async with guard.probe(name):
        added = await sg.moderator.slash(sg.guild, "mod-organization add", name=name)
        assert added.ephemeral
        one_line = " ".join("".join(c for c in name if c.isprintable() or c.isspace()).split())
        if not one_line or len(one_line) > NAME_LIMIT or one_line.casefold() == "individual":
            assert "Nothing was added" in added.text
            assert "Organizations on the list" not in (await sg.moderator.slash(sg.guild, "mod-organization list")).text
            return
        assert added.text.startswith("Added **") and "\n" not in added.text.split("Members can")[0]
        guard.note_echo("name", echoed_in(plain(one_line), added.text))
        choices = await member.autocomplete(sg.guild, "organization set", organization=one_line[:20])
        picked = next(c for c in choices if c["name"] == one_line)
        saved = await member.slash(sg.guild, "organization set", organization=picked["value"])
        assert saved.ephemeral and "you represent" in saved.text
        line = await emulator.wait_for(lambda: next((m for m in sg.mod_log.all_messages()  # type: ignore[union-attr]
                                                     if m.content.startswith(f"{member.mention} says")), None),
                                       description="the mod-log line")
        assert "\n" not in line.content
        removed = await sg.moderator.slash(sg.guild, "mod-organization remove", organization=picked["value"])
        assert removed.ephemeral and removed.text.startswith("Removed **")


@prop_settings(15)
@with_examples("@everyone we can't", "[why](https://evil.example)", "# a lot\n> going on")
@given(text=TEXT)
async def test_cannot_participate_reason(emulator: Emulator, standard_guild: StandardGuild,
                                         bot_in_process: InProcessBot, guard: Guard, text: str) -> None:
    sg = standard_guild
    assert sg.mod_log is not None
    contact = emulator.create_user(f"contact{len(sg.guild.members)}")
    await contact.join(sg.guild, roles=[sg.guild.role("Member")])
    if "Acme" not in (await sg.moderator.slash(sg.guild, "mod-organization list")).text:
        await sg.moderator.slash(sg.guild, "mod-organization add", name="Acme")
    reason = fit(guard.ids.fill(text), REASON_LIMIT)
    async with guard.probe(reason):
        picked = (await contact.autocomplete(sg.guild, "organization set", organization="acme"))[0]
        await contact.slash(sg.guild, "organization set", organization=picked["value"])
        options = {"reason": reason} if reason else {}
        said = await contact.slash(sg.guild, "organization cannot-participate", **options)
        assert said.ephemeral and "not a punishment" in said.text
        line = await emulator.wait_for(lambda: next((m for m in sg.mod_log.all_messages()  # type: ignore[union-attr]
                                                     if m.content.startswith(f"{contact.mention} says **Acme**")),
                                                    None), description="the mod-log line")
        one_line = " ".join(reason.split())
        assert "\n" not in line.content
        if one_line:
            guard.note_echo("reason", echoed_in(plain(clip(one_line, REASON_LIMIT)), line.content))
        else:
            assert "Their reason" not in line.content
