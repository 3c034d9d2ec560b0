"""The one place that decides which single feature a direct message to the bot belongs to.

Two features read typed DMs: onboarding (a typed "yes" to the commitment question) and repair
(passing a message on to an open case). Before this router both saw every DM, so a message
meant for an anonymous case also answered onboarding, and `/onboarding status` then showed
moderators who had just written to a case. Now each feature only *offers* destinations
(`dm_destinations`); the router picks exactly one:

* the DM replies to a message of exactly one destination (e.g. a DM about case #3) → that one;
* there is exactly one destination → that one;
* several → the person picks (a select; the DM itself is re-read, never put in a custom_id);
* none → the DM is left alone.

The chosen feature handles the DM (`deliver_dm`) and returns the receipt, which says where the
text went. The DM text is never logged.

A typed DM is not an interaction, so nothing else sets the language it is answered in: `route` sets
the writer's own (their choice, else the app language the book last noted, else the server's) before
it asks the features anything, so the picker, a "gone" note and every feature's receipt reach them in
it. A pick on the picker is an interaction: the pipeline has set the language already.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot import texts
from bot.errors import BadInput, NotAllowed, NotFound, UserFacingError
from bot.i18n import speaking, t
from bot.interactions import CustomId, Item
from bot.languages import LANGUAGES

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

PICK_PROMPT = texts.DM_PICK_PROMPT
PICK_PLACEHOLDER = texts.DM_PICK_PLACEHOLDER
PICK = CustomId("dm:pick:{message:int}")
PICK_NOTHING = texts.DM_PICK_NOTHING
GONE = texts.DM_GONE


@dataclass(frozen=True)
class DmDestination:
    """One place a DM could go. `key` is '<feature>' or '<feature>:<id>' (fits a select value)."""

    key: str
    label: str
    description: str = ""
    replied_to: bool = False  # the DM is a reply to a message about this destination


class DmFeature(Protocol):
    async def dm_destinations(self, message: discord.Message) -> list[DmDestination]: ...

    async def deliver_dm(self, message: discord.Message, key: str) -> str | None:
        """Handle the DM for `key`; return the receipt for the person (None: nothing to say)."""
        ...


class DmRouter:
    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot
        self.features: dict[str, DmFeature] = {}

    def register(self, name: str, feature: DmFeature) -> None:
        self.features[name] = feature

    def unregister(self, name: str) -> None:
        self.features.pop(name, None)

    async def destinations(self, message: discord.Message) -> list[DmDestination]:
        found: list[DmDestination] = []
        for name, feature in list(self.features.items()):
            try:
                found += await feature.dm_destinations(message)
            except Exception:
                log.exception("DM router: %s could not say where a DM may go", name)
        return found

    def feature_of(self, key: str) -> DmFeature | None:
        return self.features.get(key.split(":", 1)[0])

    async def route(self, message: discord.Message) -> None:
        """Deliver one DM to exactly one feature, or ask the person where it should go, in their language."""
        book = self.bot.services.get(LANGUAGES)
        with speaking(book.language_of(message.author.id) if book is not None else None):
            await self._route(message)

    async def _route(self, message: discord.Message) -> None:
        for name, feature in list(self.features.items()):
            seen = getattr(feature, "dm_seen", None)
            if seen is not None:  # e.g. repair: messages that waited for this person go out now
                try:
                    await seen(message)
                except Exception:
                    log.exception("DM router: %s failed on a DM it saw", name)
        found = await self.destinations(message)
        replied = [d for d in found if d.replied_to]
        chosen = replied[0] if len(replied) == 1 else found[0] if len(found) == 1 else None
        if chosen is not None:
            try:
                await self.deliver(message, chosen.key, None)
            except UserFacingError as exc:  # e.g. the case closed a moment ago: say so kindly
                await message.channel.send(str(exc), allowed_mentions=discord.AllowedMentions.none())
        elif found:
            view = discord.ui.View(timeout=None)
            view.add_item(DmPickSelect(message.id, found))
            await message.channel.send(t(PICK_PROMPT), view=view, allowed_mentions=discord.AllowedMentions.none())

    async def deliver(self, message: discord.Message, key: str, interaction: discord.Interaction | None) -> None:
        feature = self.feature_of(key)
        if feature is None:
            raise NotFound(t(GONE))
        receipt = await feature.deliver_dm(message, key)
        if interaction is not None:  # answered already (on_pick): the picker becomes the receipt
            await interaction.edit_original_response(content=receipt or t(texts.DM_DONE), view=None)
        elif receipt:
            try:
                await message.channel.send(receipt, allowed_mentions=discord.AllowedMentions.none())
            except discord.HTTPException as exc:
                log.info("DM router: could not send a receipt (HTTP %s)", exc.status)

    async def on_pick(self, interaction: discord.Interaction, message_id: int, key: str) -> None:
        """A pick on 'Where should this message go?'. Answered first (Discord's 3-second deadline:
        re-reading the DM, the destinations and the delivery can take longer), the same way for every
        pick, so how long the checks take shows nothing; the picker then turns into the receipt, or
        stays for another try with a private note saying why not."""
        await interaction.response.defer()
        channel = interaction.channel
        if not isinstance(channel, discord.DMChannel):
            raise BadInput(t(texts.DM_ONLY_IN_DMS))
        try:
            original = await channel.fetch_message(message_id)
        except discord.HTTPException:
            raise NotFound(t(texts.DM_MESSAGE_GONE)) from None
        if original.author.id != interaction.user.id:
            raise NotAllowed(t(texts.DM_NOT_YOURS))
        if key not in {d.key for d in await self.destinations(original)}:
            raise NotFound(t(GONE))
        await self.deliver(original, key, interaction)


_CASE_REF = re.compile(r"\(case #(\d+)\)")


async def referenced_case_numbers(message: discord.Message) -> set[int]:
    """Case numbers named in the bot's own DM that `message` replies to ('… (case #3) …')."""
    ref = message.reference
    if ref is None or ref.message_id is None:
        return set()
    resolved = ref.resolved
    if not isinstance(resolved, discord.Message):
        try:  # Discord usually sends the replied-to message along; fetch it when it didn't
            resolved = await message.channel.fetch_message(ref.message_id)
        except discord.HTTPException:
            return set()
    if not resolved.author.bot:
        return set()
    return {int(n) for n in _CASE_REF.findall(resolved.content or "")}


class DmPickSelect(Item[discord.ui.Select[Any]], spec=PICK):
    """'Where should this message go?' — the DM is re-read on pick, never stored in the custom_id."""

    redact = True  # a pick may be about a repair case: no person or custom_id in the error log

    def __init__(self, message: int, found: list[DmDestination] | None = None) -> None:
        self.message_id = message
        options = [discord.SelectOption(label=d.label[:100], value=d.key, description=d.description[:100] or None)
                   for d in (found or [])[:25]]
        super().__init__(discord.ui.Select(custom_id=PICK.build(message=message), placeholder=t(PICK_PLACEHOLDER),
                                           options=options or [discord.SelectOption(label="-", value="-")]))

    async def act(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        values = [str(v) for v in data.get("values", [])]
        if not values:
            raise BadInput(t(PICK_NOTHING))
        router: DmRouter = interaction.client.dm_router  # type: ignore[attr-defined]
        await router.on_pick(interaction, self.message_id, values[0])
