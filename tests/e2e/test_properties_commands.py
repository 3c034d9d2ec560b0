"""Property-based e2e tests: free text in slash-command options and autocomplete queries.

Entry points: /acronym lookup `term` (in the server and in a DM) and its autocomplete;
/coi list `category` and its autocomplete; /waitingroom start `categories` and `reason` and the
`categories` autocomplete; /recording allow `reason` (then /recording status, which shows it to
moderators); /audit recent `action`. For each, any text: no unhandled error, an answer, nothing
pinged, Discord's limits kept (see tests/e2e/property_support.py) — in both languages: each test runs
once with an English server and moderator, once with a Spanish server and a moderator whose Discord
speaks Spanish (issue 16: Spanish runs longer, and every sentence must still fit).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot import i18n
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator

from .conftest import InProcessBot, RunBot
from .property_support import MOD_ROLE, Guard, echoed_in, fit, guard, prop_settings, text_strategy, with_examples

__all__ = ["guard"]  # the fixture, imported for pytest

TEXT = text_strategy()

# What the person reads, by language: the server's (for moderators) and the moderator's own are the same here.
LOCALES = {"en": "en-US", "es": "es-419"}
SAYS = {
    "en": {"miss": "not in the glossary", "may record": "may record", "unknown": "I don't know the category",
           "room on": "waiting room is on", "ended": "has ended", "unchanged": "Nothing was changed"},
    "es": {"miss": "no está en el glosario", "may record": "puede grabar", "unknown": "No conozco la categoría",
           "room on": "La sala de espera está activa", "ended": "terminó", "unchanged": "No se cambió nada"},
}


@pytest.fixture(params=sorted(LOCALES))
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def bot_in_process(run_bot: RunBot, standard_guild: StandardGuild, language: str) -> AsyncIterator[InProcessBot]:
    """The bot with `[guild] language` set to `language`, the moderator's client speaking it too."""
    standard_guild.moderator.user.locale = LOCALES[language]
    try:
        yield await run_bot(standard_guild, config={"guild": {"language": language}})
    finally:
        i18n.configure(i18n.SOURCE_LANGUAGE)  # the server language is process-wide: later tests expect English


# --- /acronym lookup -------------------------------------------------------------------------------------


@prop_settings(40)
@with_examples("IHRRC", "ihrrc", " COI ", "P.L.E.", "`", "@everyone IHRRC", share=True, in_dm=False)
@given(text=TEXT, share=st.booleans(), in_dm=st.booleans())
async def test_acronym_lookup_term(emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot,
                                   guard: Guard, language: str, text: str, share: bool, in_dm: bool) -> None:
    sg = standard_guild
    term = fit(guard.ids.fill(text), 100)  # Range[str, 1, 100]: Discord enforces the length
    if not term.strip():
        return  # Discord does not send an empty required option
    async with guard.probe(term):
        result = await sg.moderator.slash(None if in_dm else sg.guild, "acronym lookup", term=term, share=share)
        msg = await result.wait_message()
        assert msg.text, "an answer"
        if SAYS[language]["miss"] in msg.text:
            assert result.ephemeral, "a miss is only shown to the person who asked"


@prop_settings(40)
@with_examples("I", "ih", "pl", "harm reduction", in_dm=False)
@given(text=TEXT, in_dm=st.booleans())
async def test_acronym_lookup_autocomplete(emulator: Emulator, standard_guild: StandardGuild,
                                           bot_in_process: InProcessBot, guard: Guard, text: str,
                                           in_dm: bool) -> None:
    sg = standard_guild
    typed = fit(guard.ids.fill(text), 100)
    async with guard.probe(typed):
        choices = await sg.moderator.autocomplete(None if in_dm else sg.guild, "acronym lookup", term=typed)
        assert isinstance(choices, list)  # limits of each choice are checked by the probe


# --- /coi list -------------------------------------------------------------------------------------------------


@prop_settings(30)
@with_examples("funders", "Law enforcement", "COI: Funders", "all")
@given(text=TEXT)
async def test_coi_list_category_and_autocomplete(emulator: Emulator, standard_guild: StandardGuild,
                                                  bot_in_process: InProcessBot, guard: Guard, language: str,
                                                  text: str) -> None:
    sg = standard_guild
    category = fit(guard.ids.fill(text), 6000)  # plain str option: Discord's 6,000-character limit
    async with guard.probe(category):
        choices = await sg.moderator.autocomplete(sg.guild, "mod-coi list", category=category)
        assert isinstance(choices, list)
        result = await sg.moderator.slash(sg.guild, "mod-coi list", **({"category": category} if category else {}))
        msg = await result.wait_message()
        assert result.ephemeral and msg.text
        if SAYS[language]["unknown"] in msg.text:
            guard.note_echo("mod-coi list", echoed_in(category[:40], msg.text))


# --- /waitingroom start ------------------------------------------------------------------------------------------

VALID = ["funders", "law_enforcement", "all", "Funders, pharma", "government; lobbyists"]


@prop_settings(30)
@with_examples("funders, law_enforcement", "all", ", ,", "funders, @everyone", f"funders,{'x' * 5000}",
               reason=f"guest speaker <@&{MOD_ROLE}> @everyone", valid="funders", mix=False)
@example(text="funders", reason="a NUL \u0000 byte, 中文 and 🙂 in the stored reason", valid="funders", mix=False)
@given(text=TEXT, reason=st.one_of(st.none(), TEXT), valid=st.sampled_from(VALID), mix=st.booleans())
async def test_waitingroom_start_categories_reason_and_autocomplete(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, guard: Guard,
        language: str, text: str, reason: str | None, valid: str, mix: bool) -> None:
    sg = standard_guild
    meeting = meeting_channel(sg)
    categories = fit(guard.ids.fill(f"{valid}, {text}" if mix else text), 6000)
    why = fit(guard.ids.fill(reason), 300) if reason is not None else None  # Range[str, 1, 300]
    options = {"channel": meeting, "categories": categories, "minutes": 5}
    if why and why.strip():
        options["reason"] = why
    async with guard.probe(categories, why or ""):
        choices = await sg.moderator.autocomplete(sg.guild, "waitingroom start", focused="categories",
                                                  channel=meeting, categories=categories)
        assert isinstance(choices, list)
        if not categories.strip():
            return  # a required option: Discord does not send it empty
        result = await sg.moderator.slash(sg.guild, "waitingroom start", options=options)
        msg = await result.wait_message()
        assert result.ephemeral and msg.text
        says = SAYS[language]
        if says["room on"] in msg.text:
            ended = await sg.moderator.slash(sg.guild, "waitingroom end", channel=meeting)
            assert says["ended"] in (await ended.wait_message()).text
        else:
            assert says["unchanged"] in msg.text or "categor" in msg.text, msg.text


def meeting_channel(sg: StandardGuild) -> Channel:
    return sg.guild.find_channel("coalition-meeting") or sg.guild.create_voice_channel("coalition-meeting")


# --- /recording allow ------------------------------------------------------------------------------------------


@prop_settings(30)
@with_examples("live captions for a member who is hard of hearing", "x" * 200)
@given(text=TEXT)
async def test_recording_allow_reason_then_status(emulator: Emulator, standard_guild: StandardGuild,
                                                  bot_in_process: InProcessBot, guard: Guard, language: str,
                                                  text: str) -> None:
    sg = standard_guild
    room = meeting_channel(sg)
    reason = fit(guard.ids.fill(text), 200)  # Range[str, 1, MAX_REASON_CHARS]
    if not reason.strip():
        return
    async with guard.probe(reason):
        result = await sg.moderator.slash(sg.guild, "recording allow", channel=room, minutes=30, reason=reason)
        msg = await result.wait_message()
        assert result.ephemeral and msg.text
        status = await sg.moderator.slash(sg.guild, "recording status")
        shown = await status.wait_message()
        assert shown.text
        if SAYS[language]["may record"] in msg.text:
            guard.note_echo("recording status", echoed_in(reason, shown.text, 20))


# --- /audit recent ------------------------------------------------------------------------------------------------


@prop_settings(30)
@with_examples("repair", "coi.waitingroom", "onboarding.restart", "x" * 65)
@given(text=TEXT)
async def test_audit_recent_action_filter(emulator: Emulator, standard_guild: StandardGuild,
                                          bot_in_process: InProcessBot, guard: Guard, text: str) -> None:
    sg = standard_guild
    action = fit(guard.ids.fill(text), 6000)
    async with guard.probe(action):
        result = await sg.moderator.slash(sg.guild, "audit recent", **({"action": action} if action else {}))
        msg = await result.wait_message()
        assert result.ephemeral and msg.text
