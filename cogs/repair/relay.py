"""The requester's direct messages to an open case, and the messages that waited for them.

bot.dm_router decides whether a DM is for a case (it asks `dm_destinations`) and hands it to
`deliver_dm`. The text is stored encrypted in the case log and posted in the case's place; over
the relay limit it is held, and moderators see one "(N more messages held)" line instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.dm_router import DmDestination, referenced_case_numbers
from bot.errors import BadInput
from bot.i18n import speaking, t, tn
from bot.ui import NO_MENTIONS
from cogs.repair import ids, logic, texts, views
from cogs.repair.board import CaseBoard, RepairItem, language_of
from cogs.repair.service import RepairService

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

DM_KEY = "repair"  # this feature's name in bot.dm_router


class RepairRelay:
    def __init__(self, bot: CoalitionBot, service: RepairService, board: CaseBoard) -> None:
        self.bot = bot
        self.service = service
        self.board = board
        # case id → (message id of the "(N more messages held)" line, N)
        self.held_notices: dict[int, tuple[int, int]] = {}

    def server_name(self, guild_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild is not None else None

    async def dm_destinations(self, message: discord.Message) -> list[DmDestination]:
        cases = await self.service.open_cases(message.author.id, [g.id for g in self.bot.guilds])
        if not cases:
            return []
        with speaking(language_of(self.bot, message.author.id)):  # the writer reads the case picker
            if not message.content.strip():
                # Nothing to pass on (e.g. only a picture): one answer that says so, whatever the case.
                return [DmDestination(f"{DM_KEY}:0", t(texts.DESTINATION_ANY))]
            replied = await referenced_case_numbers(message)
            return [DmDestination(f"{DM_KEY}:{case.case_id}",
                                  views.destination(case.number, self.server_name(case.guild_id)),
                                  views.destination_detail(case), replied_to=case.number in replied)
                    for case in cases]

    async def dm_seen(self, message: discord.Message) -> None:
        await self.deliver_waiting(message.author.id)

    async def deliver_dm(self, message: discord.Message, key: str) -> str | None:
        """Pass one DM on to the case it was routed to; never touches any other feature. The answer is
        in the writer's language; what the case's place shows is in the server's (views.relay_message)."""
        with speaking(language_of(self.bot, message.author.id)):
            return await self._deliver(message, key)

    async def _deliver(self, message: discord.Message, key: str) -> str:
        if not message.content.strip():
            return t(texts.TEXT_ONLY)
        case_id = key.split(":", 1)[1]
        if not case_id.isdigit():
            raise BadInput(t(texts.CASE_CLOSED))
        relayed = await self.service.relay(int(case_id), message.author.id, message.content)
        case = relayed.case
        where = views.where(case.number, self.server_name(case.guild_id))
        if relayed.held:
            await self.show_held(relayed.case)
            return t(texts.RELAY_HELD, where=where)
        self.held_notices.pop(case.case_id, None)
        header, embed = views.relay_message(case, message.author.id, relayed.text)
        posted = await self.board.post(case, header, embed=embed)
        if posted is not None and not case.anonymous:
            await self.service.note_posted(relayed.event_id, posted.channel.id, posted.id)
        return t(texts.RELAY_RECEIPT, where=where)

    async def show_held(self, case: Any) -> None:
        """One line per flood, updated with the count, instead of one message per held DM."""
        notice = self.held_notices.get(case.case_id)
        count = (notice[1] if notice else 0) + 1
        place = await self.board.place_of(case)
        if place is None:
            return
        text = views.held_notice(count)
        try:
            if notice is not None:
                await place.get_partial_message(notice[0]).edit(content=text)
                self.held_notices[case.case_id] = (notice[0], count)
            else:
                sent = await place.send(text, allowed_mentions=NO_MENTIONS)
                self.held_notices[case.case_id] = (sent.id, count)
        except discord.HTTPException as exc:
            log.warning("repair: could not show held messages for case id %s (HTTP %s)", case.case_id, exc.status)

    async def deliver_waiting(self, user_id: int) -> int:
        """Messages to an anonymous requester that couldn't be delivered wait in the case log (the
        moderators are never told, since deliverability would identify them); they go out the next
        time the requester writes to me, or shows them with /repair mine. Returns how many went out."""
        delivered = 0
        for waiting in await self.service.waiting(user_id, [g.id for g in self.bot.guilds]):
            with speaking(language_of(self.bot, user_id)):
                pages = [tn(texts.WAITING_INTRO, len(waiting.letters), number=waiting.number)]
                pages += [page for letter in waiting.letters for page in views.letter_pages(letter)]
            try:
                user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
                for page in pages:
                    await user.send(logic.clip(page, 2000), allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                continue
            await self.service.mark_delivered(waiting.event_ids)
            delivered += len(waiting.letters)
        return delivered


class RelaySelect(RepairItem[discord.ui.Select[Any]], spec=ids.RELAY):
    """'Which case is this message for?' from before the DM router. Such pickers stay in people's DMs
    (Discord keeps messages), so they keep working: the same checks and the one destination as a
    pick on the router's own select. The DM itself is re-read, never stored in the custom_id."""

    def __init__(self, message: int) -> None:
        self.message_id = message
        super().__init__(discord.ui.Select(custom_id=ids.RELAY.build(message=message),
                                           placeholder=t(texts.RELAY_PLACEHOLDER),
                                           options=[discord.SelectOption(label="-", value="0")]))

    async def act(self, interaction: discord.Interaction) -> None:
        values = [str(v) for v in views.data_of(interaction).get("values", [])]
        if len(values) != 1 or not values[0].isdigit():  # a forged pick gets a kind answer too
            raise BadInput(t(texts.PICK_A_CASE))
        router = interaction.client.dm_router  # type: ignore[attr-defined]
        await router.on_pick(interaction, self.message_id, f"{DM_KEY}:{values[0]}")
