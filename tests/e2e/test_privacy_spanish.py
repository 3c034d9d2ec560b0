"""Privacy in each person's language (issue 16): a member whose Discord client speaks Spanish (every
interaction carries locale es-419) sees /mydata and its delete confirmation in Spanish, while an
English-speaking member in the same server, and the moderators reading the audit log, keep English.
"""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import speaking, t
from cogs.privacy import texts
from cogs.privacy.inventory import INVENTORY
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


async def read_privacy(user: ScriptedUser, guild: object, language: str) -> list[str]:
    """Every page of /privacy, turned with its "next page" button (labelled in the reader's language)."""
    result = await user.slash(guild, "privacy")  # type: ignore[arg-type]
    page = await result.wait_message()
    with speaking(language):
        next_label = t(texts.NEXT_PAGE)
    descriptions = [page.embeds[0]["description"]]
    while next_label in [b["label"] for b in page.buttons]:
        moved = await user.click(page, next_label)
        assert moved.type == 7 and moved.message is page
        descriptions.append(page.embeds[0]["description"])
    assert not page.pings_anyone
    return descriptions


async def test_privacy_inventory_speaks_each_persons_language(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    """Every table's title, why, deleted and column descriptions (cogs/privacy/inventory.py, marked N_)
    reach a Spanish speaker in Spanish, on pages within Discord's embed limit, split and never cut; an
    English speaker in the same server still reads the English inventory README shows."""
    sg = standard_guild
    ana = emulator.create_user("Ana", locale="es-419")
    sam = emulator.create_user("Sam")
    for person in (ana, sam):
        await person.join(sg.guild)

    spanish = await read_privacy(ana, sg.guild, "es")
    assert len(spanish) > 1, "the inventory is several pages long"
    assert all(len(page) <= 4096 for page in spanish), [len(page) for page in spanish]  # embed description
    everything = "\n\n".join(spanish)
    assert "**Avance en el proceso de bienvenida**" in everything
    assert "Para que una persona nueva pueda hacer una pausa y retomar los pasos de bienvenida" in everything
    assert "So a newcomer can pause" not in everything and "which server this belongs to" not in everything
    assert "el ID de Discord de la persona nueva" in everything
    # The server's own retention settings, in Spanish, where README says the defaults.
    assert "El bot guarda lo menos posible." in everything and "(here: 30 days)" not in everything
    with speaking("es"):
        assert t(texts.RETENTION_HERE, days=30) in everything
        for table in INVENTORY:  # split between pages, never cut: every table is whole on one page
            assert any(t(texts.TABLE, title=t(table.title), why=t(table.why), deleted=t(table.deleted),
                         columns=t(texts.COLUMN_SEPARATOR).join(t(text) for _name, text in table.columns))
                       in page for page in spanish), table.name
            assert t(table.title) != table.title, table.name

    english = await read_privacy(sam, sg.guild, "en")
    assert all(len(page) <= 4096 for page in english)
    words = "\n\n".join(english)
    assert "So a newcomer can pause and pick up the onboarding steps where they left off." in words
    assert "`retention_days_after_leave` (here: 30 days)" in words
    assert all(f"**{table.title}**" in words for table in INVENTORY)
    assert "Avance en el proceso" not in words and "El bot guarda" not in words
