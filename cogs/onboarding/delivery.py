"""Getting the flow to people: the first DM, the welcome channel's "Start here" message, reminders.

REST budget per newcomer on the DM path: open DM + first DM message + ONE member update (grants.py).
The first message is marked delivered only after Discord accepted it; a job on the process that owns
the server delivers what a crash interrupted. If someone's DMs are closed, nothing is said in public:
the "Start here" message serves them, in messages only they see.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

import discord

from bot import i18n, pacing
from bot.client import CoalitionBot
from bot.errors import NotFound
from bot.i18n import speaking, t, t_server
from bot.languages import LANGUAGES
from bot.ui import NO_MENTIONS
from cogs.onboarding import logic, texts, views
from cogs.onboarding.grants import transient
from cogs.onboarding.service import OnboardingService, Screen
from db.repositories import guild_state

log = logging.getLogger(__name__)

CATCH_UP_MARGIN = timedelta(minutes=2)  # joins this long before the bot last saw a server may be missed


@contextlib.contextmanager
def speaking_to(bot: CoalitionBot, user_id: int) -> Iterator[None]:
    """Render what is sent to this person outside their own interaction (a first DM, a reminder, a
    moderator's answer) in their language."""
    with speaking(bot.services[LANGUAGES].language_of(user_id)):
        yield


class Delivery:
    def __init__(self, bot: CoalitionBot, service: OnboardingService, retry_after: Callable[[], timedelta]) -> None:
        self.bot = bot
        self.service = service
        self.retry_after = retry_after
        self.delivering: set[tuple[int, int]] = set()  # (guild, user) pairs this process is delivering to now
        self.start_here: dict[int, int] = {}  # guild -> its "Start here" message

    async def join(self, member: discord.Member) -> None:
        member_role = self.bot.wiring_for(member.guild).member_role
        if member_role is not None and member_role in member.roles:
            return  # already a member (e.g. a role given by other means): never asked again
        if member.pending:
            return  # Rules Screening not passed yet: MemberGateCog (gate.py) starts it when they pass
        self.delivering.add((member.guild.id, member.id))  # before the row exists: no double delivery
        with speaking_to(self.bot, member.id):
            screen = await self.service.join(member.guild.id, member.id)
            await self.deliver_first(member, screen)

    async def send_onboarding(self, member: discord.Member, moderator: discord.Member | None = None) -> str:
        """Start someone's onboarding from step 1 and send it; the sentence that says where it went."""
        where = await self.start_onboarding(member, moderator)
        return t_server({"dm": texts.SENT_BY_DM, "closed": texts.SENT_DMS_CLOSED, "retry": texts.SENT_RETRY}[where])

    async def start_onboarding(self, member: discord.Member, moderator: discord.Member | None = None) -> str:
        """Start someone's onboarding from step 1 and send it: "dm", "closed" or "retry" (see deliver_first)."""
        with speaking_to(self.bot, member.id):  # a moderator's click: the steps in the newcomer's language
            screen = await self.service.restart(member.guild.id, member.id, moderator.id if moderator else None)
            return await self.deliver_first(member, screen)

    async def deliver_first(self, member: discord.Member, screen: Screen) -> str:
        """DM the first step: "dm", "closed" (their DMs are closed) or "retry" (Discord failed)."""
        key = (member.guild.id, member.id)
        self.delivering.add(key)
        try:
            return await self._deliver_first_once(member, screen)
        finally:
            self.delivering.discard(key)

    async def _deliver_first_once(self, member: discord.Member, screen: Screen) -> str:
        guild_id = member.guild.id
        try:
            # First contact goes ahead of everything else queued: a newcomer who has heard
            # nothing is worse off than one who finished and waits a moment for the role.
            with pacing.urgent():
                await member.send(screen.text, view=views.render(screen) or discord.utils.MISSING,
                                  allowed_mentions=NO_MENTIONS)
            await self.service.delivered(guild_id, member.id, logic.SURFACE_DM)
            return "dm"
        except discord.Forbidden:
            pass
        except discord.HTTPException as exc:
            if transient(exc):
                # Discord failed (5xx, or 429 after discord.py's retries): their DMs are not closed,
                # so don't tell them so in the welcome channel. The flow stays "pending" and the job
                # sends the DM again after retry_after_seconds (found by test_chaos_network.py).
                log.warning("first onboarding DM to user %s in guild %s failed (HTTP %s); will retry",
                            member.id, guild_id, exc.status)
                await self.service.delivered(guild_id, member.id, logic.SURFACE_PENDING)
                return "retry"
            log.warning("could not DM onboarding to user %s in guild %s", member.id, guild_id)
        # Their DMs are closed. Nothing is said in public (that would tell everyone, and is theirs to
        # keep): the "Start here" message in the welcome channel serves them, in messages only they see.
        await self.service.delivered(guild_id, member.id, logic.SURFACE_EPHEMERAL)
        return "closed"

    async def redeliver(self, member: discord.Member) -> None:
        # Claim the delivery BEFORE the first await: the start-up catch-up and the job loop walk
        # the same stranded rows concurrently, and both used to read "pending" and DM the person
        # twice (found by tests/e2e/test_chaos_kill9.py).
        key = (member.guild.id, member.id)
        if key in self.delivering:
            return
        self.delivering.add(key)
        try:
            with speaking_to(self.bot, member.id):
                screen = await self.service.undelivered_screen(member.guild.id, member.id)
                if screen is not None:
                    await self.deliver_first(member, screen)
        finally:
            self.delivering.discard(key)

    async def redeliver_stranded(self, guild: discord.Guild) -> None:
        """First messages a crash interrupted (not in flight in this process)."""
        for user_id in await self.service.stranded(guild.id, self.bot.clock.now() - self.retry_after()):
            newcomer = guild.get_member(user_id)
            if newcomer is not None and (guild.id, user_id) not in self.delivering:
                await self.redeliver(newcomer)

    async def catch_up(self, guild: discord.Guild) -> None:
        """After a (re)start: onboard people who joined while the bot was away, and finish first
        messages a crash interrupted."""
        member_role = self.bot.wiring_for(guild).member_role
        present = [(m.id, m.joined_at) for m in guild.members
                   if not m.bot and (member_role is None or member_role not in m.roles) and not m.pending
                   and (guild.id, m.id) not in self.delivering]  # on_member_join has it already
        missed = await self.service.catch_up(guild.id, present, CATCH_UP_MARGIN)
        await self.keep_start_here(guild)
        if missed:
            log.info("catching up on %d join(s) missed while the bot was away (guild %s)", len(missed), guild.id)
        for user_id in missed:
            member = guild.get_member(user_id)
            if member is not None:
                await self.redeliver(member)
        await self.redeliver_stranded(guild)

    async def keep_start_here(self, guild: discord.Guild) -> None:
        """Make sure the welcome channel has ONE current "Start here" message: edit the stored one
        (its text follows the content file), post it again only if it was deleted."""
        channel = self.bot.wiring_for(guild).welcome_channel
        # A shared post: in the server's language.
        community = self.bot.content.localized(i18n.server_language()).community
        text = t_server(texts.START_HERE, name=community.name, minutes=community.minutes_to_complete)
        # Each other language the content is written in gets a line and a button in its own words.
        others = [code for code in self.bot.content.languages if code != i18n.server_language()]
        hints = []
        for code in others:
            with speaking(code):
                hints.append(t(texts.START_IN_HINT))
        text = "\n\n".join([text, *hints])
        view = views.start_here_view(guild.id, others)
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
                    self.start_here[guild.id] = message_id
                    return
                except discord.NotFound:
                    pass  # deleted (or the channel changed): post a new one
            with pacing.background():
                posted = await channel.send(text, view=view, allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, NotFound):
            await self.bot.modlog.alert_once(guild.id, "onboarding-start-here",
                                             self.bot.wiring_for(guild).mod_log_channel,
                                             t_server(texts.START_HERE_FAILED))
            return
        self.start_here[guild.id] = posted.id
        async with self.bot.sessions() as session, session.begin():
            await guild_state.set_start_here_message(session, guild.id, posted.id, self.bot.clock.now())

    async def message_deleted(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Someone deleted the "Start here" message: put it back at once."""
        guild = self.bot.get_guild(payload.guild_id) if payload.guild_id else None
        if guild is not None and self.start_here.get(guild.id) == payload.message_id:
            del self.start_here[guild.id]
            await self.keep_start_here(guild)

    async def send_reminders(self) -> None:
        hours = self.bot.settings.onboarding.reminder_after_hours
        # Another shard's server, or one not available yet, is left for its process.
        due = await self.service.due_reminders(hours, lambda guild_id: self.bot.get_guild(guild_id) is not None)
        for guild_id, user_id in due:
            guild = self.bot.get_guild(guild_id)
            member = guild.get_member(user_id) if guild else None
            if member is None:
                continue
            with speaking_to(self.bot, user_id):
                text = t(texts.REMINDER, name=member.display_name,
                         community=self.bot.content.localized().community.name)
            try:
                with pacing.background():
                    await member.send(text, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.info("could not send an onboarding reminder (guild=%s user=%s)", guild_id, user_id)
