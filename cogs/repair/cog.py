"""Repair & justice requests: the feature's background work and its wiring.

The journeys live in their own modules: filing.py (asking for repair, /repair), actions.py (the
case buttons and forms, /mod-repair), relay.py (direct messages to and from a case) and
routing.py (getting a saved case in front of the right people, exactly once). The use cases are
in service.py; this cog runs the jobs (routing retries, acknowledgement reminders) and routes
the feature's forms (bot.modals).

Anonymity: for an anonymous case the requester's ID only exists encrypted and as a keyed hash;
it is never put in a message, embed, name, log line, export or error text.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.jobs import due_jobs_loop
from cogs.repair import actions, filing, ids, views
from cogs.repair.board import CaseBoard
from cogs.repair.relay import DM_KEY, RelaySelect, RepairRelay
from cogs.repair.routing import Router
from cogs.repair.service import REPAIR, RepairService

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

DYNAMIC_ITEMS = (actions.CaseButton, filing.StartButton, filing.GuildSelect, filing.ExcludeSelect,
                 filing.FileButton, RelaySelect)


class RepairCog(commands.Cog):
    def __init__(self, bot: CoalitionBot, service: RepairService) -> None:
        self.bot = bot
        self.service = service
        self.board = CaseBoard(bot)
        self.router = Router(bot, service, self.board)
        self.relay = RepairRelay(bot, service, self.board)

    async def cog_load(self) -> None:
        self.service.board = actions.Summaries(self.board)
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        # The forms name no person (a filing's custom_id is full with five exclusions): each handler
        # checks its sender itself (filing: for themself, in that server; actions: a reviewer of the case).
        self.bot.modals.register(ids.FILING_FORM, filing.form_sent, where="repair filing form", owner=None,
                                 redact=True)
        self.bot.modals.register(ids.FORM, actions.form_sent, where="repair case form", owner=None, redact=True)
        self.bot.dm_router.register(DM_KEY, self.relay)
        self.jobs.start()

    async def cog_unload(self) -> None:
        self.bot.dm_router.unregister(DM_KEY)
        self.jobs.cancel()
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.modals.unregister(ids.FILING_FORM)
        self.bot.modals.unregister(ids.FORM)
        self.service.board = None
        self.bot.services.remove(REPAIR)

    # --- background work -------------------------------------------------------------------------

    jobs = due_jobs_loop("repair", minutes=1)

    @commands.Cog.listener()
    async def on_repair_case_filed(self, case_id: int) -> None:
        try:
            await self.router.route(case_id)
        except Exception:
            log.exception("repair: routing case id %s failed; it will be retried", case_id)

    @commands.Cog.listener()
    async def on_coalition_guild_ready(self, guild: discord.Guild) -> None:
        try:
            await self.router.route_pending([guild.id])
        except Exception:
            log.exception("repair: routing pending cases for guild %s failed", guild.id)

    async def run_due_jobs(self) -> None:
        """Route cases that are not routed yet, then send due acknowledgement reminders."""
        guild_ids = [g.id for g in self.bot.guilds]
        await self.router.route_pending(guild_ids)
        await self.send_due_reminders(guild_ids)

    async def send_due_reminders(self, guild_ids: list[int]) -> None:
        for due in await self.service.due_reminders(guild_ids):
            guild = self.bot.get_guild(due.guild_id)
            case = await self.service.case(due.case_id)
            if guild is None or case is None:
                continue
            wiring = self.bot.wiring_for(guild)
            role = wiring.alternate_reviewers_role if due.for_alternates else wiring.moderator_role
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=[role] if role else False)
            await self.board.post(case, views.reminder(due.number, due.hours, role.mention if role else None),
                                  allowed_mentions=mentions)
