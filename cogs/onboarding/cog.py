"""Onboarding: receives Discord events and clicks, loads state, asks logic, saves, replies.

REST budget per newcomer on the DM path: open DM + first DM message + ONE member update.
Every step advance edits the same message through the interaction response (exempt),
and the mod-log welcome notes are batched.

Crash safety: the first message is marked delivered only after Discord accepted it, and the
role grant is owed (membership.role_granted_at NULL) until Discord confirmed it; a job on the
process that owns the server delivers or grants what a crash interrupted — exactly once, since
it first checks the member cache for the role. The same job serves shards: a DM click for a
server on another shard (Discord sends DM events to shard 0) leaves the grant owed, and the
owning process applies it. Joins missed while the bot was down are caught up on start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.exc import IntegrityError

from bot import pacing
from bot.client import CoalitionBot
from bot.dm_router import DmDestination
from bot.errors import BadInput, Conflict, NotFound
from bot.jobs import due_jobs_loop
from bot.plaintext import clip, plain
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from bot.wiring import configured_id
from cogs.onboarding import logic, views
from cogs.onboarding.flows import FlowCache
from db.models import Membership, OnboardingProgress
from db.repositories import audit, coi_tags, guild_state, guild_wiring
from db.repositories import onboarding as repo

log = logging.getLogger(__name__)

# Joins up to this long before the last time the bot saw a server count as possibly missed.
DM_KEY = "onboarding"  # this feature's name in bot.dm_router
CATCH_UP_MARGIN = timedelta(minutes=2)
TOUCH_EVERY = timedelta(seconds=60)

START_HERE_TEXT = (
    "**New here? Start here.**\n"
    "Welcome to the {name}! To join as a member, you read our community agreements one short step at a "
    "time and answer one question at the end. It takes about {minutes} minutes.\n\n"
    "Press the button below: the steps open right here, and only you can see them. You can stop and come "
    "back whenever you like; your place is saved. (If I already sent you a direct message, either way works.)"
)
START_HERE_FAILED = ("Onboarding: I couldn't post or update the \"Start here\" message in the welcome channel. "
                     "Please check that the channel exists and that I can send messages there: newcomers whose "
                     "direct messages are closed start from that message.")
ENDED = logic.ENDED


def flow_of(row: OnboardingProgress | repo.FlowRow) -> logic.Flow:
    selection = tuple(row.coi_selection) if row.coi_selection is not None else None
    return logic.Flow(row.status, row.step_index, row.declined_count, selection, row.reaffirm_from_version,
                      row.revision)


def transient(exc: discord.HTTPException) -> bool:
    """A Discord-side failure worth retrying later (server error, or rate limited after retries)."""
    return exc.status >= 500 or exc.status == 429


@dataclass
class Outcome:
    """What one click decided; the response is sent after the transaction commits."""

    content: str
    view: discord.ui.View | None = None
    grant: bool = False
    coi_keys: list[str] = field(default_factory=list)
    reaffirm: bool = False
    held: bool = False  # said yes, but moderators removed their member role earlier: not given back


class OnboardingCog(commands.Cog, name="Onboarding"):
    group = app_commands.Group(name="onboarding", description="Join as a member: our agreements, step by step",
                               guild_only=True)
    moderate = app_commands.Group(name="mod-onboarding", description="Moderators: onboarding status, numbers, reaffirm",
                                  guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot
        self.batches: dict[int, logic.WelcomeBatch] = {}
        self._jobs_lock = asyncio.Lock()
        # (guild, user) pairs this process is delivering to / granting right now.
        self._delivering: set[tuple[int, int]] = set()
        self._granting: set[tuple[int, int]] = set()
        self._touched: dict[int, datetime] = {}
        self._asking: dict[tuple[int, int], asyncio.Lock] = {}
        self._gating: set[tuple[int, int]] = set()  # member roles this process is taking off ([gate] enforce)
        self._own_grants: set[tuple[int, int]] = set()  # member roles this process is giving after a yes
        self._start_here: dict[int, int] = {}  # guild -> its "Start here" message
        self._full_steps = logic.build_steps(bot.content)
        self.flows = FlowCache(bot.sessions)

    @property
    def _retry_after(self) -> timedelta:
        """A grant or first delivery not confirmed within this time is retried by the job
        ([onboarding] retry_after_seconds: 30 s by default; the chaos tests set it lower)."""
        return timedelta(seconds=self.bot.settings.onboarding.retry_after_seconds)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*views.DYNAMIC_ITEMS)
        self.bot.modals.register(views.QUESTION_FORM, self._question_form, where="onboarding question form",
                                 not_yours=logic.NOT_YOUR_FORM)
        self.bot.modals.register(views.ANSWER_FORM, self._answer_form, where="onboarding answer form")
        self.bot.dm_router.register(DM_KEY, self)
        self.jobs.start()

    async def cog_unload(self) -> None:
        self.bot.dm_router.unregister(DM_KEY)
        self.jobs.cancel()
        await self.flows.drain()
        self.bot.remove_dynamic_items(*views.DYNAMIC_ITEMS)
        self.bot.modals.unregister(views.QUESTION_FORM)
        self.bot.modals.unregister(views.ANSWER_FORM)

    # --- background work -------------------------------------------------------------

    jobs = due_jobs_loop("onboarding", seconds=5)

    async def run_due_jobs(self) -> None:
        """Flush due mod-log welcome notes and send due reminders (tests call this directly)."""
        async with self._jobs_lock:
            await self._flush_welcomes()
            await self._send_reminders()
            await self._retry_owed_grants()
            for guild in self.bot.guilds:
                await self._redeliver_stranded(guild)
            await self._touch_guilds()

    async def _flush_welcomes(self, force: bool = False) -> None:
        now = self.bot.clock.now()
        for guild_id, batch in list(self.batches.items()):
            if not batch.user_ids or not (force or batch.due(now)):
                continue
            ids = batch.take()
            guild = self.bot.get_guild(guild_id)
            channel = self.bot.wiring_for(guild).mod_log_channel if guild else None
            for note in logic.welcome_notes(ids):
                await self.bot.modlog.post(channel, note)

    async def _retry_owed_grants(self) -> None:
        """Grant roles a crash or another shard left owed, in the servers this process runs."""
        now = self.bot.clock.now()
        owned = [g.id for g in self.bot.guilds]
        async with self.bot.sessions() as session, session.begin():
            rows = await repo.pending_grants(session, owned, now - self._retry_after)
            due = []
            for row in rows:
                if (row.guild_id, row.user_id) in self._granting:
                    continue
                progress = await repo.get_progress(session, row.guild_id, row.user_id)
                keys = list(progress.coi_selection or []) if progress is not None else []
                due.append((row.guild_id, row.user_id, keys))
                row.grant_attempted_at = now
        for guild_id, user_id, keys in due:
            await self._apply_roles(None, guild_id, user_id, Outcome("", grant=True, coi_keys=keys))

    async def _touch_guilds(self, force: bool = False) -> None:
        """Remember when the bot last saw each server (one small write a minute per server)."""
        now = self.bot.clock.now()
        # Only servers whose catch-up already ran in this process (else a touch would hide missed joins).
        due = [g.id for g in self.bot.guilds if g.id in self._touched
               and (force or now - self._touched[g.id] >= TOUCH_EVERY)]
        if not due:
            return
        async with self.bot.sessions() as session, session.begin():
            for guild_id in due:
                await guild_state.touch(session, guild_id, now)
                self._touched[guild_id] = now

    @commands.Cog.listener()
    async def on_coalition_guild_ready(self, guild: discord.Guild) -> None:
        """After a (re)start: onboard people who joined while the bot was away, and finish
        first messages a crash interrupted."""
        if not self.bot.settings.onboarding.enabled:
            return
        now = self.bot.clock.now()
        member_role = self.bot.wiring_for(guild).member_role
        async with self.bot.sessions() as session, session.begin():
            seen = await guild_state.seen(session, guild.id)
            await guild_state.touch(session, guild.id, now)
            self._touched[guild.id] = now
            known = await repo.known_user_ids(session, guild.id)
            missed: list[discord.Member] = []
            if seen is not None:  # a server seen for the first time: don't DM everyone already there
                first_seen, last_seen = seen
                since = max(first_seen, last_seen - CATCH_UP_MARGIN)
                missed = [m for m in guild.members
                          if not m.bot and m.id not in known and m.joined_at is not None and m.joined_at >= since
                          and (member_role is None or member_role not in m.roles) and not m.pending
                          and (guild.id, m.id) not in self._delivering]  # on_member_join has it already
            for member in missed:
                await repo.start_progress(session, guild.id, member.id, content_version=self.bot.content.version,
                                          now=now, surface=logic.SURFACE_PENDING)
        await self.keep_start_here(guild)
        if missed:
            log.info("catching up on %d join(s) missed while the bot was away (guild %s)", len(missed), guild.id)
        for member in missed:
            await self._redeliver(member)
        await self._redeliver_stranded(guild)

    async def keep_start_here(self, guild: discord.Guild) -> None:
        """Make sure the welcome channel has ONE current "Start here" message: edit the stored one
        (its text follows the content file), post it again only if it was deleted."""
        channel = self.bot.wiring_for(guild).welcome_channel
        community = self.bot.content.community
        text = START_HERE_TEXT.format(name=community.name, minutes=community.minutes_to_complete)
        view = views.start_here_view(guild.id)
        async with self.bot.sessions() as session:
            message_id = await guild_state.start_here_message(session, guild.id)
        try:
            if channel is None:
                raise NotFound("no welcome channel")
            if message_id is not None:
                try:
                    with pacing.background():
                        await channel.get_partial_message(message_id).edit(
                            content=text, view=view, allowed_mentions=NO_MENTIONS)
                    self._start_here[guild.id] = message_id
                    return
                except discord.NotFound:
                    pass  # deleted (or the channel changed): post a new one
            with pacing.background():
                posted = await channel.send(text, view=view, allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, NotFound):
            await self.bot.modlog.alert_once(guild.id, "onboarding-start-here",
                                             self.bot.wiring_for(guild).mod_log_channel, START_HERE_FAILED)
            return
        self._start_here[guild.id] = posted.id
        async with self.bot.sessions() as session, session.begin():
            await guild_state.set_start_here_message(session, guild.id, posted.id, self.bot.clock.now())

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Someone deleted the "Start here" message: put it back at once."""
        guild = self.bot.get_guild(payload.guild_id) if payload.guild_id else None
        if guild is not None and self._start_here.get(guild.id) == payload.message_id:
            del self._start_here[guild.id]
            await self.keep_start_here(guild)

    async def _redeliver_stranded(self, guild: discord.Guild) -> None:
        """First messages a crash interrupted (not in flight in this process)."""
        async with self.bot.sessions() as session:
            rows = await repo.undelivered(session, guild.id, self.bot.clock.now() - self._retry_after)
        for row in rows:
            newcomer = guild.get_member(row.user_id)
            if newcomer is not None and (guild.id, row.user_id) not in self._delivering:
                await self._redeliver(newcomer)

    async def _redeliver(self, member: discord.Member) -> None:
        # Claim the delivery BEFORE the first await: the start-up catch-up and the job loop walk
        # the same stranded rows concurrently, and both used to read "pending" and DM the person
        # twice (found by tests/e2e/test_chaos_kill9.py).
        key = (member.guild.id, member.id)
        if key in self._delivering:
            return
        self._delivering.add(key)
        try:
            async with self.bot.sessions() as session, session.begin():
                row = await repo.get_progress(session, member.guild.id, member.id)
                if row is None or row.surface != logic.SURFACE_PENDING:
                    return
                outcome = self._render_row(row, self._steps(row, None))
            await self._deliver_first(member, outcome)
        finally:
            self._delivering.discard(key)

    async def _send_reminders(self) -> None:
        now = self.bot.clock.now()
        hours = self.bot.settings.onboarding.reminder_after_hours
        async with self.bot.sessions() as session, session.begin():
            rows = await repo.stalled_unreminded(session, now - timedelta(hours=hours))
            due: list[tuple[int, int]] = []
            for row in rows:
                guild = self.bot.get_guild(row.guild_id)
                if guild is None:
                    continue  # another shard's server, or not available yet
                if logic.reminder_due(row.status, row.updated_at, row.reminded_at, now, hours):
                    row.reminded_at = now  # marked first: never more than one, even after a crash
                    due.append((row.guild_id, row.user_id))
        for guild_id, user_id in due:
            guild = self.bot.get_guild(guild_id)
            member = guild.get_member(user_id) if guild else None
            if member is None or guild is None:
                continue
            text = (f"Hi {member.display_name}! A gentle reminder: your onboarding for "
                    f"{self.bot.content.community.name} is waiting where you left it. Scroll up to my message "
                    f"with the buttons, or use `/onboarding start` in the server. No rush — and if something "
                    f"is unclear, press \"I have a question\".")
            try:
                with pacing.background():
                    await member.send(text, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.info("could not send an onboarding reminder (guild=%s user=%s)", guild_id, user_id)

    # --- rendering ----------------------------------------------------------------------

    def _steps(self, row: OnboardingProgress, membership: Membership | None) -> list[logic.Step]:
        if not row.reaffirm_from_version:
            return self._full_steps  # the same for everyone: built once, not on every click
        return logic.steps_for(self.bot.content, True, membership.accepted_step_hashes if membership else None)

    def _coi_options(self, picked: Sequence[str] | None) -> list[discord.SelectOption]:
        chosen = set(picked or ())
        options = [discord.SelectOption(label=c.display[:100], value=c.key, default=c.key in chosen)
                   for c in self.bot.content.coi_categories[:24]]
        options.append(discord.SelectOption(label="None apply", value=logic.NONE_APPLY,
                                            default=picked is not None and not picked))
        return options

    def _coi_labels(self, keys: Sequence[str] | None) -> list[str] | None:
        if keys is None:
            return None
        labels = []
        for key in keys:
            category = self.bot.content.coi_category(key)
            if category is not None:
                labels.append(category.display)
        return labels

    def _render_row(self, row: OnboardingProgress, steps: list[logic.Step], note: str = "") -> Outcome:
        return self._render(row.guild_id, flow_of(row), steps, note)

    def _render(self, guild_id: int, flow: logic.Flow, steps: list[logic.Step], note: str = "") -> Outcome:
        if flow.status == logic.COMPLETED:
            return Outcome(self._completed_text(guild_id, bool(flow.reaffirm_from_version)))
        if flow.status == logic.DECLINED:
            return Outcome(self._declined_text(typed=False), views.declined_view(guild_id, len(steps) - 1))
        index = logic.clamp_step(flow.step_index, len(steps))
        content = logic.render_step(
            steps, index, note=note,
            reaffirm_version=self.bot.content.version if flow.reaffirm_from_version else "",
            coi_labels=self._coi_labels(flow.coi_selection))
        coi_options = self._coi_options(flow.coi_selection) if steps[index].offers_coi else ()
        view = views.step_view(guild_id, steps, index, coi_options)
        return Outcome(content, view)

    def _completed_text(self, guild_id: int, reaffirm: bool = False) -> str:
        name = self.bot.content.community.name
        if reaffirm:
            return (f"Thank you for confirming the updated agreements (version {self.bot.content.version}). "
                    f"Nothing else changes — you're still a member of {name}.")
        return (f"🎉 Thank you for your clear \"yes\" — you are now a member of the {name}! Your member role is on "
                f"its way, and the member channels will open for you.\n\n{logic.NEXT_STEPS}")

    def _declined_text(self, typed: bool) -> str:
        email = self.bot.content.community.contact_email
        again = ("Whenever you're ready, type just \"yes\" here (or use the buttons on the question above)."
                 if typed else "Whenever you're ready, press \"Back to the question\".")
        return ("Thank you for being honest. Membership needs a clear \"yes\" to the commitment question, so I "
                "haven't made you a member yet — and that's okay, there is no rush and no judgement.\n\n"
                f"If you have doubts or questions, press \"I have a question\" to ask the moderators privately, "
                f"or write to {email}. {again}")

    # --- starting a flow ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot or not self.bot.settings.onboarding.enabled:
            return
        member_role = self.bot.wiring_for(member.guild).member_role
        if member_role is not None and member_role in member.roles:
            return  # already a member (e.g. a role given by other means): never asked again
        if member.pending:
            return  # Rules Screening not passed yet: MemberGateCog starts it when they pass
        self._delivering.add((member.guild.id, member.id))  # before the row exists: no double delivery
        async with self.bot.sessions() as session, session.begin():
            await repo.delete_membership(session, member.guild.id, member.id)  # a returning person starts fresh
            row = await repo.start_progress(session, member.guild.id, member.id,
                                            content_version=self.bot.content.version, now=self.bot.clock.now(),
                                            surface=logic.SURFACE_PENDING)
            outcome = self._render_row(row, self._steps(row, None))
        await self._deliver_first(member, outcome)

    async def _deliver_first(self, member: discord.Member, outcome: Outcome) -> str:
        """DM the first step. If their DMs are closed, say nothing in public: the "Start here" message serves them."""
        key = (member.guild.id, member.id)
        self._delivering.add(key)
        try:
            return await self._deliver_first_once(member, outcome)
        finally:
            self._delivering.discard(key)

    async def _set_surface(self, member: discord.Member, surface: str) -> None:
        async with self.bot.sessions() as session, session.begin():
            saved = await repo.set_surface(session, member.guild.id, member.id, surface)
        self._remember_flow((member.guild.id, member.id), saved)  # the first click then needs no read

    async def _deliver_first_once(self, member: discord.Member, outcome: Outcome) -> str:
        try:
            # First contact goes ahead of everything else queued: a newcomer who has heard
            # nothing is worse off than one who finished and waits a moment for the role.
            with pacing.urgent():
                await member.send(outcome.content, view=outcome.view or discord.utils.MISSING,
                                  allowed_mentions=NO_MENTIONS)
            await self._set_surface(member, logic.SURFACE_DM)
            return "dm"
        except discord.Forbidden:
            pass
        except discord.HTTPException as exc:
            if transient(exc):
                # Discord failed (5xx, or 429 after discord.py's retries): their DMs are not closed,
                # so don't tell them so in the welcome channel. The flow stays "pending" and the job
                # sends the DM again after retry_after_seconds (found by test_chaos_network.py).
                log.warning("first onboarding DM to user %s in guild %s failed (HTTP %s); will retry",
                            member.id, member.guild.id, exc.status)
                await self._set_surface(member, logic.SURFACE_PENDING)
                return "retry"
            log.warning("could not DM onboarding to user %s in guild %s", member.id, member.guild.id)
        # Their DMs are closed. Nothing is said in public (that would tell everyone, and is theirs to
        # keep): the "Start here" message in the welcome channel serves them, in messages only they see.
        await self._set_surface(member, logic.SURFACE_EPHEMERAL)
        return "closed"

    async def on_start_click(self, interaction: discord.Interaction, guild_id: int) -> None:
        await self._start_ephemeral(interaction, guild_id)  # StartButton.check: only its person

    async def on_start_here_click(self, interaction: discord.Interaction, guild_id: int) -> None:
        await self._start_ephemeral(interaction, guild_id)  # StartHereButton.check: only in its server

    async def _start_ephemeral(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Resume (or begin) this person's flow in a message only they can see."""
        user = interaction.user
        for attempt in range(2):
            try:
                async with self.bot.sessions() as session, session.begin():
                    row = await repo.get_progress(session, guild_id, user.id, for_update=True)
                    membership = await repo.get_membership(session, guild_id, user.id)
                    if row is None or row.status == logic.COMPLETED:
                        if self._is_member(interaction, membership):
                            await interaction.response.send_message(
                                "You're already a member — there's nothing more to do here. Welcome!",
                                ephemeral=True)
                            return
                        row = await repo.start_progress(
                            session, guild_id, user.id, content_version=self.bot.content.version,
                            now=self.bot.clock.now(), surface=logic.SURFACE_EPHEMERAL)
                    else:
                        row.surface = logic.SURFACE_EPHEMERAL
                    outcome = self._render_row(row, self._steps(row, membership))
                break
            except IntegrityError:
                # The join handler created this person's flow at the same moment (a click on "Start
                # here" right after joining): read theirs instead on the second pass.
                if attempt:
                    raise
        await interaction.response.send_message(outcome.content, view=outcome.view or discord.utils.MISSING,
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    def _is_member(self, interaction: discord.Interaction, membership: Membership | None) -> bool:
        if membership is not None and membership.content_version == self.bot.content.version:
            return True
        user = interaction.user
        if isinstance(user, discord.Member):
            role = self.bot.wiring_for(user.guild).member_role
            return role is not None and role in user.roles
        return False

    # --- clicks on a step ----------------------------------------------------------------

    async def on_step_click(self, interaction: discord.Interaction, action: str, guild_id: int, clicked: int) -> None:
        if action == "ask":
            await self._open_question(interaction, guild_id, clicked)
            return
        now = self.bot.clock.now()
        key = (guild_id, interaction.user.id)
        outcome = await self._click_from_memory(key, action, clicked, now)
        if outcome is None:  # the full path: read the row, decide, save
            async with self.bot.sessions() as session, session.begin():
                row = await repo.get_progress(session, guild_id, interaction.user.id, for_update=True)
                if row is None:
                    outcome = Outcome(ENDED)
                else:
                    # The membership matters only to a re-confirmation; skip the query on the hot path.
                    membership = (await repo.get_membership(session, guild_id, interaction.user.id)
                                  if row.reaffirm_from_version else None)
                    steps = self._steps(row, membership)
                    outcome = await self._decide(session, row, membership, steps, action, clicked, now)
            self._remember_flow(key, row)
        await interaction.response.edit_message(content=outcome.content, view=outcome.view,
                                                allowed_mentions=NO_MENTIONS)
        if outcome.grant:
            await self._apply_roles(interaction, guild_id, interaction.user.id, outcome)
        if outcome.held:
            await self._tell_moderators_held(guild_id, interaction.user.id)

    async def _tell_moderators_held(self, guild_id: int, user_id: int) -> None:
        guild = self.bot.get_guild(guild_id)
        channel = self.bot.wiring_for(guild).mod_log_channel if guild is not None else None
        await self.bot.modlog.post(channel, logic.ROLE_HELD_MODLOG.format(user=f"<@{user_id}>"))

    async def _click_from_memory(self, key: tuple[int, int], action: str, clicked: int,
                                 now: datetime) -> Outcome | None:
        """A plain move (next, back, not yet, back to the question) decided from the copy in
        memory and saved with the next group commit; None sends the click the full way."""
        flow = self.flows.get(key)
        if flow is None:
            return None
        moved = logic.click_move(flow, action, clicked, len(self._full_steps))
        if moved is None or not await self.flows.save(key, flow, moved, now):
            return None
        return self._render(key[0], moved, self._full_steps)

    def _remember_flow(self, key: tuple[int, int], row: OnboardingProgress | repo.FlowRow | None) -> None:
        """Keep a copy of a flow the next click can move from memory: the full flow, still open."""
        if (row is not None and row.status in (logic.IN_PROGRESS, logic.DECLINED) and not row.reaffirm_from_version
                and row.content_version == self.bot.content.version):
            self.flows.remember(key, flow_of(row))
        else:
            self.flows.forget(key)

    async def _decide(self, session: Any, row: OnboardingProgress, membership: Membership | None,
                      steps: list[logic.Step], action: str, clicked: int, now: Any) -> Outcome:
        last = len(steps) - 1
        if row.status == logic.COMPLETED:
            return self._render_row(row, steps)
        if row.content_version != self.bot.content.version and not row.reaffirm_from_version:
            row.content_version = self.bot.content.version
        row.step_index = logic.clamp_step(row.step_index, len(steps))
        moved = logic.click_move(flow_of(row), action, clicked, len(steps))
        if moved is not None:
            row.status, row.step_index, row.declined_count = moved.status, moved.step_index, moved.declined_count
            row.updated_at = now
            return self._render_row(row, steps)
        if (action == "yes" and row.step_index == last and clicked == last
                and row.status in (logic.IN_PROGRESS, logic.DECLINED)):
            return await self._complete(session, row, steps, now)
        return self._render_row(row, steps)  # stale or double click: show the saved step

    async def _complete(self, session: Any, row: OnboardingProgress, steps: list[logic.Step], now: Any) -> Outcome:
        reaffirm = bool(row.reaffirm_from_version)
        picked = list(row.coi_selection or [])
        row.status = logic.COMPLETED
        row.updated_at = now
        # This process grants right after the commit; otherwise the owning shard's job does, at once.
        await repo.record_membership(session, row.guild_id, row.user_id, content_version=self.bot.content.version,
                                     step_hashes=logic.step_hashes(steps), now=now,
                                     grant_attempted_at=now if self.bot.get_guild(row.guild_id) is not None else None)
        if await repo.member_role_held(session, row.guild_id, row.user_id):
            # Their yes is saved, but moderators took the role away: only a moderator gives it back.
            await repo.mark_grant(session, row.guild_id, row.user_id, granted_at=now)  # nothing owed
            row.reaffirm_from_version = ""
            return Outcome(logic.ROLE_HELD, held=True)
        if row.coi_selection is not None:
            current = await coi_tags.tags_of(session, row.guild_id, row.user_id)
            keys = current | set(picked) if reaffirm else set(picked)
            await coi_tags.set_tags(session, row.guild_id, row.user_id, keys, at=now)
        outcome = Outcome(self._completed_text(row.guild_id, reaffirm), grant=True, coi_keys=picked,
                          reaffirm=reaffirm)
        row.reaffirm_from_version = ""
        return outcome

    async def on_coi_pick(self, interaction: discord.Interaction, guild_id: int, clicked: int,
                          values: list[str]) -> None:
        async with self.bot.sessions() as session, session.begin():
            row = await repo.get_progress(session, guild_id, interaction.user.id, for_update=True)
            if row is None:
                outcome = Outcome(ENDED)
            else:
                membership = await repo.get_membership(session, guild_id, interaction.user.id)
                steps = self._steps(row, membership)
                note = ""
                if (row.status == logic.IN_PROGRESS and row.step_index == clicked
                        and steps[logic.clamp_step(clicked, len(steps))].offers_coi):
                    keys = [c.key for c in self.bot.content.coi_categories]
                    row.coi_selection = logic.normalise_coi_pick(values, keys)
                    row.updated_at = self.bot.clock.now()
                    note = "Saved. Your pick becomes roles when you finish; you can change it later with `/coi tag`."
                outcome = self._render_row(row, steps, note)
        self._remember_flow((guild_id, interaction.user.id), row)
        await interaction.response.edit_message(content=outcome.content, view=outcome.view,
                                                allowed_mentions=NO_MENTIONS)

    async def _apply_roles(self, where: discord.Interaction | None, guild_id: int, user_id: int,
                           outcome: Outcome) -> bool:
        """The ONE member update: + Member, + chosen COI roles, − Newcomer (then marked granted)."""
        guild = self.bot.get_guild(guild_id)
        key = (guild_id, user_id)
        if guild is None or key in self._granting:
            return False  # another shard's server (its process grants it), or already under way
        self._granting.add(key)
        try:
            granted = await self._apply_roles_once(where, guild, user_id, outcome)
        finally:
            self._granting.discard(key)
        if granted:
            async with self.bot.sessions() as session, session.begin():
                await repo.mark_grant(session, guild_id, user_id, granted_at=self.bot.clock.now())
        return granted

    async def _apply_roles_once(self, where: discord.Interaction | None, guild: discord.Guild, user_id: int,
                                outcome: Outcome) -> bool:
        guild_id = guild.id
        wiring = self.bot.wiring_for(guild)
        problem = ""
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.HTTPException as exc:
                if transient(exc):
                    return False  # Discord failed, they did not leave: the job retries the grant
                member = None
        if member is None:
            problem = "they are no longer in the server"
        elif wiring.member_role is None:
            problem = "the member role is missing"
        else:
            current = [r.id for r in member.roles if not r.is_default()]
            coi = [wiring.coi_roles[k].id for k in outcome.coi_keys if k in wiring.coi_roles]
            newcomer = wiring.newcomer_role.id if wiring.newcomer_role else None
            new = logic.final_roles(current, member_role=wiring.member_role.id, newcomer_role=newcomer, coi_roles=coi)
            if set(new) != set(current):
                if len(self._own_grants) > 10_000:  # events that never came (e.g. a dropped connection)
                    self._own_grants.clear()
                self._own_grants.add((guild_id, user_id))
                try:
                    # Normal priority: queued first messages go first (see _deliver_first_once).
                    await member.edit(roles=[discord.Object(r) for r in new], reason="Onboarding completed")
                except discord.HTTPException as exc:
                    if transient(exc):
                        # Not a refusal: Discord failed. The grant stays owed and the job retries it
                        # after retry_after_seconds — no false alarm to the moderators or the newcomer
                        # (found by test_chaos_network.py).
                        log.warning("role grant for user %s in guild %s failed (HTTP %s); will retry",
                                    user_id, guild_id, exc.status)
                        return False
                    problem = f"Discord refused the role change (HTTP {exc.status}); check my role is above " \
                              "the Member, Newcomer and COI roles and that I have Manage Roles"
        if problem:
            await self.bot.modlog.alert_once(
                guild_id, f"onboarding-roles-{user_id}", wiring.mod_log_channel,
                f"Onboarding: <@{user_id}> said yes, but I couldn't give the member role: {problem}.")
            if where is not None:
                with contextlib.suppress(discord.HTTPException):
                    await where.followup.send(
                        "I saved your answer, but I couldn't give you the member role just now. The moderators "
                        "have been told and will sort it out — you don't need to do anything.", ephemeral=True)
            return False
        if not outcome.reaffirm:
            self.batches.setdefault(guild_id, logic.WelcomeBatch()).add(user_id, self.bot.clock.now())
        return True

    # --- questions -----------------------------------------------------------------------

    async def _open_question(self, interaction: discord.Interaction, guild_id: int, step: int) -> None:
        async with self.bot.sessions() as session:
            refusal = await self._question_refusal(session, guild_id, interaction.user.id)
        if refusal:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.send_modal(views.question_modal(guild_id, step, interaction.user.id))

    async def _question_refusal(self, session: Any, guild_id: int, user_id: int) -> str:
        """Why this person can't ask another question now ("" when they can): a few open questions
        at a time, a short pause between two, and only while they are in the server."""
        if not await self._in_server(guild_id, user_id):
            return logic.QUESTION_NOT_IN_SERVER
        settings = self.bot.settings.onboarding
        open_count, last_asked = await repo.question_load(session, guild_id, user_id)
        return logic.question_refusal(open_count, last_asked, self.bot.clock.now(), settings.max_open_questions,
                                      settings.question_cooldown_seconds)

    async def _in_server(self, guild_id: int, user_id: int) -> bool:
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            return guild.get_member(user_id) is not None
        try:  # another shard's server (a DM click arrives on shard 0): ask Discord
            await self.bot.http.get_member(guild_id, user_id)
        except discord.NotFound:
            return False
        except discord.HTTPException:
            return True  # Discord failed, not a departure: don't turn a newcomer away for it
        return True

    async def _question_form(self, interaction: discord.Interaction, ids: dict[str, Any],
                             fields: dict[str, Any]) -> None:
        await self.on_question_submit(interaction, ids["guild"], ids["step"], str(fields.get(views.QUESTION_FIELD, "")))

    async def _answer_form(self, interaction: discord.Interaction, ids: dict[str, Any],
                           fields: dict[str, Any]) -> None:
        await self.on_reply_submit(interaction, ids["question"], str(fields.get(views.ANSWER_FIELD, "")))

    async def on_question_submit(self, interaction: discord.Interaction, guild_id: int, step: int,
                                 text: str) -> None:
        text = text.strip()
        if not text:
            raise BadInput("Your question was empty — please type it and send it again.")
        now = self.bot.clock.now()
        step_title = step_no = ""
        # One at a time per person: fifteen forms sent at once must not all pass the check first.
        key = (guild_id, interaction.user.id)
        lock = self._asking.setdefault(key, asyncio.Lock())
        async with lock, self.bot.sessions() as session, session.begin():
            refusal = await self._question_refusal(session, guild_id, interaction.user.id)
            if refusal:
                raise Conflict(refusal)  # nothing saved; the text stays in their form to send later
            row = await repo.get_progress(session, guild_id, interaction.user.id)
            question = await repo.add_question(session, guild_id, interaction.user.id,
                                               row.step_index if row else step, self.bot.cipher.encrypt(text), now)
            question_id = question.id
            note = ("✅ Your question went privately to the moderators. Their answer will come to you by direct "
                    "message. You stay right here — continue whenever you're ready.")
            if row is None:
                outcome = Outcome(note)
            else:
                membership = await repo.get_membership(session, guild_id, interaction.user.id)
                steps = self._steps(row, membership)
                outcome = self._render_row(row, steps, note)
                step_title = steps[logic.clamp_step(row.step_index, len(steps))].heading
                step_no = f"step {logic.clamp_step(row.step_index, len(steps)) + 1} of {len(steps)}"
        if interaction.message is not None:
            await interaction.response.edit_message(content=outcome.content, view=outcome.view,
                                                    allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(note, ephemeral=True)
        channel = await self._moderators_channel(guild_id)
        where = f" ({step_no}: {step_title})" if row is not None else ""
        post = clip(f"**Onboarding question** from <@{interaction.user.id}>{where}:\n>>> {plain(text)}")
        try:
            if channel is None:
                raise NotFound("no moderators channel")
            posted = await channel.send(post, view=views.reply_view(question_id), allowed_mentions=NO_MENTIONS)
            async with self.bot.sessions() as session, session.begin():
                await repo.set_question_post(session, question_id, posted.channel.id, posted.id)
        except (discord.HTTPException, NotFound):
            await interaction.followup.send(
                "I saved your question but couldn't reach the moderators' channel. Please write to "
                f"{self.bot.content.community.contact_email} instead.", ephemeral=True)

    async def _moderators_channel(self, guild_id: int) -> discord.abc.Messageable | None:
        """The server's moderators' channel. A question asked in a DM arrives on shard 0 (Discord
        sends every DM interaction there), so its server may be another shard's and not in this
        process's cache: then the channel is the one that shard's set-up stored (never found by name)."""
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            return self.bot.wiring_for(guild).moderators_channel
        channel_id = configured_id(self.bot.settings.guild.moderators_channel)
        if channel_id is None:
            async with self.bot.sessions() as session:
                channel_id = await guild_wiring.target_id(session, guild_id, "moderators_channel")
        if channel_id is None:
            return None
        return self.bot.get_partial_messageable(channel_id, guild_id=guild_id, type=discord.ChannelType.text)

    async def on_reply_submit(self, interaction: discord.Interaction, question_id: int, answer: str) -> None:
        moderator = self.bot.require_moderator(interaction)
        answer = answer.strip()
        if not answer:
            raise BadInput("The answer was empty — nothing was sent.")
        async with self.bot.sessions() as session:
            question = await repo.get_question(session, question_id)
            if question is None or question.guild_id != moderator.guild.id:
                raise NotFound("I can't find that question any more (the person may have left).")
            user_id, asked = question.user_id, self.bot.cipher.decrypt(question.question_enc)
        await interaction.response.defer()  # type 6: the moderators' message is edited below, no new call
        user = self.bot.get_user(user_id)
        text = clip(
            f"A moderator of {self.bot.content.community.name} answered your onboarding question:\n\n"
            f">>> {plain(answer)}\n\nYour place in the steps is saved — continue whenever you're ready. "
            "You can ask again with \"I have a question\".")
        try:
            if user is None:
                user = await self.bot.fetch_user(user_id)
            await user.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            await interaction.followup.send(
                "I couldn't deliver that: their direct messages are closed (or they left). Nothing was sent; "
                "you could greet them in the welcome channel instead.", ephemeral=True)
            return
        async with self.bot.sessions() as session, session.begin():
            question = await repo.get_question(session, question_id, for_update=True)
            if question is not None:
                question.answered_at = self.bot.clock.now()
                question.answered_by = moderator.id
            await audit.record(session, moderator.guild.id, moderator.id, "onboarding.question_answered",
                               f"question:{question_id}")
        try:
            await interaction.edit_original_response(
                content=clip(f"**Onboarding question** from <@{user_id}>:\n>>> {plain(asked)}\n\n"
                                   f"✅ Answered by <@{moderator.id}>."),
                view=None, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.info("could not mark onboarding question %s as answered", question_id)
        await interaction.followup.send("Sent — they got your answer by direct message.", ephemeral=True)

    # --- typed answers in DMs (bot.dm_router decides whether a DM is one) --------------------

    async def _waiting_for_typed_answer(self, session: Any, user_id: int) -> list[OnboardingProgress]:
        """This person's flows that wait at the commitment question (where a typed "yes" counts)."""
        rows = await repo.at_step_for_user(session, user_id, [logic.IN_PROGRESS, logic.DECLINED])
        waiting = []
        for row in rows:
            membership = await repo.get_membership(session, row.guild_id, row.user_id)
            if row.step_index == len(self._steps(row, membership)) - 1:
                waiting.append(row)
        return waiting

    async def dm_destinations(self, message: discord.Message) -> list[DmDestination]:
        async with self.bot.sessions() as session:
            waiting = await self._waiting_for_typed_answer(session, message.author.id)
        if not waiting:
            return []
        return [DmDestination(DM_KEY, "My answer to the onboarding question",
                              f"The commitment question of {self.bot.content.community.name}")]

    async def deliver_dm(self, message: discord.Message, key: str) -> str | None:
        # The text is used only for the yes-check below: never stored, never logged.
        answer_is_yes = logic.is_clear_yes(message.content)
        now = self.bot.clock.now()
        outcome: Outcome | None = None
        guild_id = 0
        async with self.bot.sessions() as session, session.begin():
            for row in await self._waiting_for_typed_answer(session, message.author.id):
                membership = await repo.get_membership(session, row.guild_id, row.user_id)
                steps = self._steps(row, membership)
                locked = await repo.get_progress(session, row.guild_id, row.user_id, for_update=True)
                if locked is None or locked.status == logic.COMPLETED:
                    continue
                guild_id = row.guild_id
                if answer_is_yes:
                    outcome = await self._complete(session, locked, steps, now)
                else:
                    locked.status = logic.DECLINED
                    locked.declined_count += 1
                    locked.updated_at = now
                    outcome = Outcome(self._declined_text(typed=True))
                break
        if outcome is None:
            return None
        if outcome.grant:
            # Grant before replying: the reply waits in the pacing queue, and a grant left owed
            # that long would be picked up by the retry job as well.
            await self._apply_roles(None, guild_id, message.author.id, outcome)
        if outcome.held:
            await self._tell_moderators_held(guild_id, message.author.id)
        return outcome.content

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        member_role = self.bot.wiring_for(after.guild).member_role
        if member_role is None or after.bot:
            return
        key = (after.guild.id, after.id)
        if member_role in before.roles and member_role not in after.roles:
            if key in self._gating:  # the bot's own removal ([gate] enforce), not a moderator's decision
                self._gating.discard(key)
                return
            # Someone (a moderator, another bot) took the member role away: respected until a
            # moderator allows it again, whatever the person does (a new yes, a rejoin, /mydata delete).
            async with self.bot.sessions() as session, session.begin():
                await repo.hold_member_role(session, after.guild.id, after.id, self.bot.clock.now())
        elif member_role not in before.roles and member_role in after.roles:
            if key in self._own_grants:  # the bot's grant after a yes: no query on the newcomer's path
                self._own_grants.discard(key)
                return
            await self._check_yes(after, member_role)

    async def _check_yes(self, member: discord.Member, member_role: discord.Role) -> None:
        """The member role given by other means (an invite that grants roles, another bot, by hand):
        without a recorded yes, moderators get one line with a button to send the onboarding, and
        with [gate] enforce the role is taken off until the person finishes it."""
        async with self.bot.sessions() as session:
            if await repo.get_membership(session, member.guild.id, member.id) is not None:
                return  # said yes (the bot's own grant lands here too)
        mod_log = self.bot.wiring_for(member.guild).mod_log_channel
        enforce = self.bot.settings.gate.enforce
        text = (logic.NO_YES_ENFORCED if enforce else logic.NO_YES_NOTICED).format(user=member.mention)
        if mod_log is not None:
            try:
                await mod_log.send(text, view=views.invite_view(member.guild.id, member.id),
                                   allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.warning("could not post to the mod-log channel of guild %s", member.guild.id)
        if enforce and await self.take_member_role(member, member_role):
            await self._send_onboarding(member)

    async def take_member_role(self, member: discord.Member, member_role: discord.Role) -> bool:
        """[gate] enforce: take the role off until their yes (the bot's own removal, so no moderator's hold)."""
        key = (member.guild.id, member.id)
        self._gating.add(key)
        try:
            await member.remove_roles(member_role, reason="No recorded yes to the agreements ([gate] enforce)")
        except discord.HTTPException:
            self._gating.discard(key)
            log.warning("could not take the member role off user %s in guild %s", member.id, member.guild.id)
            return False
        return True

    async def on_invite_click(self, interaction: discord.Interaction, guild_id: int, user_id: int) -> None:
        moderator = self.bot.require_moderator(interaction)  # before any lookup
        member = moderator.guild.get_member(user_id) if moderator.guild.id == guild_id else None
        if member is None:
            raise NotFound("They are no longer in the server.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        said = await self._send_onboarding(member, moderator)
        await interaction.followup.send(f"Onboarding sent to {member.mention}. {said}", ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        self.flows.forget((payload.guild_id, payload.user.id))
        self._asking.pop((payload.guild_id, payload.user.id), None)
        async with self.bot.sessions() as session, session.begin():
            await repo.delete_progress(session, payload.guild_id, payload.user.id)
            await repo.delete_membership(session, payload.guild_id, payload.user.id)

    # --- slash commands ------------------------------------------------------------------------

    @group.command(name="start", description="Start (or continue) onboarding: our agreements, step by step")
    async def start_command(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        await self._start_ephemeral(interaction, interaction.guild.id)

    @moderate.command(name="restart", description="walk a member through onboarding again")
    @app_commands.describe(member="Who should go through onboarding again")
    async def restart_command(self, interaction: discord.Interaction, member: discord.Member) -> None:
        moderator = self.bot.require_moderator(interaction)
        if member.bot:
            raise BadInput("Bots don't go through onboarding.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        said = await self._send_onboarding(member, moderator)
        await interaction.followup.send(
            f"Onboarding restarted for {member.mention}. {said} Their roles stay as they are.", ephemeral=True)

    async def _send_onboarding(self, member: discord.Member, moderator: discord.Member | None = None) -> str:
        """Start someone's onboarding from step 1 and send it; says where it went."""
        async with self.bot.sessions() as session, session.begin():
            row = await repo.start_progress(session, member.guild.id, member.id,
                                            content_version=self.bot.content.version, now=self.bot.clock.now())
            outcome = self._render_row(row, self._steps(row, None))
            await audit.record(session, member.guild.id, moderator.id if moderator else None, "onboarding.restart",
                               f"user:{member.id}")
        where = await self._deliver_first(member, outcome)
        return {"dm": "I sent them the first step by direct message.",
                "closed": "I couldn't send them a direct message; they can continue from the \"Start here\" "
                          "message in the welcome channel (only they see their steps).",
                "retry": "Discord had a hiccup sending their direct message; I'll try again in a moment."}[where]

    @moderate.command(name="allow", description="Let someone whose member role was removed hold it again")
    @app_commands.describe(member="The person moderators removed the member role from")
    async def allow_command(self, interaction: discord.Interaction, member: discord.Member) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        async with self.bot.sessions() as session, session.begin():
            lifted = await repo.release_member_role(session, guild.id, member.id)
            membership = await repo.get_membership(session, guild.id, member.id)
            said_yes = membership is not None and membership.content_version == self.bot.content.version
            if lifted:
                await audit.record(session, guild.id, moderator.id, "onboarding.allow", f"user:{member.id}")
        if not lifted:
            await interaction.response.send_message(logic.ALLOW_NOTHING.format(member=member.mention),
                                                    ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = logic.ALLOWED_LATER
        if said_yes:
            granted = await self._apply_roles(None, guild.id, member.id, Outcome("", grant=True, reaffirm=True))
            text = logic.ALLOWED_GIVEN if granted else logic.ALLOWED_NOT_GIVEN
        await interaction.followup.send(text.format(member=member.mention), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    @moderate.command(name="status", description="where someone is in onboarding")
    @app_commands.describe(member="The person to look up")
    async def status_command(self, interaction: discord.Interaction, member: discord.Member) -> None:
        self.bot.require_moderator(interaction)
        async with self.bot.sessions() as session:
            row = await repo.get_progress(session, member.guild.id, member.id)
            membership = await repo.get_membership(session, member.guild.id, member.id)
            lines = [f"**Onboarding status of {member.mention}**"]
            if membership is not None:
                lines.append(f"• Member since {discord.utils.format_dt(membership.accepted_at, 'D')} "
                             f"(agreements version {membership.content_version})")
                if membership.reaffirm_requested_version:
                    lines.append(f"• Asked to reaffirm version {membership.reaffirm_requested_version}")
            if row is None:
                lines.append("• No onboarding in progress.")
            else:
                steps = self._steps(row, membership)
                index = logic.clamp_step(row.step_index, len(steps))
                kind = " (reaffirmation)" if row.reaffirm_from_version else ""
                lines.append(f"• Status: {row.status.replace('_', ' ')}{kind}; step {index + 1} of {len(steps)} — "
                             f"{steps[index].heading}")
                lines.append(f"• Started {discord.utils.format_dt(row.started_at, 'R')}, last active "
                             f"{discord.utils.format_dt(row.updated_at, 'R')}; via "
                             f"{'direct messages' if row.surface == logic.SURFACE_DM else 'the welcome channel'}")
                if row.declined_count:
                    lines.append(f"• Said \"not yet\" {row.declined_count} time(s)")
                if row.reminded_at:
                    lines.append(f"• Reminder sent {discord.utils.format_dt(row.reminded_at, 'R')}")
        await interaction.response.send_message("\n".join(lines), ephemeral=True, allowed_mentions=NO_MENTIONS)

    @moderate.command(name="stats", description="onboarding numbers")
    async def stats_command(self, interaction: discord.Interaction) -> None:
        moderator = self.bot.require_moderator(interaction)
        async with self.bot.sessions() as session:
            rows = await repo.progress_in_guild(session, moderator.guild.id)
            members = await repo.memberships_in_guild(session, moderator.guild.id)
        facts = [logic.ProgressFacts(r.status, r.updated_at, r.declined_count, bool(r.reaffirm_from_version))
                 for r in rows]
        stats = logic.compute_stats(facts, [(m.content_version, m.reaffirm_requested_version) for m in members],
                                    self.bot.content.version, self.bot.clock.now(),
                                    self.bot.settings.onboarding.stalled_after_days)
        await interaction.response.send_message(
            logic.render_stats(stats, self.bot.content.version, self.bot.settings.onboarding.stalled_after_days),
            ephemeral=True)

    @moderate.command(name="reaffirm", description="ask members to confirm the updated agreements")
    async def reaffirm_command(self, interaction: discord.Interaction) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        await interaction.response.defer(ephemeral=True, thinking=True)
        version = self.bot.content.version
        now = self.bot.clock.now()
        to_ask: list[tuple[discord.Member, Outcome]] = []
        async with self.bot.sessions() as session, session.begin():
            for membership in await repo.outdated_memberships(session, guild.id, version):
                member = guild.get_member(membership.user_id)
                if member is None:
                    continue
                membership.reaffirm_requested_version = version
                row = await repo.start_progress(session, guild.id, member.id, content_version=version, now=now,
                                                reaffirm_from_version=membership.content_version)
                to_ask.append((member, self._render_row(row, self._steps(row, membership))))
            await audit.record(session, guild.id, moderator.id, "onboarding.reaffirm", f"version:{version}")
        if not to_ask:
            await interaction.followup.send(
                f"Everyone has already accepted (or been asked about) version {version}. Nothing to do.",
                ephemeral=True)
            return
        closed = 0
        for member, outcome in to_ask:
            try:
                with pacing.background():
                    await member.send(outcome.content, view=outcome.view or discord.utils.MISSING,
                                      allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                closed += 1
        extra = (f" {closed} of them have closed DMs; they can use `/onboarding start` in the server."
                 if closed else "")
        await interaction.followup.send(
            f"Asked {len(to_ask)} member(s) to confirm the updated agreements (version {version}).{extra} "
            "Nobody loses their role; `/mod-onboarding stats` shows who is still pending.", ephemeral=True)
