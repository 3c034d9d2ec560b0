"""Access needs: custom_id specs, the case buttons (on the one Item base), the forms, and the summary.

Renders what the service returns; words come from texts.py. A button hands over to `AccessActions`
(the cog's side: replies, DMs, the recording grant), found by a typed key, never by get_cog.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import discord

from bot.i18n import t, t_server
from bot.interactions import CustomId, Item, personal_modal, services_of
from bot.plaintext import clip, plain
from bot.services import ServiceKey
from bot.ui import ModalSelect
from cogs.access import logic, texts
from cogs.access.logic import Status
from cogs.access.service import Request

# The person's form: their own (bot.modals refuses anyone else's submission).
REQUEST_FORM = CustomId("access:form:{guild:int}:{user:int}")
# A moderator's answer on the case summary; checked in the bot (a forged custom_id changes nothing).
DECIDE = CustomId("access:{action:arranged|notpossible}:{request:int}")
RECORD = CustomId("access:record:{request:int}")
RECORD_FORM = CustomId("access:recordform:{request:int}:{user:int}")  # the moderator who opened it

NEEDS_FIELD = "needs"
DETAIL_FIELD = "detail"
CHANNEL_FIELD = "channel"
MINUTES_FIELD = "minutes"
BOT_FIELD = "bot"

MENTION = "<@{user_id}>"  # not a sentence: how Discord writes a mention
DECISION_OF = {"arranged": Status.ARRANGED, "notpossible": Status.NOT_POSSIBLE}
STATUS_COLOURS = {Status.RECEIVED: discord.Colour.orange(), Status.ARRANGED: discord.Colour.green(),
                  Status.NOT_POSSIBLE: discord.Colour.dark_grey()}


@runtime_checkable
class AccessActions(Protocol):
    async def decide(self, interaction: discord.Interaction, request_id: int, decision: Status) -> None: ...

    async def open_recording_form(self, interaction: discord.Interaction, request_id: int) -> None: ...


ACTIONS = ServiceKey("access.actions", AccessActions)  # type: ignore[type-abstract]  # a Protocol


class AccessItem(Item[discord.ui.Button[Any]]):
    """The case's buttons: moderators only, checked in the bot before anything is looked up; errors
    mapped once, with redaction (a custom_id names a request)."""

    redact = True

    async def check(self, interaction: discord.Interaction) -> None:
        interaction.client.require_moderator(interaction)  # type: ignore[attr-defined]  # a CoalitionBot


class DecideButton(AccessItem, spec=DECIDE):
    def __init__(self, action: str, request: int) -> None:
        label = t_server(texts.ARRANGED_LABEL if action == "arranged" else texts.NOT_POSSIBLE_LABEL)
        style = discord.ButtonStyle.success if action == "arranged" else discord.ButtonStyle.danger
        super().__init__(discord.ui.Button(label=label, style=style,
                                           custom_id=DECIDE.build(action=action, request=request)))
        self.decision, self.request_id = DECISION_OF[action], request

    async def act(self, interaction: discord.Interaction) -> None:
        await services_of(interaction.client)[ACTIONS].decide(interaction, self.request_id, self.decision)


class RecordButton(AccessItem, spec=RECORD):
    def __init__(self, request: int) -> None:
        super().__init__(discord.ui.Button(label=t_server(texts.ALLOW_RECORDING_LABEL),
                                           style=discord.ButtonStyle.primary, custom_id=RECORD.build(request=request)))
        self.request_id = request

    async def act(self, interaction: discord.Interaction) -> None:
        await services_of(interaction.client)[ACTIONS].open_recording_form(interaction, self.request_id)


DYNAMIC_ITEMS = (DecideButton, RecordButton)


def case_buttons(request: Request) -> discord.ui.View:
    """Answer buttons while it waits; the recording button while a recording can still be allowed."""
    view = discord.ui.View(timeout=None)
    if request.status is Status.RECEIVED:
        view.add_item(DecideButton("arranged", request.request_id))
        view.add_item(DecideButton("notpossible", request.request_id))
    if request.wants_recording and request.status is not Status.NOT_POSSIBLE:
        view.add_item(RecordButton(request.request_id))
    view.stop()  # every item is a DynamicItem, found by its custom_id
    return view


# --- rendering ------------------------------------------------------------------------------------


def need_names(request: Request) -> str:
    """The needs in the current language (the requester's, in their DM)."""
    return ", ".join(t(texts.NEED_LABELS[n.value]) for n in request.needs)


def summary_embed(request: Request) -> discord.Embed:
    """The moderators' summary, in the server's language. The person's words shown as typed (no markdown,
    no links); embeds never ping."""
    embed = discord.Embed(title=t_server(texts.SUMMARY_TITLE, number=request.number),
                          colour=STATUS_COLOURS[request.status], timestamp=request.created_at)
    erased = request.requester_id is None
    embed.add_field(name=t_server(texts.FIELD_FROM), inline=True, value=t_server(texts.FORMER_MEMBER) if erased
                    else MENTION.format(user_id=request.requester_id))
    status = t_server(texts.STATUS_LABELS[request.status.value])
    if request.decided_by is not None and request.status is not Status.RECEIVED:
        status = t_server(texts.DECIDED_BY, status=status, user_id=request.decided_by)
    embed.add_field(name=t_server(texts.FIELD_STATUS), value=status, inline=True)
    needs = "\n".join(t_server(texts.NEED_LINE, need=t_server(texts.NEED_LABELS[n.value])) for n in request.needs)
    embed.add_field(name=t_server(texts.FIELD_NEEDS), value=needs or "—", inline=False)
    empty = t_server(texts.DETAIL_ERASED if erased else texts.NO_DETAIL)
    detail = clip(plain(request.detail), 1024) if request.detail else empty
    embed.add_field(name=t_server(texts.FIELD_DETAIL), value=detail, inline=False)
    if request.recording_channel_id is not None and request.recording_allowed_at is not None:
        embed.add_field(name=t_server(texts.FIELD_RECORDING), inline=False, value=t_server(
            texts.RECORDING_ALLOWED, channel_id=request.recording_channel_id,
            at=int(request.recording_allowed_at.timestamp())))
    embed.set_footer(text=t_server(texts.FOOTER))
    return embed


def request_modal(guild_id: int, user_id: int) -> discord.ui.Modal:
    needs = ModalSelect(custom_id=NEEDS_FIELD, min_values=1, max_values=len(logic.NEEDS), options=[
        discord.SelectOption(label=t(texts.NEED_LABELS[n.value]), value=n.value) for n in logic.NEEDS])
    return personal_modal(  # the person's own form: in their language
        REQUEST_FORM, t(texts.FORM_TITLE),
        discord.ui.Label(text=t(texts.NEEDS_LABEL), description=t(texts.NEEDS_DESCRIPTION), component=needs),
        discord.ui.TextInput(label=t(texts.DETAIL_LABEL), custom_id=DETAIL_FIELD, style=discord.TextStyle.paragraph,
                             required=False, max_length=logic.DETAIL_LIMIT, placeholder=t(texts.DETAIL_PLACEHOLDER)),
        guild=guild_id, user=user_id)


class _ModalChannelSelect(discord.ui.ChannelSelect[Any]):
    def to_component_dict(self) -> Any:  # Discord refuses `disabled` inside a modal (see bot.ui.ModalSelect)
        data = dict(super().to_component_dict())
        data.pop("disabled", None)
        return data


class _ModalUserSelect(discord.ui.UserSelect[Any]):
    def to_component_dict(self) -> Any:
        data = dict(super().to_component_dict())
        data.pop("disabled", None)
        return data


def recording_modal(request: Request, moderator_id: int) -> discord.ui.Modal:
    channel = _ModalChannelSelect(custom_id=CHANNEL_FIELD, min_values=1, max_values=1,
                                  channel_types=[discord.ChannelType.voice, discord.ChannelType.stage_voice])
    minutes = ModalSelect(custom_id=MINUTES_FIELD, options=[
        discord.SelectOption(label=t_server(label), value=value, default=value == "180")
        for value, label in texts.RECORDING_MINUTES.items()])
    recorder = _ModalUserSelect(custom_id=BOT_FIELD, min_values=0, max_values=1, required=False)
    return personal_modal(
        RECORD_FORM, clip(t_server(texts.RECORDING_FORM_TITLE, number=request.number), 45),
        discord.ui.Label(text=t_server(texts.RECORDING_CHANNEL_LABEL), component=channel),
        discord.ui.Label(text=t_server(texts.RECORDING_MINUTES_LABEL), component=minutes),
        discord.ui.Label(text=t_server(texts.RECORDING_BOT_LABEL),
                         description=t_server(texts.RECORDING_BOT_DESCRIPTION), component=recorder),
        request=request.request_id, user=moderator_id)
