"""Issue 16: a newcomer's first contact offers the language in words of each language. Bo's Discord
app speaks English; his first DM carries "English" / "Español" buttons; he picks Español, reads every
step in Spanish, and a typed "sí" makes him a member. The choice is kept (one row, marked chosen).
Cy's direct messages are closed: the welcome channel's post offers "Empezar aquí en español" beside the
server's own button, and her steps open in Spanish, seen by her alone. Moderators keep English."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.content import load_content
from bot.i18n import speaking, t
from cogs.language import texts as language_texts
from cogs.onboarding import logic, texts
from db.models import PersonLanguage
from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message
from tests.emulator.users import InteractionResult

from .conftest import InProcessBot
from .test_onboarding_flow import START_HERE, db_rows, first_step, newcomer, start_here_message

CONTENT = load_content()
SPANISH = CONTENT.localized("es")
STEPS = logic.build_steps(CONTENT, language="es")


def spanish(message: str, **values: object) -> str:
    with speaking("es"):
        return t(message, **values)


def paso(msg: Message) -> int:
    found = re.search(r"\*\*Paso (\d+) de (\d+)", msg.content)
    assert found, f"no 'Paso k de N' in {msg.content[:200]!r}"
    assert int(found.group(2)) == len(STEPS)
    return int(found.group(1))


async def walk_in_spanish(msg: Message, click: Callable[[Message, str], Awaitable[InteractionResult]]) -> Message:
    """From the first step to the question, every step's Spanish heading and buttons checked."""
    for index, step in enumerate(STEPS):
        assert paso(msg) == index + 1 and step.heading in msg.content
        labels = {b.get("label") for b in msg.buttons}
        assert "Tengo una pregunta" in labels and not labels & {"I have a question", "Back", "Yes"}
        if index == len(STEPS) - 1:
            assert SPANISH.commitment.question in msg.content
            return msg
        result = await click(msg, "Empecemos" if index == 0 else "Entiendo y estoy de acuerdo")
        assert result.type == 7 and result.message is not None, "each step edits the same message"
        msg = result.message
    raise AssertionError("unreachable")


async def test_a_newcomer_picks_espanol_on_the_first_dm_and_walks_in_spanish(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    bo = await newcomer(emulator, sg, "Bo")  # his app speaks English
    first = await first_step(bo)
    assert [b["label"] for b in first.buttons][-2:] == ["English", "Español"]
    english_text = first.content

    picked = await bo.click(first, "Español")
    assert picked.type == 7 and picked.message is not None, "the same message, now in Spanish"
    msg = picked.message
    assert paso(msg) == 1 and spanish(language_texts.SAVED) in msg.content and msg.content != english_text
    assert STEPS[0].heading in msg.content
    (row,) = await db_rows(bot_in_process, PersonLanguage, user_id=bo.id)
    assert (row.language, row.chosen) == ("es", True)

    # Back to English and to Spanish again: the choice follows the last click; the step never moves.
    back = await bo.click(msg, "English")
    assert back.message is not None and "Step 1 of" in back.message.content
    assert "Done: from now on I'll speak English with you." in back.message.content
    again = (await bo.click(back.message, "Español")).message
    assert again is not None

    question = await walk_in_spanish(again, bo.click)
    assert not {"English", "Español"} & {b.get("label") for b in question.buttons}, "offered on the first step only"
    await bo.send_dm(sg.bot, "sí")
    await emulator.wait_for(lambda: bo.has_role(sg.guild, "Member"), description="member role after a typed sí")
    thanks = spanish(texts.COMPLETED, name=SPANISH.community.name, next_steps=spanish(texts.NEXT_STEPS))
    await bo.wait_dm(lambda m: m.content.startswith(thanks))  # the thank-you for his typed "sí", in Spanish

    # Moderators read the server's language: the welcome note is English and says nothing of his language.
    bot = bot_in_process.bot
    bot.clock.advance(timedelta(seconds=logic.MODLOG_BATCH_SECONDS + 1))
    await bot.get_cog("Onboarding").run_due_jobs()
    assert sg.mod_log is not None
    notes = await emulator.wait_for(lambda: [m for m in sg.mod_log.all_messages() if bo.mention in m.content],
                                    description="the mod-log welcome note")
    assert all(n.content.startswith(texts.WELCOME_NOTE_HEAD) and "Español" not in n.content for n in notes)


async def test_the_welcome_post_offers_spanish_and_the_steps_open_in_spanish_for_her_alone(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    post = await start_here_message(emulator, sg)
    assert [b["label"] for b in post.buttons] == [START_HERE, "Empezar aquí en español"]
    assert post.content.startswith("**New here? Start here.**")  # the server's language first
    assert spanish(texts.START_IN_HINT) in post.content

    cy = await newcomer(emulator, sg, "Cy", dms_open=False)  # en-US app, closed DMs
    opened = await cy.click(post, "Empezar aquí en español")
    assert opened.ephemeral and opened.message is not None and opened.message.ephemeral_for == cy.id
    assert paso(opened.message) == 1 and STEPS[0].heading in opened.message.content
    assert sg.welcome is not None and len(sg.welcome.messages()) == 1, "nothing new in public"
    (row,) = await db_rows(bot_in_process, PersonLanguage, user_id=cy.id)
    assert (row.language, row.chosen) == ("es", True)

    # The server's own button still opens the steps in her (now chosen) language.
    again = await cy.click(post, START_HERE)
    assert again.message is not None and paso(again.message) == 1
