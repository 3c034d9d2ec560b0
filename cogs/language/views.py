"""The language buttons of /language: one per language, named in itself ("English", "Español")."""

from __future__ import annotations

from typing import Any

import discord

from bot.i18n import LANGUAGES, set_current, t
from bot.interactions import CustomId, Item, services_of
from bot.languages import LANGUAGES as BOOK
from bot.ui import NO_MENTIONS
from cogs.language import texts

PICK = CustomId("language:pick:{user:int}:{language:" + "|".join(LANGUAGES) + "}")


class LanguageButton(Item[discord.ui.Button[Any]], spec=PICK):
    owner = "user"  # a forged custom_id naming someone else changes nobody's language

    def __init__(self, user: int, language: str, current: bool = False) -> None:
        style = discord.ButtonStyle.primary if current else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=LANGUAGES[language], style=style,
                                           custom_id=PICK.build(user=user, language=language)))
        self.user_id, self.language = user, language

    async def act(self, interaction: discord.Interaction) -> None:
        await services_of(interaction.client)[BOOK].choose(self.user_id, self.language)  # saved before we say so
        set_current(self.language)  # the answer is already in the new language
        await interaction.response.edit_message(content=t(texts.SAVED), view=None, allowed_mentions=NO_MENTIONS)


def picker(user_id: int, current: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for code in LANGUAGES:
        view.add_item(LanguageButton(user_id, code, code == current))
    view.stop()  # found by its custom_id (a DynamicItem), never filed in discord.py's view store
    return view
