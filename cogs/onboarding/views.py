"""Buttons, the COI select and the modals of onboarding.

Every button is a `DynamicItem` whose custom_id carries what the click needs (guild and
step, or the question id), so messages sent before a restart keep working. Callbacks
hand over to the cog, which reloads state from the database.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import report_interaction_error
from bot.ui import BaseModal, detached
from cogs.onboarding import logic

if TYPE_CHECKING:
    from cogs.onboarding.cog import OnboardingCog


def _cog(interaction: discord.Interaction) -> OnboardingCog:
    cog = interaction.client.get_cog("Onboarding")  # type: ignore[attr-defined]
    if cog is None:
        raise RuntimeError("onboarding cog not loaded")
    return cog  # type: ignore[no-any-return]


START_HERE_LABEL = "Start here: read our agreements"

BUTTON_STYLES = {
    "next": discord.ButtonStyle.success,
    "yes": discord.ButtonStyle.success,
    "back": discord.ButtonStyle.secondary,
    "ask": discord.ButtonStyle.secondary,
    "notyet": discord.ButtonStyle.secondary,
    "resume": discord.ButtonStyle.primary,
}


class StepButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=logic.STEP_ID_TEMPLATE):
    def __init__(self, action: str, guild_id: int, step: int, label: str = "", disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label=label or action, style=BUTTON_STYLES.get(action, discord.ButtonStyle.secondary),
            custom_id=logic.step_custom_id(action, guild_id, step), disabled=disabled))
        self.action, self.guild_id, self.step = action, guild_id, step

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> StepButton:
        return cls(match["action"], int(match["guild"]), int(match["step"]), getattr(item, "label", "") or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _cog(interaction).on_step_click(interaction, self.action, self.guild_id, self.step)
        except Exception as error:
            await report_interaction_error(interaction, error, f"onboarding button {self.action}")


class CoiSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=logic.COI_ID_TEMPLATE):
    def __init__(self, guild_id: int, step: int, options: Sequence[discord.SelectOption] = ()) -> None:
        opts = list(options) or [discord.SelectOption(label="None apply", value=logic.NONE_APPLY)]
        super().__init__(discord.ui.Select(
            custom_id=logic.coi_custom_id(guild_id, step),
            placeholder="Conflicts of interest (COI): pick any that apply",
            min_values=1, max_values=len(opts), options=opts))
        self.guild_id, self.step = guild_id, step

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> CoiSelect:
        options = list(getattr(item, "options", []) or [])
        return cls(int(match["guild"]), int(match["step"]), options)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _cog(interaction).on_coi_pick(interaction, self.guild_id, self.step, list(self.item.values))
        except Exception as error:
            await report_interaction_error(interaction, error, "onboarding COI select")


class StartButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=logic.START_ID_TEMPLATE):
    """A per-person Start button the bot used to post in the welcome channel for someone whose DMs
    were closed. No longer posted (it said so in public); kept so old posts still work."""

    def __init__(self, guild_id: int, user_id: int) -> None:
        super().__init__(discord.ui.Button(label="Start onboarding", style=discord.ButtonStyle.success,
                                           custom_id=logic.start_custom_id(guild_id, user_id)))
        self.guild_id, self.user_id = guild_id, user_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> StartButton:
        return cls(int(match["guild"]), int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _cog(interaction).on_start_click(interaction, self.guild_id, self.user_id)
        except Exception as error:
            await report_interaction_error(interaction, error, "onboarding start button")


class StartHereButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=logic.START_HERE_ID_TEMPLATE):
    """On the welcome channel's "Start here" message: anyone's flow, in messages only they see."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(discord.ui.Button(label=START_HERE_LABEL, style=discord.ButtonStyle.success,
                                           custom_id=logic.start_here_custom_id(guild_id)))
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> StartHereButton:
        return cls(int(match["guild"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _cog(interaction).on_start_here_click(interaction, self.guild_id)
        except Exception as error:
            await report_interaction_error(interaction, error, "onboarding start-here button")


class ReplyButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=logic.REPLY_ID_TEMPLATE):
    """On a newcomer's question in the moderators' channel: answer through the bot."""

    def __init__(self, question_id: int) -> None:
        super().__init__(discord.ui.Button(label="Reply", style=discord.ButtonStyle.primary,
                                           custom_id=logic.reply_custom_id(question_id)))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ReplyButton:
        return cls(int(match["question"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _cog(interaction).on_reply_click(interaction, self.question_id)
        except Exception as error:
            await report_interaction_error(interaction, error, "onboarding reply button")


class InviteButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=r"onboarding:invite:(?P<guild>[0-9]{1,20}):(?P<user>[0-9]{1,20})"):
    """On a mod-log line about someone holding the member role without a yes: send them the onboarding."""

    def __init__(self, guild_id: int, user_id: int) -> None:
        super().__init__(discord.ui.Button(label="Send them the onboarding", style=discord.ButtonStyle.primary,
                                           custom_id=f"onboarding:invite:{guild_id}:{user_id}"))
        self.guild_id, self.user_id = guild_id, user_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> InviteButton:
        return cls(int(match["guild"]), int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _cog(interaction).on_invite_click(interaction, self.guild_id, self.user_id)
        except Exception as error:
            await report_interaction_error(interaction, error, "onboarding invite button")


def invite_view(guild_id: int, user_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(InviteButton(guild_id, user_id))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    StepButton, CoiSelect, StartButton, StartHereButton, ReplyButton, InviteButton)


# Modals are per person and detached (bot.ui.detached): OnboardingCog.on_interaction handles the
# submission by custom_id, so two people asking at once both arrive, and so does a modal opened
# before a restart. The custom_id names its person; a submission by anyone else is refused.
QUESTION_MODAL = re.compile(r"onboarding:ask:(?P<guild>[0-9]{1,20}):(?P<step>[0-9]{1,4}):(?P<user>[0-9]{1,20})")
REPLY_MODAL = re.compile(r"onboarding:answer:(?P<question>[0-9]{1,20}):(?P<user>[0-9]{1,20})")
QUESTION_FIELD = "question"
ANSWER_FIELD = "answer"


def question_modal(guild_id: int, step: int, user_id: int) -> discord.ui.Modal:
    modal = BaseModal(title="Ask the moderators", custom_id=f"onboarding:ask:{guild_id}:{step}:{user_id}")
    modal.add_item(discord.ui.TextInput(
        label="Your question", custom_id=QUESTION_FIELD, style=discord.TextStyle.paragraph,
        max_length=logic.QUESTION_MAX_CHARS,
        placeholder="Only the moderators see this. Their answer comes to you by direct message."))
    return detached(modal)


def reply_modal(question_id: int, user_id: int) -> discord.ui.Modal:
    modal = BaseModal(title="Answer the newcomer", custom_id=f"onboarding:answer:{question_id}:{user_id}")
    modal.add_item(discord.ui.TextInput(
        label="Your answer", custom_id=ANSWER_FIELD, style=discord.TextStyle.paragraph,
        max_length=logic.ANSWER_MAX_CHARS, placeholder="Sent to them by direct message from the bot."))
    return detached(modal)


def step_view(guild_id: int, steps: Sequence[logic.Step], index: int,
              coi_options: Sequence[discord.SelectOption] = ()) -> discord.ui.View:
    step = steps[index]
    if step.offers_coi and coi_options:
        return _build_step_view(guild_id, index, len(steps), step.kind == "intro", coi_options)  # a person's pick
    return _shared_step_view(guild_id, index, len(steps), step.kind == "intro")


@functools.lru_cache(maxsize=4096)
def _shared_step_view(guild_id: int, index: int, count: int, intro: bool) -> discord.ui.View:
    """The same buttons for everyone at this step: built once, not on every click (a join wave
    answers hundreds of clicks a second). Stopped, so discord.py never files it in its view store:
    every item is a DynamicItem, found by its custom_id (the cog registers DYNAMIC_ITEMS)."""
    view = _build_step_view(guild_id, index, count, intro, ())
    view.stop()
    return view


def _build_step_view(guild_id: int, index: int, count: int, intro: bool,
                     coi_options: Sequence[discord.SelectOption]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if coi_options:
        view.add_item(CoiSelect(guild_id, index, coi_options))
    if index == count - 1:
        view.add_item(StepButton("yes", guild_id, index, "Yes"))
        view.add_item(StepButton("notyet", guild_id, index, "Not yet / I have questions"))
    else:
        view.add_item(StepButton("next", guild_id, index, "Let's begin" if intro else "I understand and agree"))
    if index > 0:
        view.add_item(StepButton("back", guild_id, index, "Back"))
    view.add_item(StepButton("ask", guild_id, index, "I have a question"))
    return view


def declined_view(guild_id: int, index: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StepButton("resume", guild_id, index, "Back to the question"))
    view.add_item(StepButton("ask", guild_id, index, "I have a question"))
    return view


def start_here_view(guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StartHereButton(guild_id))
    view.stop()  # found by its custom_id (a DynamicItem), never filed in discord.py's view store
    return view


def reply_view(question_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReplyButton(question_id))
    return view
