"""What privacy does on Discord, shared by its cogs: taking an erased person off the bot's own
messages and roles, and removing a purged case's thread. Decisions and storage are the service's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.client import CoalitionBot
from bot.i18n import t_server
from bot.ui import NO_MENTIONS
from cogs.access.service import ACCESS
from cogs.privacy import texts
from cogs.repair.service import REPAIR
from db.repositories import privacy as repo

log = logging.getLogger(__name__)


class PrivacyActions:
    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot

    def name_of(self, guild_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild is not None else None

    def still_member(self, guild_id: int, user_id: int) -> bool:
        guild = self.bot.get_guild(guild_id)
        return guild is not None and guild.get_member(user_id) is not None

    async def remove_managed_roles(self, user_id: int, guild_id: int | None) -> tuple[int, int]:
        """Remove the COI roles the bot manages (the tags they mirror are being erased)."""
        guilds = [g for g in self.bot.guilds if guild_id is None or g.id == guild_id]
        removed = failed = 0
        for guild in guilds:
            member = guild.get_member(user_id)
            if member is None:
                continue
            roles = [r for r in self.bot.wiring_for(guild).coi_roles.values() if r in member.roles]
            if not roles:
                continue
            try:
                await member.remove_roles(*roles, reason=t_server(texts.ROLES_REASON))
                removed += len(roles)
            except discord.HTTPException as exc:
                failed += len(roles)
                log.warning("could not remove COI roles in guild %s after an erasure (HTTP %s)", guild.id,
                            exc.status)
        return removed, failed

    async def erase_shown(self, shown: repo.Shown) -> None:
        """Take the person off the bot's own messages, as their rows were: named case summaries are
        re-rendered ("Former member"), "@them wrote" lines lose the name, onboarding question posts
        are deleted. Anonymous cases are left exactly as they are: any change there at the moment
        someone erases their data would tell moderators who filed it."""
        await self.refresh_case_summaries(shown.named_case_ids)
        access = self.bot.services.get(ACCESS)  # None when access needs are switched off
        if access is not None and shown.access_request_ids:
            await access.refresh_summaries(shown.access_request_ids)  # "Former member", their words gone
        for channel_id, message_id, number in shown.relay_posts:
            await self._edit_or_delete(channel_id, message_id, t_server(texts.FORMER_MEMBER_WROTE, number=number))
        for channel_id, message_id in shown.question_posts:
            await self._edit_or_delete(channel_id, message_id, None)

    async def refresh_case_summaries(self, case_ids: Sequence[int]) -> None:
        """The posted case summaries are the bot's own messages: re-render them so the
        erased requester's mention is gone there too ("Former member"). Named cases only."""
        repair = self.bot.services.get(REPAIR)  # None when repair is switched off
        if repair is not None and case_ids:
            await repair.refresh_summaries(case_ids)

    async def _edit_or_delete(self, channel_id: int, message_id: int, content: str | None) -> None:
        message = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            if content is None:
                await message.delete()
            else:
                await message.edit(content=content, allowed_mentions=NO_MENTIONS)
        except discord.NotFound:
            pass
        except discord.HTTPException as exc:
            log.warning("could not take an erased person off a message in channel %s (HTTP %s)", channel_id,
                        exc.status)

    async def delete_case_place(self, guild_id: int, thread_id: int | None, *, prefix: str = "case-") -> int:
        """A purged case's place goes too (it holds the summary and the conversation): its private
        thread, or its private channel (named `prefix`N: a repair case, or an access request). The ID is
        one the bot stored when it created the place (routing never adopts a place by name alone)."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or thread_id is None:
            return 0
        place: discord.abc.Snowflake | None = guild.get_channel_or_thread(thread_id)
        try:
            if place is None:
                place = await self.bot.fetch_channel(thread_id)
            # Belt and braces: only a case's thread or channel, never another channel by mistake.
            if not isinstance(place, (discord.Thread, discord.TextChannel)) or not place.name.startswith(prefix):
                return 0
            await place.delete()
            return 1
        except discord.NotFound:
            return 0
        except discord.HTTPException as exc:
            log.warning("could not delete a purged case's place in guild %s (HTTP %s)", guild_id, exc.status)
            return 0
