"""Buttons, the COI select and the modals of onboarding, and `render` (a service Screen as a view).

Every button is a DynamicItem on the one base (bot.interactions.Item) whose custom_id, declared once
below, carries what the click needs (guild and step, or the question id), so messages sent before a
restart keep working. A click hands over to `Actions` (the contract the cog fulfils, found by a
typed key, never by get_cog), which asks the service and answers with `render`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

import discord

from bot import i18n
from bot.errors import NotAllowed
from bot.i18n import t, t_server
from bot.interactions import CustomId, Item, personal_modal, services_of
from bot.services import ServiceKey
from cogs.onboarding import logic, texts
from cogs.onboarding.service import Screen, Status

if TYPE_CHECKING:
    from bot.client import CoalitionBot

# Every custom_id of onboarding, declared once (bot.interactions.CustomId: template, builder, parser).
STEP = CustomId("onboarding:{action:next|back|ask|yes|notyet|resume}:{guild:int}:{step:int}")
COI = CustomId("onboarding:coi:{guild:int}:{step:int}")
START = CustomId("onboarding:start:{guild:int}:{user:int}")
START_HERE = CustomId("onboarding:starthere:{guild:int}")
REPLY = CustomId("onboarding:reply:{question:int}")
INVITE = CustomId("onboarding:invite:{guild:int}:{user:int}")
_LANGUAGE = "{language:" + "|".join(i18n.LANGUAGES) + "}"
LANGUAGE = CustomId("onboarding:language:{guild:int}:" + _LANGUAGE)  # "English" / "Español" on the first step
START_IN = CustomId("onboarding:startin:{guild:int}:" + _LANGUAGE)  # "Start here in …" on the welcome post
# The forms: per person (the custom_id names its person; bot.modals refuses anyone else's submission).
QUESTION_FORM = CustomId("onboarding:ask:{guild:int}:{step:int}:{user:int}")
ANSWER_FORM = CustomId("onboarding:answer:{question:int}:{user:int}")
LANGUAGE_ROW = 4  # the languages sit on the last row, apart from the step's own buttons
QUESTION_FIELD = "question"
ANSWER_FIELD = "answer"


@runtime_checkable
class Actions(Protocol):
    """What onboarding's buttons ask for: the cog provides it under ACTIONS (it holds the Discord side:
    replies, DMs, roles), and calls the service for every decision."""

    async def step_click(self, interaction: discord.Interaction, action: str, guild_id: int, step: int) -> None: ...

    async def coi_pick(self, interaction: discord.Interaction, guild_id: int, step: int,
                       values: list[str]) -> None: ...

    async def start(self, interaction: discord.Interaction, guild_id: int, language: str | None = None) -> None: ...

    async def pick_language(self, interaction: discord.Interaction, guild_id: int, language: str) -> None: ...

    async def invite(self, interaction: discord.Interaction, guild_id: int, user_id: int) -> None: ...


ACTIONS = ServiceKey("onboarding.actions", Actions)  # type: ignore[type-abstract]  # a Protocol, checked at runtime


def _actions(interaction: discord.Interaction) -> Actions:
    return services_of(interaction.client)[ACTIONS]


def _bot(interaction: discord.Interaction) -> CoalitionBot:
    return cast("CoalitionBot", interaction.client)


BUTTON_STYLES = {
    "next": discord.ButtonStyle.success,
    "yes": discord.ButtonStyle.success,
    "back": discord.ButtonStyle.secondary,
    "ask": discord.ButtonStyle.secondary,
    "notyet": discord.ButtonStyle.secondary,
    "resume": discord.ButtonStyle.primary,
}


class StepButton(Item[discord.ui.Button[Any]], spec=STEP):
    def __init__(self, action: str, guild: int, step: int, label: str = "", disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label=label or action, style=BUTTON_STYLES.get(action, discord.ButtonStyle.secondary),
            custom_id=STEP.build(action=action, guild=guild, step=step), disabled=disabled))
        self.action, self.guild_id, self.step = action, guild, step

    @classmethod
    def restore(cls, item: discord.ui.Item[Any], values: dict[str, Any]) -> StepButton:
        return cls(**values, label=getattr(item, "label", "") or "")

    async def act(self, interaction: discord.Interaction) -> None:
        await _actions(interaction).step_click(interaction, self.action, self.guild_id, self.step)


class CoiSelect(Item[discord.ui.Select[Any]], spec=COI):
    def __init__(self, guild: int, step: int, options: Sequence[discord.SelectOption] = ()) -> None:
        opts = list(options) or [discord.SelectOption(label=t(texts.NONE_APPLY_LABEL), value=logic.NONE_APPLY)]
        super().__init__(discord.ui.Select(
            custom_id=COI.build(guild=guild, step=step),
            placeholder=t(texts.COI_PLACEHOLDER),
            min_values=1, max_values=len(opts), options=opts))
        self.guild_id, self.step = guild, step

    @classmethod
    def restore(cls, item: discord.ui.Item[Any], values: dict[str, Any]) -> CoiSelect:
        return cls(**values, options=list(getattr(item, "options", []) or []))

    async def act(self, interaction: discord.Interaction) -> None:
        await _actions(interaction).coi_pick(interaction, self.guild_id, self.step, list(self.item.values))


class StartButton(Item[discord.ui.Button[Any]], spec=START):
    """A per-person Start button the bot used to post in the welcome channel for someone whose DMs
    were closed. No longer posted (it said so in public); kept so old posts still work."""

    def __init__(self, guild: int, user: int) -> None:
        super().__init__(discord.ui.Button(label=t(texts.START_LABEL), style=discord.ButtonStyle.success,
                                           custom_id=START.build(guild=guild, user=user)))
        self.guild_id, self.user_id = guild, user

    async def check(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            guild = interaction.client.get_guild(self.guild_id)
            person = guild.get_member(self.user_id) if guild else None
            name = person.display_name if person else t(texts.SOMEONE_ELSE)
            raise NotAllowed(t(texts.NOT_YOUR_BUTTON, name=name))

    async def act(self, interaction: discord.Interaction) -> None:
        await _actions(interaction).start(interaction, self.guild_id)


class StartHereButton(Item[discord.ui.Button[Any]], spec=START_HERE):
    """On the welcome channel's "Start here" message: anyone's flow, in messages only they see."""

    def __init__(self, guild: int) -> None:  # a shared post: in the server's language
        super().__init__(discord.ui.Button(label=t_server(texts.START_HERE_LABEL), style=discord.ButtonStyle.success,
                                           custom_id=START_HERE.build(guild=guild)))
        self.guild_id = guild

    async def check(self, interaction: discord.Interaction) -> None:
        if interaction.guild is None or interaction.guild.id != self.guild_id:
            raise NotAllowed(t(texts.ENDED))  # a forged or moved button

    async def act(self, interaction: discord.Interaction) -> None:
        await _actions(interaction).start(interaction, self.guild_id)


class StartInButton(Item[discord.ui.Button[Any]], spec=START_IN):
    """On the "Start here" post, one per language other than the server's, named in that language:
    the person's flow opens (only they see it) in that language, and the choice is kept."""

    def __init__(self, guild: int, language: str) -> None:
        with i18n.speaking(language):
            label = t(texts.START_IN_LABEL)
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                           custom_id=START_IN.build(guild=guild, language=language)))
        self.guild_id, self.language = guild, language

    async def check(self, interaction: discord.Interaction) -> None:
        if interaction.guild is None or interaction.guild.id != self.guild_id:
            raise NotAllowed(t(texts.ENDED))  # a forged or moved button

    async def act(self, interaction: discord.Interaction) -> None:
        await _actions(interaction).start(interaction, self.guild_id, self.language)


class LanguageButton(Item[discord.ui.Button[Any]], spec=LANGUAGE):
    """Under the first step: "English" / "Español", each named in itself. The flow stays where it is,
    shown again in the language picked (the clicker's own flow: the custom_id names only the server)."""

    def __init__(self, guild: int, language: str, current: bool = False) -> None:
        style = discord.ButtonStyle.primary if current else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=i18n.LANGUAGES[language], style=style, row=LANGUAGE_ROW,
                                           custom_id=LANGUAGE.build(guild=guild, language=language)))
        self.guild_id, self.language = guild, language

    async def act(self, interaction: discord.Interaction) -> None:
        await _actions(interaction).pick_language(interaction, self.guild_id, self.language)


class ReplyButton(Item[discord.ui.Button[Any]], spec=REPLY):
    """On a newcomer's question in the moderators' channel: answer through the bot (moderators only)."""

    def __init__(self, question: int) -> None:
        super().__init__(discord.ui.Button(label=t_server(texts.REPLY_LABEL), style=discord.ButtonStyle.primary,
                                           custom_id=REPLY.build(question=question)))
        self.question_id = question

    async def check(self, interaction: discord.Interaction) -> None:
        _bot(interaction).require_moderator(interaction)

    async def act(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(reply_modal(self.question_id, interaction.user.id))


class InviteButton(Item[discord.ui.Button[Any]], spec=INVITE):
    """On a mod-log line about someone holding the member role without a yes: send them the onboarding."""

    def __init__(self, guild: int, user: int) -> None:
        super().__init__(discord.ui.Button(label=t_server(texts.INVITE_LABEL), style=discord.ButtonStyle.primary,
                                           custom_id=INVITE.build(guild=guild, user=user)))
        self.guild_id, self.user_id = guild, user

    async def check(self, interaction: discord.Interaction) -> None:
        _bot(interaction).require_moderator(interaction)  # before any lookup

    async def act(self, interaction: discord.Interaction) -> None:
        await _actions(interaction).invite(interaction, self.guild_id, self.user_id)


def invite_view(guild_id: int, user_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(InviteButton(guild_id, user_id))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    StepButton, CoiSelect, StartButton, StartHereButton, StartInButton, LanguageButton, ReplyButton, InviteButton)


def question_modal(guild_id: int, step: int, user_id: int) -> discord.ui.Modal:
    return personal_modal(QUESTION_FORM, t(texts.QUESTION_TITLE), discord.ui.TextInput(
        label=t(texts.QUESTION_LABEL), custom_id=QUESTION_FIELD, style=discord.TextStyle.paragraph,
        max_length=logic.QUESTION_MAX_CHARS, placeholder=t(texts.QUESTION_PLACEHOLDER)),
        guild=guild_id, step=step, user=user_id)


def reply_modal(question_id: int, user_id: int) -> discord.ui.Modal:
    return personal_modal(ANSWER_FORM, t_server(texts.ANSWER_TITLE), discord.ui.TextInput(
        label=t_server(texts.ANSWER_LABEL), custom_id=ANSWER_FIELD, style=discord.TextStyle.paragraph,
        max_length=logic.ANSWER_MAX_CHARS, placeholder=t_server(texts.ANSWER_PLACEHOLDER)),
        question=question_id, user=user_id)


def render(screen: Screen) -> discord.ui.View | None:
    """The buttons (and COI pick) under one screen of the flow; None: text only."""
    if screen.kind == "declined":
        return declined_view(screen.guild_id, screen.step)
    if screen.kind != "step":
        return None
    if screen.coi is None:
        return _shared_step_view(screen.guild_id, screen.step, screen.count, screen.intro, i18n.current(),
                                 screen.languages)
    options = [discord.SelectOption(label=c.label[:100], value=c.key, default=c.picked) for c in screen.coi]
    options.append(discord.SelectOption(label=t(texts.NONE_APPLY_LABEL), value=logic.NONE_APPLY,
                                        default=screen.none_picked))
    return _build_step_view(screen.guild_id, screen.step, screen.count, screen.intro, options, screen.languages)


def step_view(guild_id: int, steps: Sequence[logic.Step], index: int,
              coi_options: Sequence[discord.SelectOption] = ()) -> discord.ui.View:
    step = steps[index]
    if step.offers_coi and coi_options:
        return _build_step_view(guild_id, index, len(steps), step.kind == "intro", coi_options)  # a person's pick
    return _shared_step_view(guild_id, index, len(steps), step.kind == "intro", i18n.current())


@functools.lru_cache(maxsize=4096)
def _shared_step_view(guild_id: int, index: int, count: int, intro: bool, language: str,
                      languages: tuple[str, ...] = ()) -> discord.ui.View:
    """The same buttons for everyone at this step who speaks `language`: built once, not on every
    click (a join wave answers hundreds of clicks a second). Stopped, so discord.py never files it in
    its view store: every item is a DynamicItem, found by its custom_id (the cog registers DYNAMIC_ITEMS)."""
    view = _build_step_view(guild_id, index, count, intro, (), languages)
    view.stop()
    return view


def _build_step_view(guild_id: int, index: int, count: int, intro: bool,
                     coi_options: Sequence[discord.SelectOption],
                     languages: Sequence[str] = ()) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if coi_options:
        view.add_item(CoiSelect(guild_id, index, coi_options))
    if index == count - 1:
        view.add_item(StepButton("yes", guild_id, index, t(texts.YES_LABEL)))
        view.add_item(StepButton("notyet", guild_id, index, t(texts.NOT_YET_LABEL)))
    else:
        view.add_item(StepButton("next", guild_id, index, t(texts.BEGIN_LABEL if intro else texts.AGREE_LABEL)))
    if index > 0:
        view.add_item(StepButton("back", guild_id, index, t(texts.BACK_LABEL)))
    view.add_item(StepButton("ask", guild_id, index, t(texts.ASK_LABEL)))
    for code in languages:
        view.add_item(LanguageButton(guild_id, code, current=code == i18n.current()))
    return view


def declined_view(guild_id: int, index: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StepButton("resume", guild_id, index, t(texts.RESUME_LABEL)))
    view.add_item(StepButton("ask", guild_id, index, t(texts.ASK_LABEL)))
    return view


def start_here_view(guild_id: int, other_languages: Sequence[str] = ()) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StartHereButton(guild_id))
    for code in other_languages:
        view.add_item(StartInButton(guild_id, code))
    view.stop()  # found by its custom_id (a DynamicItem), never filed in discord.py's view store
    return view


def reply_view(question_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReplyButton(question_id))
    return view


def status_text(status: Status, member: str) -> str:
    """`/mod-onboarding status`: one short line a fact, times as Discord timestamps (for moderators:
    in the server's language)."""
    lines = [t_server(texts.STATUS_HEAD, member=member)]
    if status.accepted_at is not None:
        lines.append(t_server(texts.STATUS_MEMBER, date=discord.utils.format_dt(status.accepted_at, "D"),
                              version=status.accepted_version))
        if status.reaffirm_requested:
            lines.append(t_server(texts.STATUS_REAFFIRM_ASKED, version=status.reaffirm_requested))
    if status.flow_status is None:
        lines.append(t_server(texts.STATUS_NO_FLOW))
        return "\n".join(lines)
    template = texts.STATUS_FLOW_REAFFIRM if status.reaffirm else texts.STATUS_FLOW
    name = texts.STATUS_NAMES.get(status.flow_status)
    lines.append(t_server(template, status=t_server(name) if name else status.flow_status,
                          step=status.step, count=status.count, heading=status.heading))
    times = texts.STATUS_TIMES_DM if status.surface == logic.SURFACE_DM else texts.STATUS_TIMES_WELCOME
    assert status.started_at is not None and status.updated_at is not None
    lines.append(t_server(times, started=discord.utils.format_dt(status.started_at, "R"),
                          active=discord.utils.format_dt(status.updated_at, "R")))
    if status.declined:
        lines.append(t_server(texts.STATUS_DECLINED, count=status.declined))
    if status.reminded_at:
        lines.append(t_server(texts.STATUS_REMINDED, when=discord.utils.format_dt(status.reminded_at, "R")))
    return "\n".join(lines)
