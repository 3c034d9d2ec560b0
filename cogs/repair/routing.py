"""Getting a saved case in front of the right people — exactly once.

1. Claim the case row for this bot process (`repo.claim_routing`); a claim left by an
   earlier, dead process is taken over. A per-case lock covers this process.
2. Find the case's place: the saved `thread_id`; else one the bot itself created just before a
   crash, before it could save the ID: a private thread the bot owns, or a channel whose topic
   carries the case's secret place token (an HMAC nobody else can compute). A channel someone else
   named `case-<n>` is never adopted: an excluded moderator could have created it to read the case.
3. Save `thread_id` at once, add the people who should see it, then post the summary
   (or adopt one already posted) and save `summary_message_id` — the case is routed.

TEST-ONLY hook: with the environment variable `COALITION_TEST_REPAIR_STALL` set to
`before_thread` or `after_thread`, routing stops forever at that point, so an end-to-end
test can kill -9 the bot inside the window deterministically. Never set it in production.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

from bot import case_places
from bot.case_places import Place
from bot.i18n import t_server
from bot.locks import KeyedLocks
from bot.ui import NO_MENTIONS
from cogs.repair import logic, texts, views
from cogs.repair.actions import case_buttons
from cogs.repair.board import CaseBoard
from cogs.repair.logic import Audience, CaseSummary, RouteFacts, RouteKind, RoutePlan
from cogs.repair.service import RepairService

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

TEST_STALL_ENV = "COALITION_TEST_REPAIR_STALL"


async def _stall_if_testing(point: str) -> None:
    if os.environ.get(TEST_STALL_ENV) == point:
        log.warning("repair: TEST-ONLY stall at %s (%s is set)", point, TEST_STALL_ENV)
        await asyncio.Event().wait()


class Router:
    """Routes saved cases; it gets its collaborators (the service, the board), not the cog."""

    def __init__(self, bot: CoalitionBot, service: RepairService, board: CaseBoard) -> None:
        self.bot = bot
        self.service = service
        self.board = board
        # One token per start: a routing claim by an earlier start is stale and gets taken over.
        self.boot_id = secrets.token_hex(8)
        self._locks: KeyedLocks[int] = KeyedLocks()

    async def route_pending(self, guild_ids: Iterable[int]) -> None:
        for case_id in await self.service.unrouted(guild_ids):
            try:
                await self.route(case_id)
            except Exception:
                log.exception("repair: routing case id %s failed; will retry", case_id)

    async def route(self, case_id: int) -> None:
        async with self._locks.hold(case_id):  # within this process; the claim covers other processes
            await _stall_if_testing("before_thread")
            case = await self.service.claim_routing(case_id, self.boot_id)
            if case is None:
                return
            try:
                await self._route_claimed(case)
            finally:
                await self.service.release_routing(case_id, self.boot_id)

    # --- the plan ------------------------------------------------------------------------

    def audience_members(self, guild: discord.Guild, case: CaseSummary, audience: Audience) -> list[discord.Member]:
        """Who is added to the case thread. A moderator who filed the case is added like every other
        moderator (leaving exactly them out would name them), but never counts as a reviewer."""
        excluded = set(case.excluded_ids)
        if audience is Audience.MODERATORS:
            people = self.board.moderators_of(guild)
        else:
            role = self.bot.wiring_for(guild).alternate_reviewers_role
            people = [m for m in (role.members if role else []) if not m.bot]
        return [m for m in people if m.id not in excluded]

    def plan(self, guild: discord.Guild, case: CaseSummary, requester_id: int | None,
             ) -> tuple[RoutePlan, discord.TextChannel | None]:
        wiring = self.bot.wiring_for(guild)
        excluded = set(case.excluded_ids)
        # The requester never reviews their own case: a moderator who files and excludes every
        # other moderator goes to the alternate reviewers, not to themself.
        available = [m for m in self.board.moderators_of(guild) if m.id not in excluded and m.id != requester_id]
        facts = RouteFacts(
            available_moderators=len(available),
            moderators_channel=wiring.moderators_channel is not None,
            alternate_role=wiring.alternate_reviewers_role is not None,
            alternate_channel=wiring.alternate_reviewers_channel is not None,
        )
        _, parent_key = logic.route_parent(facts)
        parent = wiring.alternate_reviewers_channel if parent_key == "alternates" else wiring.moderators_channel
        if parent is not None:
            me = guild.me
            perms = parent.permissions_for(me)
            excluded_members = [m for m in (guild.get_member(i) for i in excluded) if m is not None]
            facts = dataclasses.replace(
                facts,
                can_create_private_threads=perms.create_private_threads and perms.send_messages_in_threads,
                # Administrators see everything whatever we do (the requester is told); others with
                # Manage Threads would see a private thread, so they force a channel with a deny.
                excluded_can_see_private_threads=any(
                    parent.permissions_for(m).view_channel and parent.permissions_for(m).manage_threads
                    and not parent.permissions_for(m).administrator
                    for m in excluded_members),
                can_create_channels=me.guild_permissions.manage_channels and me.guild_permissions.manage_roles,
            )
        return logic.plan_route(facts), parent

    # --- routing one claimed case --------------------------------------------------------------

    async def _route_claimed(self, case: CaseSummary) -> bool:
        """True once the case's summary is posted (and its ID saved)."""
        guild = self.bot.get_guild(case.guild_id)
        if guild is None:
            return False
        plan, parent = self.plan(guild, case, await self.service.requester_of(case.case_id))
        if plan.kind is RouteKind.WAIT or parent is None:
            await self._blocked(case, plan.blocked or "no_moderators_channel")
            return False
        place = await self._existing_place(case, guild, parent, plan)
        if place is None:
            place = await self._create_place(case, guild, parent, plan)
            await _stall_if_testing("after_thread")
        alternates = plan.audience is Audience.ALTERNATES
        if case.thread_id != place.id:
            await self.service.set_place(case.case_id, place.id, alternates=alternates, kind=plan.kind.value,
                                         audience=plan.audience.value)
            case = dataclasses.replace(case, thread_id=place.id, for_alternates=alternates)
        if isinstance(place, discord.Thread):
            await self._add_members(place, self.audience_members(guild, case, plan.audience))
        adopted = await self._existing_summary(place, case)
        summary = adopted or await place.send(
            content=views.intro(case.number, plan.audience.value, plan.kind.value),
            embed=views.summary_embed(case), view=case_buttons(case.case_id), allowed_mentions=NO_MENTIONS)
        await self.service.set_summary_message(case.case_id, summary.id)
        if adopted is None:
            await self._post_early_messages(place, case)
        log.info("repair: case id %s routed (%s, %s)", case.case_id, plan.kind.value, plan.audience.value)
        return True

    async def _blocked(self, case: CaseSummary, reason: str) -> None:
        if await self.service.route_blocked_reason(case.case_id) == reason:
            return
        await self.service.set_route_blocked(case.case_id, reason)
        guild = self.bot.get_guild(case.guild_id)
        notice = texts.BLOCKED_NOTICES.get(reason, texts.BLOCKED_NOTICES["no_moderators_channel"])
        if guild is not None:
            await self.bot.modlog.post(self.bot.wiring_for(guild).mod_log_channel,
                                       t_server(notice, number=case.number))
        log.warning("repair: case id %s is waiting (%s)", case.case_id, reason)

    async def _existing_place(self, case: CaseSummary, guild: discord.Guild, parent: discord.TextChannel,
                              plan: RoutePlan) -> Place | None:
        if case.thread_id is not None:
            found = await self.board.place_of(case)
            if found is not None:
                return found
        name = logic.case_channel_name(case.number)
        if plan.kind is RouteKind.THREAD:
            # Only the bot can own a thread it created; numbers are never reused (repair_counter).
            return await case_places.find_own_thread(guild, parent, name)
        return case_places.find_own_channel(guild, name, self.service.place_token(case))

    async def _create_place(self, case: CaseSummary, guild: discord.Guild, parent: discord.TextChannel,
                            plan: RoutePlan) -> Place:
        name = logic.case_channel_name(case.number)
        reason = t_server(texts.PLACE_REASON, number=case.number)
        if plan.kind is RouteKind.THREAD:
            return await case_places.create_private_thread(parent, name, reason)
        alternate_role = self.bot.wiring_for(guild).alternate_reviewers_role
        allow = [alternate_role] if plan.audience is Audience.ALTERNATES and alternate_role is not None else []
        deny = [m for m in (guild.get_member(i) for i in case.excluded_ids) if m is not None]
        topic = t_server(texts.PLACE_TOPIC, number=case.number, token=self.service.place_token(case))
        return await case_places.create_private_channel(guild, parent, name, topic=topic, reason=reason,
                                                        allow=allow, deny=deny)

    async def _post_early_messages(self, place: Place, case: CaseSummary) -> None:
        """DMs the requester sent before the case had a thread were only logged; show them now."""
        for early in await self.service.early_messages(case.case_id):
            header, embed = views.relay_message(case, early.actor_id, early.text, early=True)
            try:
                posted = await place.send(header, embed=embed, allowed_mentions=NO_MENTIONS)
                if not case.anonymous:  # so an erasure can take the requester's name off it later
                    await self.service.note_posted(early.event_id, place.id, posted.id)
            except discord.HTTPException as exc:
                log.warning("repair: could not post an earlier message for case id %s (HTTP %s)", case.case_id,
                            exc.status)

    async def _add_members(self, thread: discord.Thread, members: list[discord.Member]) -> None:
        await case_places.add_members(thread, members)

    async def _existing_summary(self, place: Place, case: CaseSummary) -> discord.Message | None:
        """A summary posted just before a crash (its ID never saved) is adopted, not posted twice."""
        return await case_places.own_message_with(self.bot, place, f"repair:ack:{case.case_id}")
