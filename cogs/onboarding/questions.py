"""Questions to the moderators: the newcomer's form, its post in the moderators' channel, the answer by DM.

A few open questions per person, a short pause between two, only while they are in the server (the
service's rule; being in the server may need Discord, asked before any transaction opens). A form
refused at submit hands the typed text back: Discord has closed the form, and nothing typed is lost.
"""

from __future__ import annotations

import io
import logging

import discord

from bot.client import CoalitionBot
from bot.errors import BadInput, NotFound
from bot.i18n import t, t_server
from bot.locks import KeyedLocks
from bot.plaintext import clip, plain
from bot.ui import NO_MENTIONS
from bot.wiring import configured_id
from cogs.onboarding import texts, views
from cogs.onboarding.delivery import speaking_to
from cogs.onboarding.service import OnboardingService
from db.repositories import guild_wiring

log = logging.getLogger(__name__)


class Questions:
    def __init__(self, bot: CoalitionBot, service: OnboardingService) -> None:
        self.bot = bot
        self.service = service
        self.asking: KeyedLocks[tuple[int, int]] = KeyedLocks()  # one submission at a time per person

    async def open_form(self, interaction: discord.Interaction, guild_id: int, step: int) -> None:
        refusal = await self.refusal(guild_id, interaction.user.id)
        if refusal:  # the button answers kindly instead of opening a form that would be refused
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.send_modal(views.question_modal(guild_id, step, interaction.user.id))

    async def refusal(self, guild_id: int, user_id: int) -> str:
        """Why this person can't ask another question now ("" when they can)."""
        if not await self._in_server(guild_id, user_id):
            return t(texts.QUESTION_NOT_IN_SERVER)
        settings = self.bot.settings.onboarding
        return await self.service.question_refusal(guild_id, user_id, settings.max_open_questions,
                                                   settings.question_cooldown_seconds)

    async def _in_server(self, guild_id: int, user_id: int) -> bool:
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            return guild.get_member(user_id) is not None
        try:  # another shard's server (a DM click arrives on shard 0): ask Discord, through the public API
            await (await self.bot.fetch_guild(guild_id, with_counts=False)).fetch_member(user_id)
        except discord.NotFound:
            return False
        except discord.HTTPException:
            return True  # Discord failed, not a departure: don't turn a newcomer away for it
        return True

    async def submitted(self, interaction: discord.Interaction, guild_id: int, step: int, text: str) -> None:
        text = text.strip()
        if not text:
            raise BadInput(t(texts.QUESTION_EMPTY))
        user_id = interaction.user.id
        # One at a time per person: fifteen forms sent at once must not all pass the check first.
        async with self.asking.hold((guild_id, user_id)):
            refusal = await self.refusal(guild_id, user_id)
            if refusal:  # nothing saved; their form is closed, so their text goes back to them
                await interaction.response.send_message(
                    t(texts.QUESTION_GIVEN_BACK, refusal=refusal), ephemeral=True, allowed_mentions=NO_MENTIONS,
                    file=discord.File(io.BytesIO(text.encode()), filename="my-question.txt"))
                return
            asked = await self.service.ask(guild_id, user_id, step, self.bot.cipher.encrypt(text))
        if interaction.message is not None:
            await interaction.response.edit_message(content=asked.screen.text, view=views.render(asked.screen),
                                                    allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(t(texts.QUESTION_SENT), ephemeral=True)
        template = texts.QUESTION_POST if asked.where else texts.QUESTION_POST_NO_FLOW
        post = clip(t_server(template, user=f"<@{user_id}>", where=asked.where, text=plain(text)))
        channel = await self._moderators_channel(guild_id)
        try:
            if channel is None:
                raise NotFound("no moderators channel")
            posted = await channel.send(post, view=views.reply_view(asked.question_id), allowed_mentions=NO_MENTIONS)
            await self.service.set_question_post(asked.question_id, posted.channel.id, posted.id)
        except (discord.HTTPException, NotFound):
            await interaction.followup.send(
                t(texts.QUESTION_NOT_POSTED, email=self.bot.content.localized().community.contact_email),
                ephemeral=True)

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

    async def answered(self, interaction: discord.Interaction, question_id: int, answer: str) -> None:
        moderator = self.bot.require_moderator(interaction)
        answer = answer.strip()
        if not answer:
            raise BadInput(t_server(texts.ANSWER_EMPTY))
        found = await self.service.question_text(question_id, moderator.guild.id)
        if found is None:
            raise NotFound(t_server(texts.QUESTION_GONE))
        user_id, asked = found[0], self.bot.cipher.decrypt(found[1])
        await interaction.response.defer()  # type 6: the moderators' message is edited below, no new call
        user = self.bot.get_user(user_id)
        with speaking_to(self.bot, user_id):  # the newcomer reads it in their language
            text = clip(t(texts.ANSWER_DM, community=self.bot.content.localized().community.name,
                          answer=plain(answer)))
        try:
            if user is None:
                user = await self.bot.fetch_user(user_id)
            await user.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            await interaction.followup.send(t_server(texts.ANSWER_NOT_DELIVERED), ephemeral=True)
            return
        await self.service.answered(moderator.guild.id, question_id, moderator.id)
        try:
            await interaction.edit_original_response(
                content=clip(t_server(texts.QUESTION_ANSWERED_POST, user=f"<@{user_id}>", text=plain(asked),
                                      moderator=f"<@{moderator.id}>")),
                view=None, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.info("could not mark onboarding question %s as answered", question_id)
        await interaction.followup.send(t_server(texts.ANSWER_SENT), ephemeral=True)
