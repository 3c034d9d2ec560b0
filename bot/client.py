"""The bot itself: a `commands.Bot` that loads every feature in `cogs/`.

Commands are synced per guild when the guild becomes available (instant updates);
the few commands that must also work in a DM with the bot (those whose
`allowed_contexts` include DMs) are global.
"""

from __future__ import annotations

import asyncio
import logging
import pkgutil
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import cogs
from bot import i18n, pacing, texts, wiring
from bot.clock import Clock
from bot.command_locales import CatalogTranslator
from bot.content import Content
from bot.dm_router import DmPickSelect, DmRouter
from bot.errors import MODERATORS_ONLY, NotAllowed, report_interaction_error
from bot.interactions import ModalRouter, use_language_of
from bot.languages import LANGUAGES, LanguageBook
from bot.locks import KeyedLocks
from bot.modlog import ModLog
from bot.services import Services
from bot.settings import Settings
from db.crypto import DataCipher
from db.repositories import guild_wiring

log = logging.getLogger(__name__)


class CoalitionTree(app_commands.CommandTree["CoalitionBot"]):
    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        use_language_of(interaction)  # the command runs in this same task: it answers in that language
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        command = interaction.command
        redact = bool(command is not None and command.extras.get("redact"))  # e.g. repair's commands
        await report_interaction_error(interaction, error, "app command", redact=redact)


def build_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.members = True  # privileged: switch on "Server Members Intent" (README)
    intents.guild_messages = True  # counts messages for sticky reminders; no content
    intents.dm_messages = True  # typed "yes" answers and repair relays in DMs
    intents.voice_states = True
    return intents


def is_global_command(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> bool:
    contexts = command.allowed_contexts
    return contexts is not None and bool(contexts.dm_channel)


def feature_extensions() -> list[str]:
    """Every feature package under cogs/ (each has `async def setup(bot)`)."""
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if m.ispkg)


class CoalitionBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        content: Content,
        sessions: async_sessionmaker[AsyncSession],
        cipher: DataCipher,
        clock: Clock | None = None,
        reads: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        # The bot never joins voice: discord.py's "PyNaCl/davey is not installed" warnings are noise.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        bucket = pacing.TokenBucket(rate=settings.discord.requests_per_second)
        shard_kwargs: dict[str, Any] = {}
        if settings.discord.shard_count is not None:
            shard_ids = settings.discord.shard_ids or [0]
            shard_kwargs = {"shard_id": shard_ids[0], "shard_count": settings.discord.shard_count}
        super().__init__(
            # Required by commands.Bot, but never used: on_message below never parses messages as
            # commands (the default handler logged the first typed word at ERROR: "Command ... not found").
            command_prefix=commands.when_mentioned,
            intents=build_intents(),
            tree_cls=CoalitionTree,
            help_command=None,
            chunk_guilds_at_startup=settings.discord.chunk_guilds_at_startup,
            guild_ready_timeout=settings.discord.guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
            max_messages=None,  # never keep message content in memory
            http_trace=pacing.trace_config(bucket),  # paces every REST request (aiohttp's public hook)
            **shard_kwargs,
        )
        self.settings = settings
        self.content = content
        self.sessions = sessions
        # Transactions that only read: they keep answering while another program holds SQLite's write lock.
        self.reads = reads or sessions
        self.cipher = cipher
        self.clock = clock or Clock()
        self.bucket = bucket
        self.modlog = ModLog()
        self.guild_commands: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = []
        self.ready_guilds: set[int] = set()
        self.failed_extensions: list[str] = []
        self._guild_setup_locks: KeyedLocks[int] = KeyedLocks()
        self.dm_router = DmRouter(self)
        # Each feature's use cases by typed key (bot.interactions.ServiceKey): no get_cog("…").
        self.services = Services()
        i18n.configure(settings.guild.language)
        self.languages = LanguageBook(sessions)
        self.services.provide(LANGUAGES, self.languages)
        # Every modal submission, routed by its custom_id spec (bot.interactions.ModalRouter).
        self.modals = ModalRouter()
        # guild -> the IDs of its roles and channels, as set-up found them (see bot/wiring.py)
        self.wiring_ids: dict[int, wiring.Stored] = {}
        self._guild_setups: set[asyncio.Task[Any]] = set()
        self._stopping = False

    # --- start-up -----------------------------------------------------------------

    async def setup_hook(self) -> None:
        await asyncio.to_thread(i18n.load_catalogs)  # read here, so no click ever waits on a .po file
        await self.languages.load()  # each person's language, in memory before the first click
        self.add_dynamic_items(DmPickSelect)
        for extension in feature_extensions():
            try:
                await self.load_extension(extension)
            except commands.ExtensionError:
                # One broken feature must not take the others down; say so loudly.
                log.exception("feature %s failed to load; the other features keep running", extension)
                self.failed_extensions.append(extension)
        # Names and descriptions in Spanish too (es-ES, es-419), from the catalogs, at every sync.
        await self.tree.set_translator(CatalogTranslator())
        # Split: DM-capable commands stay global; the rest are synced per guild.
        for command in list(self.tree.get_commands()):
            if isinstance(command, app_commands.ContextMenu) or is_global_command(command):
                continue
            self.tree.remove_command(command.name)
            self.guild_commands.append(command)
        await self.tree.sync()
        log.info("loaded %d features; %d global and %d guild commands",
                 len(self.extensions), len(self.tree.get_commands()), len(self.guild_commands))

    async def on_ready(self) -> None:
        user = self.user
        names = ", ".join(sorted(g.name for g in self.guilds)) or "none yet (invite the bot to a server)"
        log.info("logged in as %s (ID %s); serving %d server(s): %s",
                 user, user.id if user else "?", len(self.guilds), names)

    async def finish_guild_setups(self, timeout: float) -> None:  # noqa: ASYNC109 - a bounded wait is the point
        """Let set-ups in progress finish (bounded) before the connection closes; start no new ones."""
        self._stopping = True
        pending = [task for task in self._guild_setups if not task.done()]
        if not pending:
            return
        log.info("stopping: finishing the set-up of %d server(s) first", len(pending))
        _, still = await asyncio.wait(pending, timeout=timeout)
        if still:
            log.warning("stopping before %d server set-up(s) finished; the rest is done on the next start",
                        len(still))
            # Cancelled here, between two requests, rather than failing on the closed session later.
            for task in still:
                task.cancel()
            await asyncio.wait(still, timeout=1.0)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.set_up_guild(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.set_up_guild(guild)

    async def set_up_guild(self, guild: discord.Guild) -> None:
        """Create missing roles/channels and sync this guild's commands (once per start)."""
        if self._stopping:
            return
        task = asyncio.current_task()
        if task is not None:
            self._guild_setups.add(task)
        try:
            await self._set_up_guild(guild)
        finally:
            if task is not None:
                self._guild_setups.discard(task)

    async def _set_up_guild(self, guild: discord.Guild) -> None:
        async with self._guild_setup_locks.hold(guild.id):
            if guild.id in self.ready_guilds:
                return
            before = {role.id for role in guild.roles} | {channel.id for channel in guild.channels}
            await self._provision(guild)
            created = [f"@{role.name}" for role in guild.roles if role.id not in before]
            created += [f"#{channel.name}" for channel in guild.channels if channel.id not in before]
            for command in self.guild_commands:
                self.tree.add_command(command, guild=guild, override=True)
            await self.tree.sync(guild=guild)
            self.ready_guilds.add(guild.id)
            self.dispatch("coalition_guild_ready", guild)
            log.info("server %s (%s) ready; %s", guild.name, guild.id,
                     f"created {', '.join(created)}" if created else "nothing to create")

    async def on_guild_channel_create(self, channel: discord.abc.GuildChannel) -> None:
        await self._adopt_missing(channel.guild)

    async def on_guild_role_create(self, role: discord.Role) -> None:
        await self._adopt_missing(role.guild)

    async def _adopt_missing(self, guild: discord.Guild) -> None:
        """A role or channel set-up could not find may be created by hand later: set-up runs again for
        what is still missing (found once by name, as at start). Nothing already held by ID changes."""
        if guild.id not in self.ready_guilds:
            return
        found = self.wiring_for(guild)
        if not found.missing() and len(found.coi_roles) == len(self.content.coi_categories) \
                and found.coi_channel is not None:
            return
        async with self._guild_setup_locks.hold(guild.id):
            await self._provision(guild)

    async def _provision(self, guild: discord.Guild) -> None:
        """Find (by stored ID, else once by name) or create the server's roles and channels."""
        async with self.sessions() as session:
            stored = await guild_wiring.load(session, guild.id)
        self.wiring_ids[guild.id] = stored
        try:
            found = await wiring.provision(guild, self.settings.guild, self.content, self.settings.coi.role_prefix,
                                           self.settings.coi.channel, stored)
        except discord.HTTPException:
            log.exception("could not set up roles/channels in guild %s", guild.id)
            return
        if found.stored != stored:
            async with self.sessions() as session, session.begin():
                await guild_wiring.store(session, guild.id, found.stored)
        self.wiring_ids[guild.id] = found.stored
        if found.ambiguous:
            await self._tell_owner_ambiguous(guild, found.ambiguous)
        coi = found.wiring.coi_channel
        if coi is not None and wiring.visible_to_everyone(coi):
            await self.modlog.alert_once(guild.id, "coi-channel-public", found.wiring.mod_log_channel,
                                         texts.COI_CHANNEL_PUBLIC.format(channel=coi.mention))

    async def _tell_owner_ambiguous(self, guild: discord.Guild, ambiguous: list[str]) -> None:
        """More than one role or channel with a configured name: the owner decides, the bot never guesses."""
        text = texts.AMBIGUOUS_NAMES.format(server=guild.name, items="\n".join(f"• {a}" for a in ambiguous))
        try:
            owner = guild.owner or await self.fetch_user(guild.owner_id or 0)
            await owner.send(text[:2000], allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.warning("could not tell the owner of guild %s about ambiguous names", guild.id)

    # --- helpers for features ------------------------------------------------------

    def wiring_for(self, guild: discord.Guild) -> wiring.GuildWiring:
        """The guild's roles/channels by the IDs set-up stored, from the cache (no REST, no names)."""
        return wiring.resolve(guild, self.settings.guild, self.content, self.settings.coi.role_prefix,
                              self.settings.coi.channel, self.wiring_ids.get(guild.id))

    def owns_guild(self, guild_id: int) -> bool:
        """True when Discord routes this server to the shard this process runs (always when unsharded).

        Background jobs that act on stored rows of any server filter with this, so exactly one
        process handles each server — also servers no process has in its cache (left, unavailable)
        — and never a process that cannot see the server and would drop the Discord side of the work.
        """
        count = self.settings.discord.shard_count
        if count is None:
            return True
        shard_id = (self.settings.discord.shard_ids or [0])[0]
        return (guild_id >> 22) % count == shard_id

    def is_moderator(self, member: discord.abc.User | discord.Member) -> bool:
        if not isinstance(member, discord.Member):
            return False
        if member.guild_permissions.manage_guild or member.guild_permissions.administrator:
            return True
        moderator_role = self.wiring_for(member.guild).moderator_role
        return moderator_role is not None and moderator_role in member.roles

    def require_moderator(self, interaction: discord.Interaction) -> discord.Member:
        """Checked in the bot itself, whatever Discord's command permissions say."""
        user = interaction.user
        if interaction.guild is None or not isinstance(user, discord.Member) or not self.is_moderator(user):
            raise NotAllowed(MODERATORS_ONLY)
        return user

    # --- messages: never commands; DMs go to exactly one feature -------------------------

    async def on_message(self, message: discord.Message, /) -> None:
        """The bot has no prefix commands, so no message is ever parsed as one (see __init__)."""
        if message.guild is not None or message.author.bot:
            return
        try:
            await self.dm_router.route(message)
        except Exception:
            log.exception("could not route a direct message")  # never the text

    async def on_interaction(self, interaction: discord.Interaction, /) -> None:
        """Modal submissions go to the feature that registered their custom_id spec (buttons and
        selects are DynamicItems, which discord.py dispatches itself)."""
        await self.modals.dispatch(interaction)

    async def process_commands(self, message: discord.Message, /) -> None:
        """No prefix commands: nothing typed is ever parsed (or logged) as a command."""
        return

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in event %s", event_method)
