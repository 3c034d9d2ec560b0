"""The buttons and the reason form of stepping back: on the one base (bot.interactions.Item), owner-checked.

The custom_ids name the person, so only they can confirm (a forged click by anyone else is refused
kindly) and the reason form is theirs alone (bot.modals checks it). A click hands over to
`SteppingBackActions` (the journey in stepping_back.py, found by a typed key, never by get_cog).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import discord

from bot.i18n import t
from bot.interactions import CustomId, Item, personal_modal, services_of
from bot.services import ServiceKey
from cogs.onboarding import step_back_texts as texts

CHOICE = CustomId("membership:{action:stepback|reason|keep}:{guild:int}:{user:int}")
REASON_FORM = CustomId("membership:reasonform:{guild:int}:{user:int}")
REASON_FIELD = "reason"
REASON_LIMIT = 200  # characters: one short line in #mod-log


@runtime_checkable
class SteppingBackActions(Protocol):
    async def choose(self, interaction: discord.Interaction, action: str, guild_id: int) -> None: ...


STEPPING_BACK = ServiceKey("onboarding.stepping_back", SteppingBackActions)  # type: ignore[type-abstract]  # a Protocol

STYLES = {"stepback": discord.ButtonStyle.danger, "reason": discord.ButtonStyle.secondary,
          "keep": discord.ButtonStyle.success}
LABELS = {"stepback": texts.STEP_BACK_LABEL, "reason": texts.STEP_BACK_WITH_REASON_LABEL, "keep": texts.KEEP_LABEL}


class ChoiceButton(Item[discord.ui.Button[Any]], spec=CHOICE):
    owner = "user"  # only the person stepping back can confirm it
    redact = True

    def __init__(self, action: str, guild: int, user: int) -> None:
        super().__init__(discord.ui.Button(label=t(LABELS[action]), style=STYLES[action],
                                           custom_id=self.spec.build(action=action, guild=guild, user=user)))
        self.action, self.guild = action, guild

    async def act(self, interaction: discord.Interaction) -> None:
        await services_of(interaction.client)[STEPPING_BACK].choose(interaction, self.action, self.guild)


DYNAMIC_ITEMS = (ChoiceButton,)


def confirm_view(guild_id: int, user_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in ("stepback", "reason", "keep"):
        view.add_item(ChoiceButton(action, guild_id, user_id))
    view.stop()  # every item is a DynamicItem, found by its custom_id
    return view


def reason_modal(guild_id: int, user_id: int) -> discord.ui.Modal:
    return personal_modal(REASON_FORM, t(texts.REASON_TITLE), discord.ui.TextInput(
        label=t(texts.REASON_LABEL), custom_id=REASON_FIELD, style=discord.TextStyle.paragraph, required=False,
        max_length=REASON_LIMIT, placeholder=t(texts.REASON_PLACEHOLDER)), guild=guild_id, user=user_id)
