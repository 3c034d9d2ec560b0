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
import logging
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord

from bot.ui import NO_MENTIONS
from cogs.repair import logic, views
from cogs.repair.logic import Audience, RouteFacts, RouteKind, RoutePlan
from db.models import RepairCase
from db.repositories import repair as repo

if TYPE_CHECKING:
    from cogs.repair.cog import RepairCog

log = logging.getLogger(__name__)

TEST_STALL_ENV = "COALITION_TEST_REPAIR_STALL"
MAX_THREAD_ADDS = 50

BLOCKED_NOTICES = {
    "no_alternates": (
        "A repair case (#{number}) is waiting: the person who filed it asked that every current moderator not "
        "handle it, and no alternate reviewers are configured. Please set `guild.alternate_reviewers_role` "
        "and/or `guild.alternate_reviewers_channel` in the bot's config; the case will reach them automatically. "
        "Nothing about the case is shown here."
    ),
    "no_moderators_channel": (
        "A repair case (#{number}) is waiting because I can't find the moderators' channel "
        "(`guild.moderators_channel`). Nothing about the case is shown here."
    ),
    "missing_permission": (
        "A repair case (#{number}) is waiting because I can't create a private thread or a private channel "
        "for it. Please give me Create Private Threads, or Manage Channels and Manage Roles. Nothing about "
        "the case is shown here."
    ),
}


async def _stall_if_testing(point: str) -> None:
    if os.environ.get(TEST_STALL_ENV) == point:
        log.warning("repair: TEST-ONLY stall at %s (%s is set)", point, TEST_STALL_ENV)
        await asyncio.Event().wait()


class Router:
    def __init__(self, cog: RepairCog) -> None:
        self.cog = cog
        self.bot = cog.bot
        self._locks: dict[int, asyncio.Lock] = {}

    async def route_pending(self, guild_ids: Iterable[int]) -> None:
        async with self.bot.sessions() as session:
            pending = await repo.unrouted(session, guild_ids)
        for case in pending:
            try:
                await self.route(case.id)
            except Exception:
                log.exception("repair: routing case id %s failed; will retry", case.id)

    async def route(self, case_id: int) -> None:
        lock = self._locks.setdefault(case_id, asyncio.Lock())
        async with lock:
            await _stall_if_testing("before_thread")
            async with self.bot.sessions() as session, session.begin():
                if not await repo.claim_routing(session, case_id, self.cog.boot_id):
                    return
                case = await repo.get(session, case_id)
            if case is None:
                return
            try:
                await self._route_claimed(case)
            finally:
                async with self.bot.sessions() as session, session.begin():
                    await repo.release_routing(session, case_id, self.cog.boot_id)
        if case.summary_message_id is not None:
            self._locks.pop(case_id, None)

    # --- the plan ------------------------------------------------------------------------

    def audience_members(self, guild: discord.Guild, case: RepairCase, audience: Audience) -> list[discord.Member]:
        """Who is added to the case thread. A moderator who filed the case is added like every other
        moderator (leaving exactly them out would name them), but never counts as a reviewer."""
        excluded = set(case.excluded_moderator_ids or ())
        if audience is Audience.MODERATORS:
            people = self.cog.moderators_of(guild)
        else:
            role = self.bot.wiring_for(guild).alternate_reviewers_role
            people = [m for m in (role.members if role else []) if not m.bot]
        return [m for m in people if m.id not in excluded]

    def plan(self, guild: discord.Guild, case: RepairCase) -> tuple[RoutePlan, discord.TextChannel | None]:
        wiring = self.bot.wiring_for(guild)
        excluded = set(case.excluded_moderator_ids or ())
        # The requester never reviews their own case: a moderator who files and excludes every
        # other moderator goes to the alternate reviewers, not to themself.
        requester = self.cog.requester_id(case)
        available = [m for m in self.cog.moderators_of(guild) if m.id not in excluded and m.id != requester]
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
            facts = RouteFacts(
                available_moderators=facts.available_moderators,
                moderators_channel=facts.moderators_channel,
                alternate_role=facts.alternate_role,
                alternate_channel=facts.alternate_channel,
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

    async def _route_claimed(self, case: RepairCase) -> None:
        guild = self.bot.get_guild(case.guild_id)
        if guild is None:
            return
        plan, parent = self.plan(guild, case)
        if plan.kind is RouteKind.WAIT or parent is None:
            await self._blocked(case, guild, plan.blocked or "no_moderators_channel")
            return
        place = await self._existing_place(case, guild, parent, plan)
        if place is None:
            place = await self._create_place(case, guild, parent, plan)
            await _stall_if_testing("after_thread")
        now = self.bot.clock.now()
        if case.thread_id != place.id:
            async with self.bot.sessions() as session, session.begin():
                fresh = await repo.get(session, case.id)
                assert fresh is not None
                fresh.thread_id = place.id
                fresh.routed_to_alternates = plan.audience is Audience.ALTERNATES
                fresh.route_blocked = None
                await repo.add_event(session, fresh, kind="routed", actor_id=None, at=now,
                                     data={"kind": plan.kind.value, "audience": plan.audience.value})
            case.thread_id = place.id
            case.routed_to_alternates = plan.audience is Audience.ALTERNATES
        if isinstance(place, discord.Thread):
            await self._add_members(place, self.audience_members(guild, case, plan.audience))
        adopted = await self._existing_summary(place, case)
        summary = adopted or await place.send(
            content=self._intro(case, guild, plan), embed=views.summary_embed(self.cog.case_view(case)),
            view=views.case_buttons(case.id), allowed_mentions=NO_MENTIONS)
        async with self.bot.sessions() as session, session.begin():
            fresh = await repo.get(session, case.id)
            assert fresh is not None
            fresh.summary_message_id = summary.id
        case.summary_message_id = summary.id
        if adopted is None:
            await self._post_early_messages(place, case)
        log.info("repair: case id %s routed (%s, %s)", case.id, plan.kind.value, plan.audience.value)

    def _intro(self, case: RepairCase, guild: discord.Guild, plan: RoutePlan) -> str:
        who = "alternate reviewers" if plan.audience is Audience.ALTERNATES else "moderators"
        text = (f"**New repair request — case #{case.number}.** Only the {who} handling it can see this "
                f"{'thread' if plan.kind is RouteKind.THREAD else 'channel'}. Please acknowledge it when you pick "
                "it up; replies to the requester go through **Reply to requester** and are signed “the moderators”.")
        if plan.audience is Audience.ALTERNATES:
            text += " The requester asked that none of the current moderators handle this case."
        return text

    async def _blocked(self, case: RepairCase, guild: discord.Guild, reason: str) -> None:
        if case.route_blocked == reason:
            return
        async with self.bot.sessions() as session, session.begin():
            fresh = await repo.get(session, case.id)
            assert fresh is not None
            fresh.route_blocked = reason
        case.route_blocked = reason
        notice = BLOCKED_NOTICES.get(reason, BLOCKED_NOTICES["no_moderators_channel"]).format(number=case.number)
        await self.bot.modlog.post(self.bot.wiring_for(guild).mod_log_channel, notice)
        log.warning("repair: case id %s is waiting (%s)", case.id, reason)

    async def _existing_place(self, case: RepairCase, guild: discord.Guild, parent: discord.TextChannel,
                              plan: RoutePlan) -> discord.Thread | discord.TextChannel | None:
        if case.thread_id is not None:
            found = await self.cog.case_channel(case, guild)
            if isinstance(found, (discord.Thread, discord.TextChannel)):
                return found
        name = logic.case_channel_name(case.number)
        if plan.kind is RouteKind.THREAD:
            threads = {t.id: t for t in parent.threads}
            try:
                for t in await guild.active_threads():
                    threads.setdefault(t.id, t)
            except discord.HTTPException:
                pass
            for thread in threads.values():
                # Only the bot can own a thread it created; numbers are never reused (repair_counter).
                if thread.name == name and thread.parent_id == parent.id and thread.owner_id == guild.me.id:
                    return thread
            return None
        token = self.place_token(case)
        for channel in guild.text_channels:
            if channel.name == name and token in (channel.topic or ""):
                return channel
        return None

    def place_token(self, case: RepairCase) -> str:
        """A per-case secret for the channel topic: proves the bot created the channel for this case."""
        return self.bot.cipher.blind_index(case.guild_id, f"repair-place:{case.id}:{case.number}")[:16]

    async def _create_place(self, case: RepairCase, guild: discord.Guild, parent: discord.TextChannel,
                            plan: RoutePlan) -> discord.Thread | discord.TextChannel:
        name = logic.case_channel_name(case.number)
        reason = f"Repair case #{case.number}"
        if plan.kind is RouteKind.THREAD:
            return await parent.create_thread(name=name, type=discord.ChannelType.private_thread, invitable=False,
                                              auto_archive_duration=10080, reason=reason)
        overwrites: dict[Any, discord.PermissionOverwrite] = dict(parent.overwrites)
        overwrites[guild.default_role] = discord.PermissionOverwrite(view_channel=False)
        overwrites[guild.me] = discord.PermissionOverwrite(view_channel=True, send_messages=True, embed_links=True,
                                                           attach_files=True, read_message_history=True)
        alternate_role = self.bot.wiring_for(guild).alternate_reviewers_role
        if plan.audience is Audience.ALTERNATES and alternate_role is not None:
            overwrites[alternate_role] = discord.PermissionOverwrite(view_channel=True, send_messages=True,
                                                                     read_message_history=True)
        for member_id in case.excluded_moderator_ids or ():
            member = guild.get_member(member_id)
            if member is not None:
                overwrites[member] = discord.PermissionOverwrite(view_channel=False)
        return await guild.create_text_channel(name, overwrites=overwrites, category=parent.category,
                                               topic=f"Private: repair case #{case.number} · {self.place_token(case)}",
                                               reason=reason)

    async def _post_early_messages(self, place: discord.Thread | discord.TextChannel, case: RepairCase) -> None:
        """DMs the requester sent before the case had a thread were only logged; show them now."""
        async with self.bot.sessions() as session:
            events = await repo.events_of(session, case.id)
        routed = [e.id for e in events if e.kind == "routed"]
        if not routed:
            return
        for event in events:
            if event.kind != "requester_message" or event.id > routed[-1]:
                continue
            header, embed = self.cog.relay_message(case, event.actor_id, self.cog.dec(event.body_enc) or "")
            try:
                posted = await place.send(header + " — before this case reached you", embed=embed,
                                          allowed_mentions=NO_MENTIONS)
                if not case.anonymous:  # so an erasure can take the requester's name off it later
                    async with self.bot.sessions() as session, session.begin():
                        await repo.set_event_data(session, event.id, {"posted": [place.id, posted.id]})
            except discord.HTTPException as exc:
                log.warning("repair: could not post an earlier message for case id %s (HTTP %s)", case.id,
                            exc.status)

    async def _add_members(self, thread: discord.Thread, members: list[discord.Member]) -> None:
        for member in members[:MAX_THREAD_ADDS]:
            try:
                await thread.add_user(member)
            except discord.HTTPException as exc:
                log.warning("repair: could not add a reviewer to a case thread (HTTP %s)", exc.status)

    async def _existing_summary(self, place: discord.Thread | discord.TextChannel,
                                case: RepairCase) -> discord.Message | None:
        """A summary posted just before a crash (its ID never saved) is adopted, not posted twice."""
        wanted = f"repair:ack:{case.id}"
        try:
            async for message in place.history(limit=20, oldest_first=True):
                if message.author.id != self.bot.user.id:  # type: ignore[union-attr]
                    continue
                for row in message.components:
                    for child in getattr(row, "children", []):
                        if getattr(child, "custom_id", None) == wanted:
                            return message
        except discord.HTTPException:
            return None
        return None
