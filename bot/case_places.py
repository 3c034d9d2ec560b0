"""Private places for small moderator cases (repair cases, access requests), shared by those features.

A case lives in a private thread of the moderators' channel (invitable only by moderators), or, when
the bot can't make private threads there, in a private channel beside it. Only the bot's own places
are ever adopted after a crash: a thread the bot owns, or a channel whose topic carries the case's
secret token (an HMAC nobody else can compute), never one someone else named like a case.
Nothing here logs a person's ID or a case's text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.plaintext import clip
from bot.ui import NO_MENTIONS

if TYPE_CHECKING:
    from bot.client import CoalitionBot

log = logging.getLogger(__name__)

Place = discord.Thread | discord.TextChannel
MAX_THREAD_ADDS = 50
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: a case thread stays in the list while it is being worked on


def moderators_of(bot: CoalitionBot, guild: discord.Guild) -> list[discord.Member]:
    """The server's moderators (people, not bots), by name."""
    return sorted((m for m in guild.members if not m.bot and bot.is_moderator(m)),
                  key=lambda m: m.display_name.casefold())


def can_make_private_threads(parent: discord.TextChannel) -> bool:
    perms = parent.permissions_for(parent.guild.me)
    return perms.create_private_threads and perms.send_messages_in_threads


def can_make_channels(guild: discord.Guild) -> bool:
    perms = guild.me.guild_permissions
    return perms.manage_channels and perms.manage_roles


async def place_by_id(bot: CoalitionBot, guild_id: int, place_id: int | None) -> Place | None:
    """The thread or channel a case was given (from the cache, else asked of Discord); None when gone."""
    if place_id is None:
        return None
    guild = bot.get_guild(guild_id)
    channel = guild.get_channel_or_thread(place_id) if guild is not None else None
    if channel is None:
        try:
            channel = await bot.fetch_channel(place_id)  # type: ignore[assignment]
        except discord.HTTPException:
            return None
    return channel if isinstance(channel, (discord.Thread, discord.TextChannel)) else None


async def find_own_thread(guild: discord.Guild, parent: discord.TextChannel, name: str) -> discord.Thread | None:
    """A thread the bot itself created under `parent` with this name (only the bot can own it)."""
    threads = {t.id: t for t in parent.threads}
    try:
        for t in await guild.active_threads():
            threads.setdefault(t.id, t)
    except discord.HTTPException:
        pass
    for thread in threads.values():
        if thread.name == name and thread.parent_id == parent.id and thread.owner_id == guild.me.id:
            return thread
    return None


def find_own_channel(guild: discord.Guild, name: str, token: str) -> discord.TextChannel | None:
    """A channel the bot created for a case: its name, and the case's secret token in its topic."""
    for channel in guild.text_channels:
        if channel.name == name and token in (channel.topic or ""):
            return channel
    return None


async def create_private_thread(parent: discord.TextChannel, name: str, reason: str) -> discord.Thread:
    return await parent.create_thread(name=name, type=discord.ChannelType.private_thread, invitable=False,
                                      auto_archive_duration=THREAD_ARCHIVE_MINUTES, reason=reason)


async def create_private_channel(guild: discord.Guild, parent: discord.TextChannel, name: str, *, topic: str,
                                 reason: str, allow: Iterable[discord.Role | discord.Member] = (),
                                 deny: Iterable[discord.Role | discord.Member] = ()) -> discord.TextChannel:
    """A channel beside `parent`, seen by whoever sees `parent` (its overwrites), never by everyone;
    `allow` may also read and write, `deny` never sees it."""
    overwrites: dict[Any, discord.PermissionOverwrite] = dict(parent.overwrites)
    overwrites[guild.default_role] = discord.PermissionOverwrite(view_channel=False)
    overwrites[guild.me] = discord.PermissionOverwrite(view_channel=True, send_messages=True, embed_links=True,
                                                       attach_files=True, read_message_history=True)
    for target in allow:
        overwrites[target] = discord.PermissionOverwrite(view_channel=True, send_messages=True,
                                                         read_message_history=True)
    for target in deny:
        overwrites[target] = discord.PermissionOverwrite(view_channel=False)
    return await guild.create_text_channel(name, overwrites=overwrites, category=parent.category, topic=topic,
                                           reason=reason)


async def add_members(thread: discord.Thread, members: Iterable[discord.Member]) -> None:
    for member in list(members)[:MAX_THREAD_ADDS]:
        try:
            await thread.add_user(member)
        except discord.HTTPException as exc:
            log.warning("could not add a reviewer to a case thread (HTTP %s)", exc.status)


async def own_message_with(bot: CoalitionBot, place: Place, custom_id: str) -> discord.Message | None:
    """The bot's message in `place` (among the first 20) carrying a component with this custom_id: a
    summary posted just before a crash, whose ID was never saved, is adopted instead of posted twice."""
    me = bot.user
    try:
        async for message in place.history(limit=20, oldest_first=True):
            if me is None or message.author.id != me.id:
                continue
            for row in message.components:
                for child in getattr(row, "children", []):
                    if getattr(child, "custom_id", None) == custom_id:
                        return message
    except discord.HTTPException:
        return None
    return None


async def post(place: Place | None, text: str, **kwargs: Any) -> discord.Message | None:
    """Post in a case's place (mentions off unless said); None when there is no place or Discord refused."""
    if place is None:
        return None
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    try:
        return await place.send(text, **kwargs)
    except discord.HTTPException as exc:
        log.warning("could not post in a case's place (HTTP %s)", exc.status)
        return None


async def dm(bot: CoalitionBot, user_id: int | None, body: str, **kwargs: Any) -> bool:
    """A direct message to a requester; False when it could not be delivered (closed DMs, gone)."""
    if user_id is None:
        return False
    try:
        user = bot.get_user(user_id) or await bot.fetch_user(user_id)
        await user.send(clip(body, 2000), allowed_mentions=NO_MENTIONS, **kwargs)
    except discord.HTTPException:
        # No case or person here: whether an anonymous requester can be reached must not be readable
        # by whoever reads the logs either (often a moderator).
        log.info("a direct message to a requester could not be delivered")
        return False
    return True

