"""Onboarding's Discord adapter: listeners, commands and jobs, each a few lines calling the service.

The journeys live beside it: delivery.py (first DM, "Start here", reminders), grants.py (the member
role), questions.py (questions to the moderators). Every decision is the service's (service.py);
every sentence is in texts.py; views.py renders the service's screens.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot import pacing
from bot.client import CoalitionBot
from bot.dm_router import DmDestination
from bot.errors import BadInput, NotFound
from bot.i18n import set_current, speaking, t, t_server
from bot.jobs import due_jobs_loop
from bot.languages import LANGUAGES
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.language import texts as language_texts
from cogs.onboarding import step_back_texts, step_back_views, texts, views
from cogs.onboarding.delivery import Delivery
from cogs.onboarding.gate import ONBOARDING_GATE
from cogs.onboarding.grants import Grants
from cogs.onboarding.questions import Questions
from cogs.onboarding.service import ONBOARDING, Grant, OnboardingService, Result
from cogs.onboarding.stepping_back import SteppingBack

DM_KEY = "onboarding"  # this feature's name in bot.dm_router
TOUCH_EVERY = timedelta(seconds=60)


class OnboardingCog(commands.Cog, name="Onboarding"):
    group = app_commands.Group(name="onboarding", description=texts.CMD_ONBOARDING,
                               guild_only=True)
    moderate = app_commands.Group(name="mod-onboarding", description=texts.CMD_MOD_ONBOARDING,
                                  guild_only=True, default_permissions=MODERATOR_COMMANDS)
    membership = app_commands.Group(name="membership", description=texts.CMD_MEMBERSHIP,
                                    guild_only=True)

    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot
        self.service = OnboardingService(bot.sessions, bot.content, bot.clock)
        self.flows = self.service.flows
        self.delivery = Delivery(bot, self.service, lambda: self._retry_after)
        self.grants = Grants(bot, self.service, self.delivery.send_onboarding)
        self.questions = Questions(bot, self.service)
        self.stepping_back = SteppingBack(bot, self.service, self.grants)
        self._jobs_lock = asyncio.Lock()
        self._touched: dict[int, datetime] = {}

    @property
    def _retry_after(self) -> timedelta:
        """A grant or first delivery not confirmed within this time is retried by the job
        ([onboarding] retry_after_seconds: 30 s by default; the chaos tests set it lower)."""
        return timedelta(seconds=self.bot.settings.onboarding.retry_after_seconds)

    async def cog_load(self) -> None:
        self.bot.services.provide(ONBOARDING, self.service)
        self.bot.services.provide(views.ACTIONS, self)
        self.bot.services.provide(ONBOARDING_GATE, self)
        self.bot.add_dynamic_items(*views.DYNAMIC_ITEMS, *step_back_views.DYNAMIC_ITEMS)
        self.bot.services.provide(step_back_views.STEPPING_BACK, self.stepping_back)
        self.bot.modals.register(step_back_views.REASON_FORM, self.stepping_back.reason_form,
                                 where="step back reason form", redact=True)
        self.bot.modals.register(views.QUESTION_FORM, self._question_form, where="onboarding question form",
                                 not_yours=texts.NOT_YOUR_FORM)
        self.bot.modals.register(views.ANSWER_FORM, self._answer_form, where="onboarding answer form")
        self.bot.dm_router.register(DM_KEY, self)
        self.jobs.start()

    async def cog_unload(self) -> None:
        self.bot.dm_router.unregister(DM_KEY)
        self.jobs.cancel()
        await self.flows.drain()
        self.bot.remove_dynamic_items(*views.DYNAMIC_ITEMS, *step_back_views.DYNAMIC_ITEMS)
        self.bot.modals.unregister(step_back_views.REASON_FORM)
        self.bot.services.remove(step_back_views.STEPPING_BACK)
        self.bot.modals.unregister(views.QUESTION_FORM)
        self.bot.modals.unregister(views.ANSWER_FORM)
        self.bot.services.remove(views.ACTIONS)
        self.bot.services.remove(ONBOARDING_GATE)
        self.bot.services.remove(ONBOARDING)

    # --- background work -------------------------------------------------------------

    jobs = due_jobs_loop("onboarding", seconds=5)

    async def run_due_jobs(self) -> None:
        """Flush due mod-log welcome notes and send due reminders (tests call this directly)."""
        async with self._jobs_lock:
            await self.grants.flush_welcomes()
            await self.delivery.send_reminders()
            await self.grants.retry_owed(self._retry_after)
            for guild in self.bot.guilds:
                await self.delivery.redeliver_stranded(guild)
            await self._touch_guilds()

    async def _touch_guilds(self, force: bool = False) -> None:
        """Remember when the bot last saw each server (one small write a minute per server)."""
        now = self.bot.clock.now()
        # Only servers whose catch-up already ran in this process (else a touch would hide missed joins).
        due = [g.id for g in self.bot.guilds if g.id in self._touched
               and (force or now - self._touched[g.id] >= TOUCH_EVERY)]
        if due:
            await self.service.touch(due, now)
            self._touched.update(dict.fromkeys(due, now))

    # --- listeners -------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_coalition_guild_ready(self, guild: discord.Guild) -> None:
        if self.bot.settings.onboarding.enabled:
            self._touched[guild.id] = self.bot.clock.now()
            await self.delivery.catch_up(guild)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.delivery.message_deleted(payload)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if not member.bot and self.bot.settings.onboarding.enabled:
            await self.delivery.join(member)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        await self.grants.member_updated(before, after)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.service.left(payload.guild_id, payload.user.id)

    @membership.command(name="step-back", description=step_back_texts.COMMAND_DESCRIPTION)
    async def step_back(self, interaction: discord.Interaction) -> None:
        await self.stepping_back.ask(interaction)

    # --- what gate.py asks for (its Onboarding protocol, under ONBOARDING_GATE) --------------------

    async def take_member_role(self, member: discord.Member, member_role: discord.Role) -> bool:
        return await self.grants.take_member_role(member, member_role)

    async def start_onboarding(self, member: discord.Member, moderator: discord.Member | None = None) -> str:
        return await self.delivery.start_onboarding(member, moderator)

    # --- what the buttons ask for (views.Actions) ---------------------------------------------

    async def step_click(self, interaction: discord.Interaction, action: str, guild_id: int, step: int) -> None:
        if action == "ask":
            await self.questions.open_form(interaction, guild_id, step)
            return
        grantable = self.bot.get_guild(guild_id) is not None
        result = await self.service.click(guild_id, interaction.user.id, action, step, grantable)
        await interaction.response.edit_message(content=result.screen.text, view=views.render(result.screen),
                                                allowed_mentions=NO_MENTIONS)
        await self._after_yes(interaction, interaction.user.id, result)

    async def _after_yes(self, where: discord.Interaction | None, user_id: int, result: Result) -> None:
        if result.grant is not None:
            await self.grants.apply(where, result.guild_id, user_id, result.grant)
        if result.held:
            await self.grants.tell_moderators_held(result.guild_id, user_id)

    async def coi_pick(self, interaction: discord.Interaction, guild_id: int, step: int, values: list[str]) -> None:
        screen = await self.service.pick_coi(guild_id, interaction.user.id, step, values)
        await interaction.response.edit_message(content=screen.text, view=views.render(screen),
                                                allowed_mentions=NO_MENTIONS)

    async def start(self, interaction: discord.Interaction, guild_id: int, language: str | None = None) -> None:
        """Resume (or begin) this person's flow in a message only they can see; in `language` (their
        choice from the "Start here" post, kept) when given."""
        user = interaction.user
        if language is not None:
            await self.bot.services[LANGUAGES].choose(user.id, language)
            set_current(language)
        role = self.bot.wiring_for(user.guild).member_role if isinstance(user, discord.Member) else None
        has_role = isinstance(user, discord.Member) and role is not None and role in user.roles
        screen = await self.service.resume(guild_id, user.id, has_role)
        if screen is None:
            await interaction.response.send_message(t(texts.ALREADY_MEMBER), ephemeral=True)
            return
        await interaction.response.send_message(screen.text, view=views.render(screen) or discord.utils.MISSING,
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def pick_language(self, interaction: discord.Interaction, guild_id: int, language: str) -> None:
        """"English" / "Español" under the first step: kept, then the same step again in that language."""
        await self.bot.services[LANGUAGES].choose(interaction.user.id, language)  # saved before we say so
        set_current(language)
        screen = await self.service.current_screen(guild_id, interaction.user.id, note=t(language_texts.SAVED))
        await interaction.response.edit_message(content=screen.text, view=views.render(screen),
                                                allowed_mentions=NO_MENTIONS)

    async def invite(self, interaction: discord.Interaction, guild_id: int, user_id: int) -> None:
        moderator = self.bot.require_moderator(interaction)  # before any lookup
        member = moderator.guild.get_member(user_id) if moderator.guild.id == guild_id else None
        if member is None:
            raise NotFound(t_server(texts.GONE_FROM_SERVER))
        await interaction.response.defer(ephemeral=True, thinking=True)
        said = await self.delivery.send_onboarding(member, moderator)
        await interaction.followup.send(t_server(texts.INVITED, member=member.mention, said=said), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    async def _question_form(self, interaction: discord.Interaction, ids: dict[str, int],
                             fields: dict[str, object]) -> None:
        text = str(fields.get(views.QUESTION_FIELD, ""))
        await self.questions.submitted(interaction, ids["guild"], ids["step"], text)

    async def _answer_form(self, interaction: discord.Interaction, ids: dict[str, int],
                           fields: dict[str, object]) -> None:
        await self.questions.answered(interaction, ids["question"], str(fields.get(views.ANSWER_FIELD, "")))

    # --- typed answers in DMs (bot.dm_router decides whether a DM is one) --------------------

    async def dm_destinations(self, message: discord.Message) -> list[DmDestination]:
        if not await self.service.awaits_typed_answer(message.author.id):
            return []
        description = t(texts.DM_DESCRIPTION, name=self.bot.content.localized().community.name)
        return [DmDestination(DM_KEY, t(texts.DM_LABEL), description)]

    async def deliver_dm(self, message: discord.Message, key: str) -> str | None:
        # The text is used only for the yes-check: never stored, never logged.
        result = await self.service.typed_answer(message.author.id, message.content,
                                                 lambda guild_id: self.bot.get_guild(guild_id) is not None)
        if result is None:
            return None
        # Grant before replying: the reply waits in the pacing queue, and a grant left owed
        # that long would be picked up by the retry job as well.
        await self._after_yes(None, message.author.id, result)
        return result.screen.text

    # --- slash commands ------------------------------------------------------------------------

    @group.command(name="start", description=texts.CMD_START)
    async def start_command(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        await self.start(interaction, interaction.guild.id)

    @moderate.command(name="restart", description=texts.CMD_RESTART)
    @app_commands.describe(member=texts.OPT_RESTART_MEMBER)
    async def restart_command(self, interaction: discord.Interaction, member: discord.Member) -> None:
        moderator = self.bot.require_moderator(interaction)
        if member.bot:
            raise BadInput(t_server(texts.NO_BOTS))
        await interaction.response.defer(ephemeral=True, thinking=True)
        said = await self.delivery.send_onboarding(member, moderator)
        await interaction.followup.send(t_server(texts.RESTARTED, member=member.mention, said=said), ephemeral=True)

    @moderate.command(name="allow", description=texts.CMD_ALLOW)
    @app_commands.describe(member=texts.OPT_ALLOW_MEMBER)
    async def allow_command(self, interaction: discord.Interaction, member: discord.Member) -> None:
        moderator = self.bot.require_moderator(interaction)
        allowed = await self.service.allow(moderator.guild.id, member.id, moderator.id)
        if not allowed.lifted:
            await interaction.response.send_message(t_server(texts.ALLOW_NOTHING, member=member.mention),
                                                    ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = texts.ALLOWED_LATER
        if allowed.said_yes:
            # reaffirm: no welcome note, they were a member before
            granted = await self.grants.apply(None, moderator.guild.id, member.id, Grant(reaffirm=True))
            text = texts.ALLOWED_GIVEN if granted else texts.ALLOWED_NOT_GIVEN
        await interaction.followup.send(t_server(text, member=member.mention), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    @moderate.command(name="status", description=texts.CMD_STATUS)
    @app_commands.describe(member=texts.OPT_STATUS_MEMBER)
    async def status_command(self, interaction: discord.Interaction, member: discord.Member) -> None:
        self.bot.require_moderator(interaction)
        status = await self.service.status(member.guild.id, member.id)
        await interaction.response.send_message(views.status_text(status, member.mention), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @moderate.command(name="stats", description=texts.CMD_STATS)
    async def stats_command(self, interaction: discord.Interaction) -> None:
        moderator = self.bot.require_moderator(interaction)
        text = await self.service.stats(moderator.guild.id, self.bot.settings.onboarding.stalled_after_days)
        await interaction.response.send_message(text, ephemeral=True)

    @moderate.command(name="reaffirm", description=texts.CMD_REAFFIRM)
    async def reaffirm_command(self, interaction: discord.Interaction) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        await interaction.response.defer(ephemeral=True, thinking=True)
        version = self.bot.content.version
        book = self.bot.services[LANGUAGES]
        asked = await self.service.reaffirm(guild.id, moderator.id, lambda uid: guild.get_member(uid) is not None,
                                            book.language_of)  # each member's screen in their language
        if not asked:
            await interaction.followup.send(t_server(texts.REAFFIRM_NOTHING, version=version), ephemeral=True)
            return
        closed = 0
        for user_id, screen in asked:
            member = guild.get_member(user_id)
            try:
                if member is None:
                    raise NotFound(t_server(texts.GONE_FROM_SERVER))
                with pacing.background(), speaking(book.language_of(user_id)):  # their buttons too
                    await member.send(screen.text, view=views.render(screen) or discord.utils.MISSING,
                                      allowed_mentions=NO_MENTIONS)
            except (discord.HTTPException, NotFound):
                closed += 1
        template = texts.REAFFIRM_ASKED_SOME_CLOSED if closed else texts.REAFFIRM_ASKED
        await interaction.followup.send(t_server(template, count=len(asked), version=version, closed=closed),
                                        ephemeral=True)

