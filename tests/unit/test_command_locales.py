"""The command translator (bot/command_locales.py): Spanish for es-ES and es-419 only, names only from
COMMAND_NAMES and only when they fit Discord's name rules, descriptions only when translated."""

from __future__ import annotations

import discord
import pytest
from discord.app_commands import TranslationContext, locale_str
from discord.app_commands import TranslationContextLocation as Where

from bot import i18n
from bot.command_locales import VALID_NAME, CatalogTranslator, localized
from bot.texts import COMMAND_NAMES
from cogs.language.texts import CMD_LANGUAGE


@pytest.mark.parametrize("name", sorted(COMMAND_NAMES))
def test_every_spanish_name_is_a_valid_discord_name(name: str) -> None:
    spanish = i18n.translate("es", name)
    assert VALID_NAME.match(spanish) and spanish == spanish.lower(), spanish
    assert localized("es", name, Where.command_name) == spanish


def test_names_not_listed_and_untranslated_descriptions_stay_english() -> None:
    assert localized("es", "no-such-command", Where.parameter_name) is None
    assert localized("es", "A sentence nobody translated", Where.command_description) is None
    assert localized("es", CMD_LANGUAGE, Where.command_description) == i18n.translate("es", CMD_LANGUAGE)


async def test_only_spanish_locales_get_spanish() -> None:
    translator = CatalogTranslator()
    context = TranslationContext(Where.command_name, None)
    for locale in (discord.Locale.spain_spanish, discord.Locale.latin_american_spanish):
        assert await translator.translate(locale_str("language"), locale, context) == "idioma"
    assert await translator.translate(locale_str("language"), discord.Locale.french, context) is None
    assert await translator.translate(locale_str("language"), discord.Locale.american_english, context) is None
