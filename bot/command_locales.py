"""Slash commands in each person's language: Discord shows a command's name, options and description
in the language of the person's app when the synced command carries `name_localizations` and
`description_localizations` (es-ES and es-419 for Spanish).

discord.py asks an `app_commands.Translator` for each of them when the tree syncs
(`CommandTree.set_translator`); this one reads the same gettext catalogs as `t()`:
- descriptions (and choice names) are texts-module sentences, so their English is their msgid;
- names are the `COMMAND_NAMES` entries of bot/texts.py (core's catalog), and a translated name must
  still be a valid Discord name (lowercase, no spaces, at most 32 characters), else it stays English.
Nothing here runs per interaction: only at sync.
"""

from __future__ import annotations

import re

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot import i18n
from bot.texts import COMMAND_NAMES

# Discord's locales for each language the bot speaks (English is the commands' own language).
DISCORD_LOCALES: dict[discord.Locale, str] = {
    discord.Locale.spain_spanish: "es",
    discord.Locale.latin_american_spanish: "es",
}
NAMES = (Where.command_name, Where.group_name, Where.parameter_name)
VALID_NAME = re.compile(r"^[-_'\w]{1,32}$")
DESCRIPTION_MAX = 100
CHOICE_NAME_MAX = 100


def localized(language: str, text: str, where: Where) -> str | None:
    """`text` (a name, a description or a choice) in `language`; None when it has no fitting translation."""
    translated = i18n.translate(language, text)
    if where in NAMES:
        # Only a listed name is looked up (a name like "list" must never pick up some sentence's translation).
        if text not in COMMAND_NAMES or not VALID_NAME.match(translated) or translated != translated.lower():
            return None
        return translated  # may equal the English ("coi"): still a name chosen for this language
    if translated == text:
        return None  # not translated yet: Discord shows the English
    limit = CHOICE_NAME_MAX if where is Where.choice_name else DESCRIPTION_MAX
    return translated if len(translated) <= limit else None


class CatalogTranslator(app_commands.Translator):
    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        language = DISCORD_LOCALES.get(locale)
        return None if language is None else localized(language, string.message, context.location)
