"""Property-based e2e tests: every free-text input of onboarding.

Entry points: the answer typed by direct message at the commitment question; the "I have a
question" modal (DM flow, and the ephemeral flow of someone whose DMs are closed, where the
welcome-channel post deliberately pings exactly that newcomer); the moderators' Reply modal.
The newcomer's own name is bait too ("@everyone <@&moderators>"). For each input: no unhandled
error, an answer, nothing pinged from the text (see tests/e2e/property_support.py).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given

from bot.plaintext import plain
from cogs.onboarding import logic
from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message, ScriptedUser

from .conftest import InProcessBot, RunBot
from .property_support import (
    ADVERSARIAL,
    Guard,
    echoed_in,
    fit,
    guard,
    prop_settings,
    text_strategy,
    with_examples,
)
from .test_onboarding_flow import TOTAL, first_step, newcomer, start_from_welcome, step_no, walk_to_question

__all__ = ["guard"]  # the fixture, imported for pytest

TEXT = text_strategy()


@pytest.fixture
async def bot_in_process(run_bot: RunBot, standard_guild: StandardGuild) -> InProcessBot:
    """Many examples ask through one newcomer: the per-person question limits (tested in
    test_question_limits.py) are lifted here."""
    return await run_bot(standard_guild, config={"onboarding": {"question_cooldown_seconds": 0,
                                                                "max_open_questions": 10_000}})


def bait_name(guard: Guard, n: int) -> str:
    return f"@everyone <@&{guard.ids.mod_role}> New{n}"


async def fresh_newcomer(emulator: Emulator, sg: StandardGuild, guard: Guard, *, dms_open: bool,
                         locale: str = "en-US") -> ScriptedUser:
    n = guard.state["newcomers"] = guard.state.get("newcomers", 0) + 1
    return await newcomer(emulator, sg, bait_name(guard, n), dms_open=dms_open, locale=locale)


# What the newcomer's side says, in each language their client may speak (issue 16: the properties
# hold in both). The moderators' side is in the server's language (English).
WORDS = {
    "en-US": {"ask": "I have a question", "field": "Your question", "sent": "went privately to the moderators",
              "empty": "empty", "answered": "answered your onboarding question"},
    "es-419": {"ask": "Tengo una pregunta", "field": "Tu pregunta", "sent": "llegó en privado al equipo",
               "empty": "vacía", "answered": "respondió tu pregunta de bienvenida"},
}


async def flow_message(emulator: Emulator, sg: StandardGuild, user: ScriptedUser) -> Message:
    """The message with the steps: a DM, or (DMs closed) the ephemeral one "Start here" opens."""
    if user.dms_open:
        return await first_step(user)
    return await start_from_welcome(emulator, sg, user)


def question_posts(sg: StandardGuild) -> list[Message]:
    assert sg.moderators is not None
    return [m for m in sg.moderators.messages() if "Onboarding question" in m.content]


# --- the "I have a question" modal, and the moderators' Reply modal -------------------------------------------


@pytest.mark.parametrize("locale", sorted(WORDS))
@pytest.mark.parametrize("dms", ["open", "closed"])
@prop_settings(30)
@with_examples("What does PLE mean?", answer="People with lived/living experience. @here")
@given(text=TEXT, answer=TEXT)
async def test_question_modal_and_moderator_reply(emulator: Emulator, standard_guild: StandardGuild,
                                                  bot_in_process: InProcessBot, guard: Guard, dms: str,
                                                  locale: str, text: str, answer: str) -> None:
    sg = standard_guild
    words = WORDS[locale]
    if "user" not in guard.state:
        user = await fresh_newcomer(emulator, sg, guard, dms_open=dms == "open", locale=locale)
        guard.state["user"], guard.state["msg"] = user, await flow_message(emulator, sg, user)
    user, msg = guard.state["user"], guard.state["msg"]
    question = fit(guard.ids.fill(text), logic.QUESTION_MAX_CHARS)
    reply_text = fit(guard.ids.fill(answer), logic.ANSWER_MAX_CHARS)
    if not question:
        return  # a required field: Discord does not submit it empty
    async with guard.probe(question, reply_text):
        before = len(question_posts(sg))
        # By its custom_id: a first DM is in the server's language until the newcomer's first click.
        ask = next(b["custom_id"] for b in msg.buttons if b["custom_id"].startswith("onboarding:ask:"))
        opened = await user.click(msg, ask)
        assert opened.modal is not None
        submitted = await opened.modal.submit({words["field"]: question})
        if not question.strip():
            assert submitted.ephemeral and words["empty"] in submitted.text, "whitespace only: asked to type it"
            return
        assert submitted.type == 7 and words["sent"] in msg.content
        assert re.search(r"\*\*(Step|Paso) 1 (of|de) ", msg.content), "the newcomer stays on their step"
        assert words["ask"] in {b["label"] for b in msg.buttons}, "in the newcomer's language"
        posts = await emulator.wait_for(lambda: question_posts(sg)[before:], description="the question posted")
        post = posts[0]
        # shown as typed: markdown escaped (bot.plaintext), so the escaped text is what arrives
        guard.note_echo("question", echoed_in(plain(question), post.content))
        assert echoed_in(plain(question), post.content) or not question.strip()
        if not reply_text:
            return
        reply = await sg.moderator.click(post, "Reply")
        assert reply.modal is not None
        answered = await reply.modal.submit({"Your answer": reply_text})
        if not reply_text.strip():
            assert answered.ephemeral and "empty" in answered.text
            return
        done = await answered.wait_message(lambda m: m.ephemeral and ("Sent" in m.text or "couldn't" in m.text))
        if user.dms_open:
            assert "Sent" in done.text
            # The answer reaches the newcomer in their language (their app's, noted at their first click).
            dm = await user.wait_dm(lambda m: words["answered"] in m.content)
            guard.note_echo("reply", echoed_in(plain(reply_text), dm.content))
        else:
            assert "couldn't deliver" in done.text


# --- a typed answer at the commitment question ----------------------------------------------------------------


@prop_settings(40)
@with_examples("yes", "Yes!", "yes but…", "no", "YES I AM COMMITTED", "y")
@given(text=TEXT)
async def test_typed_answer_at_the_question(emulator: Emulator, standard_guild: StandardGuild,
                                            bot_in_process: InProcessBot, guard: Guard, text: str) -> None:
    sg = standard_guild
    if "user" not in guard.state:  # a clear "yes" completes the flow: the next example needs a new newcomer
        user = await fresh_newcomer(emulator, sg, guard, dms_open=True)
        msg = await walk_to_question(user)
        assert step_no(msg) == TOTAL
        guard.state["user"] = user
    user = guard.state["user"]
    typed = fit(guard.ids.fill(text), 4000)  # a DM holds at most 4,000 characters (Nitro)
    async with guard.probe(typed):
        sent = await user.send_dm(sg.bot, typed)
        reply = await user.wait_dm(after=sent)
        if logic.is_clear_yes(typed):
            assert "now a member" in reply.content
            await emulator.wait_for(lambda: user.has_role(sg.guild, "Member"), description="the member role")
            del guard.state["user"]
        else:
            assert "clear \"yes\"" in reply.content and not user.has_role(sg.guild, "Member")


def test_adversarial_examples_are_nontrivial() -> None:
    """The explicit examples hold what the issue names (so a refactor can't quietly drop them)."""
    joined = "\n".join(ADVERSARIAL)
    for bait in ("@everyone", "@here", "<@&", "<@!", "`@everyone`", "\u200d", "\n"):
        assert bait in joined
    assert "" in ADVERSARIAL and any(len(t) == 4000 for t in ADVERSARIAL)
