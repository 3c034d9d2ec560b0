"""Asking for repair: /repair request, the server pick, the exclusions, named or anonymous, the form.

Filing writes the case to the database before the person is told; routing happens afterwards
(routing.py). A filing in progress lives only in its custom_ids (logic.Filing), so a step opened
before a restart still works after it. /repair mine (the requester's own list) is here too.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import REDACT, BadInput, NotFound
from bot.i18n import t
from bot.ui import NO_MENTIONS
from cogs.repair import ids, logic, texts, views
from cogs.repair.board import CaseBoard, RepairItem, service_of
from cogs.repair.logic import Filing
from cogs.repair.service import Filed, RepairService, answers

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)


def bot_of(interaction: discord.Interaction) -> CoalitionBot:
    return interaction.client  # type: ignore[return-value]


def member_guild(interaction: discord.Interaction, guild_id: int) -> discord.Guild:
    """The server a filing is for; only people in it get further (the custom_id names any server)."""
    guild = interaction.client.get_guild(guild_id)
    if guild is None or guild.get_member(interaction.user.id) is None:
        raise NotFound(t(texts.NOT_IN_SERVER))
    return guild


async def start(interaction: discord.Interaction) -> None:
    """/repair request, or an 'Ask for repair' button: in a server, or in DMs with a server pick."""
    if interaction.guild is not None:
        await show_step(interaction, interaction.guild, (), edit=False)
        return
    shared = [g for g in interaction.client.guilds if g.get_member(interaction.user.id) is not None]
    if not shared:
        raise NotFound(t(texts.NO_SHARED_SERVER))
    if len(shared) == 1:
        await show_step(interaction, shared[0], (), edit=False)
        return
    view = discord.ui.View(timeout=None)
    view.add_item(GuildSelect(sorted(shared, key=lambda g: g.name.casefold())))
    await interaction.response.send_message(t(texts.PICK_SERVER), view=view, ephemeral=True,
                                            allowed_mentions=NO_MENTIONS)


async def show_step(interaction: discord.Interaction, guild: discord.Guild, excluded: tuple[int, ...], *,
                    edit: bool) -> None:
    await service_of(interaction.client).check_may_file(guild.id, interaction.user.id)
    moderators = [m for m in CaseBoard(bot_of(interaction)).moderators_of(guild) if m.id != interaction.user.id]
    chosen = [logic.who(m.display_name, m.name) for m in moderators if m.id in excluded]
    text = views.filing_step(guild.name, chosen)
    view = discord.ui.View(timeout=None)
    if moderators:
        view.add_item(ExcludeSelect(guild.id, moderators, excluded))
    view.add_item(FileButton(guild.id, "n", excluded))
    view.add_item(FileButton(guild.id, "a", excluded))
    if edit:
        await interaction.response.edit_message(content=text, view=view, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(text, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def give_back(interaction: discord.Interaction, given: dict[str, str | None], message: str) -> None:
    """Refuse kindly and hand the person's own text back as a file (only they can see it)."""
    kwargs: dict[str, Any] = {"ephemeral": True, "allowed_mentions": NO_MENTIONS}
    file = views.give_back(given)
    if file is not None:
        kwargs["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(message, **kwargs)
    else:
        await interaction.response.send_message(message, **kwargs)


async def submitted(interaction: discord.Interaction, filing: Filing, values: dict[str, Any]) -> None:
    """The form was sent: save the case, then tell the person, then route it."""
    bot = bot_of(interaction)
    service = service_of(bot)
    board = CaseBoard(bot)
    given = answers(values)
    guild = bot.get_guild(filing.guild_id)
    if guild is None or guild.get_member(interaction.user.id) is None:
        await give_back(interaction, given, t(texts.GONE_FROM_SERVER))
        return
    moderators = board.moderators_of(guild)
    # The exclusions come from the custom_id, which a modified client can write: keep only moderators.
    filing = dataclasses.replace(filing, excluded=logic.keep_moderators(filing.excluded, [m.id for m in moderators]))
    if not given["what"]:
        await give_back(interaction, given, t(texts.WHAT_MISSING))
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    result = await service.file(guild.id, interaction.user.id, filing, given)
    if not isinstance(result, Filed):
        await give_back(interaction, given, result.reason)
        return
    # Saved. Only now tell the person.
    await interaction.followup.send(receipt(bot, guild, moderators, result, interaction.user.id), ephemeral=True,
                                    allowed_mentions=NO_MENTIONS)
    bot.dispatch("repair_case_filed", result.case_id)  # routing.py takes it from here (and retries)


def receipt(bot: CoalitionBot, guild: discord.Guild, moderators: list[discord.Member], filed: Filed,
            user_id: int) -> str:
    excluded = set(filed.excluded)
    wiring = bot.wiring_for(guild)
    return views.receipt(
        number=filed.number, anonymous=filed.anonymous,
        to_moderators=any(m.id not in excluded and m.id != user_id for m in moderators),
        no_alternates=wiring.alternate_reviewers_role is None and wiring.alternate_reviewers_channel is None,
        admins=[logic.who(m.display_name, m.name) for m in moderators
                if m.id in excluded and (m.guild_permissions.administrator or m.id == guild.owner_id)],
        filer_is_moderator=any(m.id == user_id for m in moderators), resource=bot.content.repair.resource)


# --- the buttons and selects of a filing ----------------------------------------------------------


class StartButton(RepairItem[discord.ui.Button[Any]], spec=ids.START):
    """'Ask for repair': kept for messages that carry it (posted by earlier versions; Discord keeps them)."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label=t(texts.START_LABEL), style=discord.ButtonStyle.secondary,
                                           custom_id=ids.START.build()))

    async def act(self, interaction: discord.Interaction) -> None:
        await start(interaction)


class GuildSelect(RepairItem[discord.ui.Select[Any]], spec=ids.GUILD):
    def __init__(self, guilds: list[discord.Guild] | None = None) -> None:
        options = [discord.SelectOption(label=logic.clip(g.name, 100), value=str(g.id)) for g in (guilds or [])[:25]]
        super().__init__(discord.ui.Select(custom_id=ids.GUILD.build(), placeholder=t(texts.PICK_SERVER_PLACEHOLDER),
                                           options=options or [discord.SelectOption(label="-", value="0")]))

    async def act(self, interaction: discord.Interaction) -> None:
        values = [str(v) for v in views.data_of(interaction).get("values", [])]
        if len(values) != 1 or not values[0].isdigit():  # a forged pick gets a kind answer too
            raise BadInput(t(texts.PICK_A_SERVER))
        await show_step(interaction, member_guild(interaction, int(values[0])), (), edit=True)


class ExcludeSelect(RepairItem[discord.ui.Select[Any]], spec=ids.EXCLUDE):
    def __init__(self, guild: int, moderators: list[discord.Member] | None = None,
                 chosen: tuple[int, ...] = ()) -> None:
        self.guild_id = guild
        # Display names can be copied by anyone; the username can't: show both, so a look-alike
        # moderator is told apart from the one the requester means.
        options = [
            discord.SelectOption(label=logic.clip(m.display_name, 100), value=str(m.id), default=m.id in chosen,
                                 description=logic.clip(f"@{m.name}", 100))
            for m in (moderators or [])[:25]
        ]
        super().__init__(discord.ui.Select(
            custom_id=ids.EXCLUDE.build(guild=logic.to_b36(guild)), placeholder=t(texts.EXCLUDE_PLACEHOLDER),
            min_values=0, max_values=max(1, min(logic.MAX_EXCLUDED, len(options))),
            options=options or [discord.SelectOption(label="-", value="0")]))

    async def act(self, interaction: discord.Interaction) -> None:
        guild = member_guild(interaction, self.guild_id)  # only people in that server see its moderators
        values = [int(v) for v in views.data_of(interaction).get("values", []) if str(v).isdigit()]
        moderator_ids = [m.id for m in CaseBoard(bot_of(interaction)).moderators_of(guild)]
        await show_step(interaction, guild, logic.keep_moderators(values, moderator_ids), edit=True)


class FileButton(RepairItem[discord.ui.Button[Any]], spec=ids.FILE):
    def __init__(self, guild: int, mode: str, excluded: tuple[int, ...]) -> None:
        self.filing = Filing(guild, mode == "a", tuple(excluded)[: logic.MAX_EXCLUDED])
        label = t(texts.FILE_ANONYMOUS if self.filing.anonymous else texts.FILE_NAMED)
        style = discord.ButtonStyle.secondary if self.filing.anonymous else discord.ButtonStyle.primary
        super().__init__(discord.ui.Button(label=label, style=style,
                                           custom_id=ids.FILE.build(**filing_values(self.filing))))

    async def act(self, interaction: discord.Interaction) -> None:
        guild = member_guild(interaction, self.filing.guild_id)
        await service_of(interaction.client).check_may_file(guild.id, interaction.user.id)
        await interaction.response.send_modal(views.filing_modal(filing_values(self.filing)))


def filing_values(filing: Filing) -> dict[str, Any]:
    """A filing as the values of its custom_ids (ids.FILE, ids.FILING_FORM)."""
    return {"guild": logic.to_b36(filing.guild_id), "mode": "a" if filing.anonymous else "n",
            "excluded": ".".join(logic.to_b36(i) for i in filing.excluded[: logic.MAX_EXCLUDED])}


async def form_sent(interaction: discord.Interaction, found: dict[str, Any], values: dict[str, Any]) -> None:
    """The filing form (ids.FILING_FORM): anyone may send one, for themself only; the server and the
    exclusions in its custom_id are checked again (a modified client can write them)."""
    filing = Filing(found["guild"], found["mode"] == "a", tuple(found["excluded"])[: logic.MAX_EXCLUDED])
    await submitted(interaction, filing, values)


# --- /repair -------------------------------------------------------------------------------------


class FilingCog(commands.Cog):
    repair = app_commands.Group(
        name="repair",
        description=texts.CMD_REPAIR,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False),
    )

    def __init__(self, bot: CoalitionBot, service: RepairService) -> None:
        self.bot = bot
        self.service = service

    # extras: the tree's one error mapping logs these without the person, server or command options.
    @repair.command(name="request", description=texts.CMD_REPAIR_REQUEST,
                    extras=REDACT)
    async def request(self, interaction: discord.Interaction) -> None:
        await start(interaction)

    @repair.command(name="mine", description=texts.CMD_REPAIR_MINE,
                    extras=REDACT)
    async def mine(self, interaction: discord.Interaction) -> None:
        await self.show_mine(interaction)

    async def show_mine(self, interaction: discord.Interaction) -> None:
        """Only the person sees this. Messages that couldn't reach them by DM are shown here too."""
        guild_ids = [g.id for g in self.bot.guilds]
        cases = await self.service.mine(interaction.user.id, guild_ids)
        waiting = await self.service.waiting(interaction.user.id, guild_ids)
        if not cases:
            await interaction.response.send_message(t(texts.MINE_NONE), ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        servers = {g.id: g.name for g in self.bot.guilds}
        await interaction.response.send_message(views.mine(cases, servers, sum(len(w.letters) for w in waiting)),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
        for found in waiting:
            for letter in found.letters:
                for page in views.letter_pages(letter):
                    await interaction.followup.send(page, ephemeral=True, allowed_mentions=NO_MENTIONS)
            await self.service.mark_delivered(found.event_ids)
