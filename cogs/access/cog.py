"""Access needs (/access request): the Discord side — the command, the forms, the case buttons, routing.

A person picks what they need (and may add a few words) in a form only they can send; the request is
saved (their words encrypted), they are told at once what happens next, then it is put in front of the
moderators in a private thread (or a private channel) by `route`, retried every minute until its
summary is posted. A moderator answers with a button (checked in the bot: anyone else is refused and
nothing changes); the person gets the answer by direct message, and when that can't reach them the
moderator is told. From a request for a recording, a moderator grants the recording exception the way
`/recording allow` does (bot.services[RECORDING]), linked to the request.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot import case_places
from bot.errors import REDACT, BadInput
from bot.i18n import speaking, t, t_server
from bot.jobs import due_jobs_loop
from bot.languages import LANGUAGES
from bot.locks import KeyedLocks
from bot.plaintext import clip
from bot.ui import NO_MENTIONS
from cogs.access import texts, views
from cogs.access.logic import Status, place_name
from cogs.access.service import ACCESS, AccessService, Moderator, Request
from cogs.confidential.keys import RECORDING

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

VOICE_TYPES = (discord.VoiceChannel, discord.StageChannel)


class AccessCog(commands.Cog, name="Access"):
    group = app_commands.Group(name="access", description=texts.GROUP_DESCRIPTION, guild_only=True)

    def __init__(self, bot: CoalitionBot, service: AccessService) -> None:
        self.bot = bot
        self.service = service
        self._routing: KeyedLocks[int] = KeyedLocks()

    async def cog_load(self) -> None:
        self.service.board = self
        self.bot.services.provide(views.ACTIONS, self)
        self.bot.add_dynamic_items(*views.DYNAMIC_ITEMS)
        self.bot.modals.register(views.REQUEST_FORM, self.request_form, where="access request form", redact=True)
        self.bot.modals.register(views.RECORD_FORM, self.recording_form, where="access recording form",
                                 redact=True)
        self.jobs.start()

    async def cog_unload(self) -> None:
        self.jobs.cancel()
        self.bot.modals.unregister(views.REQUEST_FORM)
        self.bot.modals.unregister(views.RECORD_FORM)
        self.bot.remove_dynamic_items(*views.DYNAMIC_ITEMS)
        self.bot.services.remove(views.ACTIONS)
        self.bot.services.remove(ACCESS)
        self.service.board = None

    # --- the person asking -------------------------------------------------------------------------

    @group.command(name="request", description=texts.COMMAND_DESCRIPTION, extras=REDACT)
    async def request(self, interaction: discord.Interaction) -> None:
        if interaction.guild is None:
            raise BadInput(t(texts.IN_SERVER_ONLY))
        await interaction.response.send_modal(views.request_modal(interaction.guild.id, interaction.user.id))

    async def request_form(self, interaction: discord.Interaction, ids: dict[str, Any],
                           fields: dict[str, Any]) -> None:
        detail = str(fields.get(views.DETAIL_FIELD) or "")
        guild = self.bot.get_guild(ids["guild"])
        if guild is None or guild.get_member(interaction.user.id) is None:
            raise BadInput(t(texts.IN_SERVER_ONLY) + AccessService.given_back(detail))
        picked = fields.get(views.NEEDS_FIELD) or []
        needs = [str(v) for v in picked] if isinstance(picked, list) else [str(picked)]
        filed = await self.service.file(guild.id, interaction.user.id, needs, detail,
                                        email=self.bot.content.community.contact_email)
        # The person first (Discord's 3-second deadline), then the moderators' case.
        await interaction.response.send_message(
            t(texts.RECEIVED, number=filed.number, email=self.bot.content.community.contact_email),
            ephemeral=True)
        try:
            await self.route(filed.request_id)
        except Exception:
            log.exception("access: routing request id %s failed; it will be retried", filed.request_id)

    # --- routing -------------------------------------------------------------------------------------

    jobs = due_jobs_loop("access", minutes=1)

    async def run_due_jobs(self) -> None:
        """Route requests that have no place or summary yet (tests call this)."""
        await self.route_pending([g.id for g in self.bot.guilds if self.bot.owns_guild(g.id)])

    @commands.Cog.listener()
    async def on_coalition_guild_ready(self, guild: discord.Guild) -> None:
        try:
            await self.route_pending([guild.id])
        except Exception:
            log.exception("access: routing pending requests for guild %s failed", guild.id)

    async def route_pending(self, guild_ids: list[int]) -> None:
        for request_id in await self.service.unrouted(guild_ids):
            try:
                await self.route(request_id)
            except Exception:
                log.exception("access: routing request id %s failed; will retry", request_id)

    async def route(self, request_id: int) -> bool:
        """Put the request in its private place with its summary, once; True when it is there."""
        async with self._routing.hold(request_id):
            request = await self.service.request(request_id)
            if request is None or (request.thread_id is not None and request.summary_message_id is not None):
                return request is not None
            guild = self.bot.get_guild(request.guild_id)
            if guild is None:
                return False
            place = await self._place(guild, request)
            if place is None:
                await self.bot.modlog.alert_once(guild.id, "access-blocked", self.bot.wiring_for(guild).mod_log_channel,
                                                 t_server(texts.BLOCKED, number=request.number))
                return False
            if request.thread_id != place.id:
                await self.service.set_place(request.request_id, place.id)
            if isinstance(place, discord.Thread):
                await case_places.add_members(place, case_places.moderators_of(self.bot, guild))
            first_button = views.case_buttons(request).children
            custom_id = getattr(first_button[0], "custom_id", None) if first_button else None
            adopted = await case_places.own_message_with(self.bot, place, custom_id) if custom_id else None
            summary = adopted or await place.send(t_server(texts.INTRO, number=request.number),
                                                  embed=views.summary_embed(request),
                                                  view=views.case_buttons(request), allowed_mentions=NO_MENTIONS)
            await self.service.set_summary_message(request.request_id, summary.id)
            log.info("access: request id %s routed", request.request_id)
            return True

    async def _place(self, guild: discord.Guild, request: Request) -> case_places.Place | None:
        found = await case_places.place_by_id(self.bot, guild.id, request.thread_id)
        if found is not None:
            return found
        parent = self.bot.wiring_for(guild).moderators_channel
        if parent is None:
            return None
        name = place_name(request.number)
        token = self.service.place_token(request)
        reason = t_server(texts.PLACE_REASON, number=request.number)
        if case_places.can_make_private_threads(parent):
            return (await case_places.find_own_thread(guild, parent, name)
                    or await case_places.create_private_thread(parent, name, reason))
        if case_places.can_make_channels(guild):
            moderator_role = self.bot.wiring_for(guild).moderator_role
            return case_places.find_own_channel(guild, name, token) or await case_places.create_private_channel(
                guild, parent, name, topic=t_server(texts.PLACE_TOPIC, number=request.number, token=token),
                reason=reason, allow=[moderator_role] if moderator_role is not None else [])
        return None

    async def show_summary(self, request: Request) -> None:
        """Re-render a request's summary in its place (the service's SummaryBoard)."""
        place = await case_places.place_by_id(self.bot, request.guild_id, request.thread_id)
        if place is None or request.summary_message_id is None:
            return
        try:
            await place.get_partial_message(request.summary_message_id).edit(
                embed=views.summary_embed(request), view=views.case_buttons(request), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("access: could not update the summary of request id %s (HTTP %s)", request.request_id,
                        exc.status)

    # --- moderators answering (views.AccessActions) -------------------------------------------------

    def _moderator(self, interaction: discord.Interaction) -> Moderator:
        member = self.bot.require_moderator(interaction)  # checked in the bot, whatever Discord shows
        return Moderator(member.id, member.guild.id, True)

    async def decide(self, interaction: discord.Interaction, request_id: int, decision: Status) -> None:
        request = await self.service.decide(request_id, self._moderator(interaction), decision)
        on_summary = interaction.message is not None and interaction.message.id == request.summary_message_id
        if on_summary:
            await interaction.response.edit_message(embed=views.summary_embed(request),
                                                    view=views.case_buttons(request), allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await self.show_summary(request)
        delivered = await self._tell_requester(request)
        status = t_server(texts.STATUS_LABELS[request.status.value])
        values = {"who": interaction.user.mention, "number": request.number, "status": status}
        if request.requester_id is None:
            line, done = texts.DECIDED_LINE_ERASED, texts.DONE_ERASED
        elif delivered:
            line, done = texts.DECIDED_LINE, texts.DONE
        else:
            line, done = texts.DECIDED_LINE_NOT_DELIVERED, texts.DONE_NOT_DELIVERED
        await case_places.post(await case_places.place_by_id(self.bot, request.guild_id, request.thread_id),
                               t_server(line, **values))
        if not on_summary or not delivered:  # the moderator who clicked learns it was not delivered
            await interaction.followup.send(t_server(done, number=request.number, status=status.lower()),
                                            ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _tell_requester(self, request: Request) -> bool:
        if request.requester_id is None:
            return False
        guild = self.bot.get_guild(request.guild_id)
        sentence = texts.TO_REQUESTER_ARRANGED if request.status is Status.ARRANGED \
            else texts.TO_REQUESTER_NOT_POSSIBLE
        book = self.bot.services.get(LANGUAGES)
        # Their answer in their language (they are not the one clicking: the moderator is).
        with speaking(book.language_of(request.requester_id) if book is not None else None):
            body = t(sentence, number=request.number, server=guild.name if guild else "",
                     needs=views.need_names(request), email=self.bot.content.community.contact_email)
        return await case_places.dm(self.bot, request.requester_id, body)

    # --- a recording exception from a request ---------------------------------------------------------

    async def open_recording_form(self, interaction: discord.Interaction, request_id: int) -> None:
        request = await self.service.check_recording(request_id, self._moderator(interaction))
        _ = self.bot.services[RECORDING]  # recording exceptions switched off: a kind reply before the form opens
        await interaction.response.send_modal(views.recording_modal(request, interaction.user.id))

    async def recording_form(self, interaction: discord.Interaction, ids: dict[str, Any],
                             fields: dict[str, Any]) -> None:
        moderator = self._moderator(interaction)
        guild = interaction.guild
        assert guild is not None  # require_moderator: inside a server
        request = await self.service.check_recording(ids["request"], moderator)
        recording = self.bot.services[RECORDING]
        channel = guild.get_channel(_first_id(fields.get(views.CHANNEL_FIELD)) or 0)
        if not isinstance(channel, VOICE_TYPES):
            raise BadInput(t_server(texts.RECORDING_NOT_VOICE))
        minutes = _first_id(fields.get(views.MINUTES_FIELD)) or 180
        recorder_id = _first_id(fields.get(views.BOT_FIELD))
        recorder = guild.get_member(recorder_id) if recorder_id else None
        if recorder_id and recorder is None:
            raise BadInput(t_server(texts.RECORDING_BOT_GONE))
        reason = recording.check_grant(minutes, t_server(texts.RECORDING_REASON, number=request.number), recorder)
        await interaction.response.defer(ephemeral=True, thinking=True)
        granted = await recording.grant(channel, recorder, reason, moderator.user_id, minutes,
                                        access_request_id=request.request_id)
        request = await self.service.recording_allowed(request.request_id, moderator, channel.id)
        await self.show_summary(request)
        place = await case_places.place_by_id(self.bot, request.guild_id, request.thread_id)
        await case_places.post(place, t_server(
            texts.RECORDING_LINE, who=interaction.user.mention, channel=channel.mention, number=request.number,
            until=format_dt(granted.recording.expires_at, "t")))
        await interaction.followup.send(clip(granted.text), ephemeral=True, allowed_mentions=NO_MENTIONS)


def _first_id(value: Any) -> int | None:
    """The first value of a select as a number (an ID or a choice); None when empty or not a number."""
    first = value[0] if isinstance(value, list) and value else value
    text = str(first or "")
    return int(text) if text.isdigit() else None
