"""Privacy in each person's language (issue 16): a member whose Discord client speaks Spanish (every
interaction carries locale es-419) sees /mydata and its delete confirmation in Spanish, while an
English-speaking member in the same server, and the moderators reading the audit log, keep English.
"""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import speaking, t
from cogs.privacy import texts
from tests.conftest import StandardGuild
from tests.emulator import Emulator, ScriptedUser

from .conftest import InProcessBot


async def show(user: ScriptedUser, guild: object) -> str:
    result = await user.slash(guild, "mydata show")  # type: ignore[arg-type]
    await result.wait_message(lambda m: bool(m.text))
    assert result.ephemeral
    return "\n".join(m.text for m in result.messages)


async def test_mydata_speaks_each_persons_language(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    assert sg.moderator is not None
    ana = emulator.create_user("Ana", locale="es-419")
    sam = emulator.create_user("Sam")
    for person in (ana, sam):
        await person.join(sg.guild)
        await person.wait_dm()  # the onboarding has started: it holds a record about them

    spanish = await show(ana, sg.guild)
    assert "**Lo que guardo sobre ti**" in spanish and "Solo tú puedes ver esto." in spanish
    assert "Proceso de bienvenida: en curso, en el paso 1" in spanish
    assert "What I hold" not in spanish and "in progress" not in spanish
    english = await show(sam, sg.guild)
    assert "What I hold about you" in english and "Onboarding: in progress, on step 1" in english

    # /privacy says, in her language, that her app's language is noted and how to change or erase it.
    told = await (await ana.slash(sg.guild, "privacy")).wait_message()
    with speaking("es"):
        assert t(texts.LANGUAGE_NOTE) in told.text and "`/idioma`" in told.text
    assert texts.LANGUAGE_NOTE not in told.text

    again = await ana.slash(sg.guild, "mydata show")
    assert again.ephemeral and "vuelve a pedirlo en unos" in again.text

    asked = await ana.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    assert f"¿Borro lo que guardo sobre ti en **{sg.guild.name}**?" in prompt.text
    assert "**No** quitaré tu rol de Miembro" in prompt.text
    assert [b["label"] for b in prompt.buttons] == ["Sí, borra mis datos", "No, conserva mis datos"]
    kept = await ana.click(prompt, "No, conserva mis datos")
    assert kept.type == 7 and prompt.text == "De acuerdo, no se borró nada. Tus datos siguen como estaban."

    bot_in_process.bot.clock.advance(timedelta(seconds=11))
    asked = await ana.slash(sg.guild, "mydata delete")
    prompt = await asked.wait_message()
    await ana.click(prompt, "Sí, borra mis datos")
    done = await emulator.wait_for(lambda: "Listo." in prompt.text and prompt, description="the erasure reply")
    # Her onboarding flow and the language her Discord app speaks (noted for later DMs: person_language).
    assert "Listo. Borré o vacié 2 registros sobre ti." in done.text
    assert "Tu rol de Miembro y tus mensajes siguen intactos." in done.text

    # The moderators read the audit log in the server's language, whoever erased their data.
    audit = await sg.moderator.slash(sg.guild, "audit recent")
    log = await audit.wait_message(lambda m: bool(m.text))
    assert "**Audit log — most recent first**" in log.text and "privacy.data_erased" in log.text
