"""Property-based e2e tests: every free-text input of repair requests.

Entry points: the filing modal's four fields (what happened, who was involved, what would help,
content warning), named and anonymous, from the server and from a DM; the moderators' Reply,
Note and Close-with-resolution modals; direct messages relayed to the case. For each input: no
unhandled error, an answer, nothing pinged from the text, and what the bot sends stays within
Discord's limits (see tests/e2e/property_support.py). Every test runs with a requester who reads
English and with one who reads Spanish (issue 16): the limits hold in both languages.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.plaintext import plain
from cogs.repair import views
from tests.conftest import StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser

from .conftest import RunBot
from .property_support import (
    ADVERSARIAL,
    MOD_ROLE,
    OWNER,
    Guard,
    echoed_in,
    fit,
    guard,
    prop_settings,
    text_strategy,
    with_examples,
)
from .test_repair_e2e import WORDS, case_number, case_place, field, speaks, summary_of

__all__ = ["guard"]  # the fixture, imported for pytest

TEXT = text_strategy()
OPTIONAL = st.one_of(st.just(""), TEXT)
# Limits are off so that every example may file; limits have their own tests.
NO_LIMITS = {"repair": {"cooldown_minutes": 0, "max_open_per_member": 1000, "relay_per_minute": 1000,
                        "relay_per_hour": 1000}}
BAIT = f"@everyone @here <@&{MOD_ROLE}> <@{OWNER}> "
LONGEST = {k: (BAIT * 400)[:n] for k, n in views.LIMITS.items()}
IN_EACH_LANGUAGE = pytest.mark.parametrize("language", sorted(WORDS))


async def new_member(sg: StandardGuild, guard: Guard, language: str) -> ScriptedUser:
    n = guard.state["members"] = guard.state.get("members", 0) + 1
    user = sg.emu.create_user(f"@everyone <@&{guard.ids.mod_role}> Member{n}")
    await user.join(sg.guild)
    return speaks(guard.state["bot"], user, language)


async def file(user: ScriptedUser, sg: StandardGuild, *, in_dm: bool, anonymous: bool,
               values: dict[str, str], language: str) -> Message:
    words = WORDS[language]
    started = await user.slash(None if in_dm else sg.guild, "repair request")
    step = started.message
    assert step is not None and step.ephemeral, started
    chosen = await user.click(step, words["anonymous"] if anonymous else words["named"])
    assert chosen.modal is not None, chosen.text
    submitted = await chosen.modal.submit(values)
    return await submitted.wait_message(lambda m: words["case"] in m.text or words["given_back"] in m.text)


def bot_lines(place: Channel, sg: StandardGuild) -> list[Message]:
    return [m for m in place.all_messages() if m.author.id == sg.bot.id]


# --- filing --------------------------------------------------------------------------------------------------


@IN_EACH_LANGUAGE
@prop_settings(25)
@with_examples(who="", help="", cw="", anonymous=False, in_dm=False)
@example(text=LONGEST["what"], who=LONGEST["who"], help=LONGEST["help"], cw=LONGEST["cw"], anonymous=True,
         in_dm=True)
@given(text=TEXT, who=OPTIONAL, help=OPTIONAL, cw=OPTIONAL, anonymous=st.booleans(), in_dm=st.booleans())
async def test_filing_modal_fields(emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot,
                                   guard: Guard, language: str, text: str, who: str, help: str, cw: str,
                                   anonymous: bool, in_dm: bool) -> None:
    sg = standard_guild
    if "bot" not in guard.state:
        guard.state["bot"] = await run_bot(sg, config=NO_LIMITS)
    values = {key: fit(guard.ids.fill(value), views.LIMITS[key])
              for key, value in ((views.F_WHAT, text), (views.F_WHO, who), (views.F_HELP, help), (views.F_CW, cw))}
    if not values[views.F_WHAT]:
        return  # the required field: Discord does not submit it empty
    member = await new_member(sg, guard, language)
    async with guard.probe(*values.values()):
        receipt = await file(member, sg, in_dm=in_dm, anonymous=anonymous, values=values, language=language)
        number = case_number(receipt)
        if not values[views.F_WHAT].strip():
            assert number is None and WORDS[language]["describe"] in receipt.text
            wrote = any(v.strip() for v in values.values())
            assert bool(receipt.attachments) == wrote, "what they wrote (if anything) is handed back as a file"
            return
        assert number is not None, receipt.text
        place = await case_place(emulator, sg, number)
        summary = await summary_of(emulator, place)
        guard.note_echo("filing", echoed_in(plain(values[views.F_WHAT]), summary.embeds[0]["description"], 20))
        assert field(summary, "Requester") == "Anonymous requester" or not anonymous
        assert not summary.pings_anyone


# --- the moderators' modals ---------------------------------------------------------------------------------------


async def standing_case(emulator: Emulator, sg: StandardGuild, guard: Guard,
                        language: str) -> tuple[ScriptedUser, Message, Channel]:
    """One case with every field at its longest (mention bait), reused by every example."""
    if "case" not in guard.state:
        requester = await new_member(sg, guard, language)
        values = {k: guard.ids.fill(v) for k, v in LONGEST.items()}
        receipt = await file(requester, sg, in_dm=False, anonymous=False, values=values, language=language)
        number = case_number(receipt)
        assert number is not None
        place = await case_place(emulator, sg, number)
        guard.state["case"] = (requester, await summary_of(emulator, place), place)
    return guard.state["case"]  # type: ignore[no-any-return]


async def modal_action(emulator: Emulator, sg: StandardGuild, place: Channel, summary: Message, button: str,
                       values: dict[str, object], marker: str) -> bool:
    """Press a case button, submit its modal; wait for the line in the case thread. False if refused."""
    opened = await sg.moderator.click(summary, button)
    assert opened.modal is not None, opened.text
    before = len(bot_lines(place, sg))
    submitted = await opened.modal.submit(values)
    text = str(values["text"])
    if not text.strip():
        assert submitted.ephemeral and "empty" in submitted.text
        return False
    assert submitted.type == 7, submitted.text  # the summary is updated in place
    lines = await emulator.wait_for(lambda: [m for m in bot_lines(place, sg)[before:] if marker in m.content],
                                    description=f"the {button} line in the case thread")
    assert not lines[0].pings_anyone
    return True


@IN_EACH_LANGUAGE
@prop_settings(20)
@with_examples(reply="A reply @here", resolution=f"<@&{MOD_ROLE}> resolved", outcome="resolved")
@example(text=LONGEST["what"][:1800], reply=LONGEST["what"][:1800], resolution=LONGEST["what"][:1500],
         outcome="closed")
@given(text=TEXT, reply=TEXT, resolution=TEXT, outcome=st.sampled_from(["resolved", "closed"]))
async def test_moderator_reply_note_and_close_modals(emulator: Emulator, standard_guild: StandardGuild,
                                                     run_bot: RunBot, guard: Guard, language: str, text: str,
                                                     reply: str, resolution: str, outcome: str) -> None:
    sg = standard_guild
    if "bot" not in guard.state:
        guard.state["bot"] = await run_bot(sg, config=NO_LIMITS)
    requester, summary, place = await standing_case(emulator, sg, guard, language)
    words = WORDS[language]
    note = fit(guard.ids.fill(text), views.NOTE_LIMIT)
    answer = fit(guard.ids.fill(reply), views.REPLY_LIMIT)
    closing = fit(guard.ids.fill(resolution), views.RESOLUTION_LIMIT)
    async with guard.probe(note, answer, closing):
        if note:
            await modal_action(emulator, sg, place, summary, "Add note", {"text": note}, "Note from")
        if answer:
            before = requester.last_dm()
            if await modal_action(emulator, sg, place, summary, "Reply to requester", {"text": answer}, "replied"):
                dm = await requester.wait_dm(lambda m: words["reply"] in m.content, after=before)
                guard.note_echo("reply", echoed_in(plain(answer), dm.content))
        if closing:
            before = requester.last_dm()
            closed = await modal_action(emulator, sg, place, summary, "Close with resolution",
                                        {"outcome": [outcome], "text": closing}, "closed case")
            if closed:
                await requester.wait_dm(lambda m: words["closed"] in m.content, after=before)
                reopened = await sg.moderator.click(summary, "Reopen")
                assert reopened.type == 7 and field(summary, "Status") == "Reopened"


# --- direct messages relayed to the case ------------------------------------------------------------------------


@IN_EACH_LANGUAGE
@pytest.mark.parametrize("open_cases", [1, 2])
@prop_settings(25)
@with_examples()
@given(text=TEXT)
async def test_dm_relay_to_the_case(emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot,
                                    guard: Guard, open_cases: int, language: str, text: str) -> None:
    """One open case: relayed at once. Two: the bot asks which case (a select), then relays the
    DM it re-reads from Discord."""
    sg = standard_guild
    if "bot" not in guard.state:
        guard.state["bot"] = await run_bot(sg, config=NO_LIMITS)
    requester, _summary, place = await standing_case(emulator, sg, guard, language)
    words = WORDS[language]
    if open_cases == 2 and "second" not in guard.state:
        receipt = await file(requester, sg, in_dm=True, anonymous=True, values={"what": "A second matter."},
                             language=language)
        number = case_number(receipt)
        assert number is not None
        second = await case_place(emulator, sg, number)
        await summary_of(emulator, second)
        guard.state["second"] = (number, second)
    typed = fit(guard.ids.fill(text), 4000)
    async with guard.probe(typed):
        before = len(bot_lines(place, sg))
        sent = await requester.send_dm(sg.bot, typed)
        if open_cases == 2 and typed.strip():
            picker = await requester.wait_dm(lambda m: bool(m.selects), after=sent)
            number = place.name.removeprefix("case-")  # the standing case, whose thread we watch
            picked = await requester.select(picker, [words["option"].format(number=number, server=sg.guild.name)])
            # answered first (a deferred update, the same for every pick), then the picker becomes the receipt
            assert picked.type == 6
            await emulator.wait_for(lambda: words["passed"] in picker.content, description="the receipt")
        else:
            ack = await requester.wait_dm(lambda m: words["passed"] in m.content or words["text_only"] in m.content,
                                          after=sent)
            if not typed.strip():
                assert words["text_only"] in ack.content
                return
        relayed = await emulator.wait_for(lambda: bot_lines(place, sg)[before:], description="the relayed message")
        assert relayed[0].embeds and not relayed[0].pings_anyone
        guard.note_echo("relay", echoed_in(plain(typed), relayed[0].embeds[0]["description"], 20))


def test_longest_values_fill_each_field() -> None:
    assert {k: len(v) for k, v in LONGEST.items()} == views.LIMITS
    assert all("@everyone" in v for v in LONGEST.values()) and ADVERSARIAL
