"""Privacy and data rights: /privacy, /mydata show|export|delete, /audit recent,
departures and the daily retention purge (`run_due_jobs`)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.client import CoalitionBot
from bot.errors import BadInput
from bot.jobs import due_jobs_loop
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.privacy import logic
from cogs.privacy.inventory import INVENTORY
from cogs.privacy.views import DYNAMIC_ITEMS, confirm_view, pages_view
from db.repositories import audit
from db.repositories import privacy as repo
from db.repositories import repair as repair_repo
from db.session import checkpoint_wal

log = logging.getLogger(__name__)

EMBED_COLOUR = discord.Colour.blurple()
DM_CONTEXT = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)


@dataclass
class JobReport:
    """What one run of the daily jobs did (counts only)."""

    departed_purged: int = 0
    departures_cancelled: int = 0
    cases_purged: int = 0
    threads_deleted: int = 0


class PrivacyCog(commands.Cog):
    mydata = app_commands.Group(name="mydata", description="See, download or delete what the bot holds about you",
                                allowed_contexts=DM_CONTEXT)
    audit_group = app_commands.Group(name="audit", description="Moderators: read the audit log", guild_only=True,
                                     default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot
        self._jobs_lock = asyncio.Lock()
        self._last_look: dict[int, datetime] = {}  # user -> last /mydata show or export

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.daily.start()

    async def cog_unload(self) -> None:
        # Let a purge in progress commit: never cut a transaction off on shutdown.
        async with self._jobs_lock:
            self.daily.cancel()
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # --- /privacy --------------------------------------------------------------------------

    @app_commands.command(name="privacy", description="What the bot stores about people, why, and when it is deleted")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def privacy(self, interaction: discord.Interaction) -> None:
        await self.show_inventory_page(interaction, 0, edit=False)

    def inventory_pages(self) -> list[str]:
        settings = self.bot.settings.privacy
        return logic.inventory_pages(INVENTORY, settings.retention_days_after_leave, settings.case_retention_days)

    async def show_inventory_page(self, interaction: discord.Interaction, page: int, *, edit: bool) -> None:
        pages = self.inventory_pages()
        page = max(0, min(page, len(pages) - 1))
        embed = discord.Embed(description=pages[page], colour=EMBED_COLOUR)
        if len(pages) > 1:
            embed.set_footer(text=logic.page_footer(page, len(pages)))
        view = pages_view(page, len(pages))
        if edit:
            await interaction.response.edit_message(embed=embed, view=view)
        elif view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)

    # --- /mydata -----------------------------------------------------------------------------

    async def gather(self, user_id: int, guild_id: int | None) -> list[logic.ServerData]:
        """What the bot holds about the person, per server (one server, or all when None)."""
        async with self.bot.reads() as session:  # reads only: answers even while the database is busy
            data = await repo.collect(session, self.bot.cipher, user_id, guild_id)
        guild_ids = data.guild_ids() | ({guild_id} if guild_id is not None else set())
        retention = self.bot.settings.privacy.retention_days_after_leave
        servers: list[logic.ServerData] = []
        for gid in sorted(guild_ids):
            records = tuple(logic.Record(f.table, tuple(f.columns), f.row) for f in data.found
                            if f.row.get("guild_id") == gid)
            cases = tuple(
                logic.FiledCase(number=c["number"], status=c["status"], anonymous=c["anonymous"],
                                created_at=c["created_at"], closed_at=c["closed_at"],
                                text={k: c[k] for k in ("what_happened", "who_involved", "what_would_help",
                                                        "content_warning")})
                for c in data.cases_filed if c["guild_id"] == gid)
            purge_on = None
            for record in records:
                if record.table == "departed_member" and record.row.get("left_at"):
                    left = datetime.fromisoformat(str(record.row["left_at"]))
                    purge_on = logic.purge_after_leave_at(left, retention).strftime("%Y-%m-%d")
            guild = self.bot.get_guild(gid)
            name = guild.name if guild is not None else f"a server I am no longer in (ID {gid})"
            servers.append(logic.ServerData(gid, name, records, cases, purge_on))
        return servers

    def coi_labels(self) -> dict[str, str]:
        return {c.key: c.display for c in self.bot.content.coi_categories}

    async def _too_soon(self, interaction: discord.Interaction) -> bool:
        """One look (show or export) per person every few seconds: a person repeating it must not slow
        everyone else's clicks. Answers kindly and returns True when it is too soon."""
        now = self.bot.clock.now()
        wait = logic.mydata_wait(self._last_look.get(interaction.user.id), now,
                                 self.bot.settings.privacy.mydata_cooldown_seconds)
        if wait:
            await interaction.response.send_message(logic.MYDATA_TOO_SOON.format(seconds=wait), ephemeral=True)
            return True
        self._last_look[interaction.user.id] = now
        if len(self._last_look) > 10_000:  # keep only people still waiting: the dict stays small
            self._last_look = {k: v for k, v in self._last_look.items() if logic.mydata_wait(
                v, now, self.bot.settings.privacy.mydata_cooldown_seconds)}
        return False

    @mydata.command(name="show", description="See everything the bot holds about you (only you can see it)")
    async def mydata_show(self, interaction: discord.Interaction) -> None:
        if await self._too_soon(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        servers = await self.gather(interaction.user.id, interaction.guild_id)
        pages = logic.split_pages(logic.mydata_blocks(servers, self.coi_labels()))
        for index, text in enumerate(pages[:10]):
            embed = discord.Embed(description=text, colour=EMBED_COLOUR)
            if len(pages) > 1:
                embed.set_footer(text=logic.page_footer(index, len(pages)))
            await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
        if len(pages) > 10:
            await interaction.followup.send("There is more than fits here: `/mydata export` has all of it.",
                                            ephemeral=True)

    @mydata.command(name="export", description="Get everything the bot holds about you as a file (only for you)")
    async def mydata_export(self, interaction: discord.Interaction) -> None:
        if await self._too_soon(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        servers = await self.gather(interaction.user.id, interaction.guild_id)
        document = logic.export_document(interaction.user.id, self.bot.clock.now(), servers)
        payload = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
        file = discord.File(io.BytesIO(payload), filename="my-data.json")
        await interaction.followup.send(
            "Here is everything I hold about you, as a JSON file. Only you can see this message; "
            "keep the file somewhere safe, since it may include the text of repair cases you filed.",
            file=file, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @mydata.command(name="delete", description="Delete what the bot holds about you (asks you to confirm first)")
    async def mydata_delete(self, interaction: discord.Interaction) -> None:
        scope_all = interaction.guild is None
        name = interaction.guild.name if interaction.guild is not None else None
        await interaction.response.send_message(
            logic.delete_confirmation(scope_all, name), view=confirm_view(interaction.user.id,
                                                                          interaction.guild_id or 0),
            ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def erase_confirmed(self, interaction: discord.Interaction, guild_id: int | None) -> None:
        await interaction.response.defer()
        user_id = interaction.user.id
        removed, failed = await self.remove_managed_roles(user_id, guild_id)
        result, guilds = await self.erase_person(user_id, guild_id, action="privacy.data_erased")
        await interaction.edit_original_response(
            content=logic.delete_done(result.rows_deleted + result.values_cleared, result.cases_unlinked,
                                      removed, failed), view=None, embed=None)
        log.info("a member erased their data (%d server(s), %d value(s))", len(guilds), result.total)

    async def erase_cancelled(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=logic.DELETE_CANCELLED, view=None)

    async def erase_person(self, user_id: int, guild_id: int | None, *,
                           action: str) -> tuple[repo.ErasureResult, set[int]]:
        async with self.bot.sessions() as session, session.begin():
            data = await repo.collect(session, self.bot.cipher, user_id, guild_id)
            guilds = data.guild_ids() | ({guild_id} if guild_id is not None else set())
            shown = await repo.shown_about(session, self.bot.cipher, user_id, guild_id)
            result = await repo.erase(session, self.bot.cipher, user_id, guild_id)
            for gid in sorted(guilds):
                # Who erased is deliberately not recorded: only that it happened.
                await audit.record(session, gid, None, action, at=self.bot.clock.now())
            engine = session.bind
        assert isinstance(engine, AsyncEngine)
        # With secure_delete the erased bytes are zeroed in the pages; this moves those pages out of
        # the write-ahead log into the file and empties the log, so no copy lingers there.
        await checkpoint_wal(engine)
        await self.erase_shown(shown)
        return result, guilds

    async def erase_shown(self, shown: repo.Shown) -> None:
        """Take the person off the bot's own messages, as their rows were: named case summaries are
        re-rendered ("Former member"), "@them wrote" lines lose the name, onboarding question posts
        are deleted. Anonymous cases are left exactly as they are: any change there at the moment
        someone erases their data would tell moderators who filed it."""
        await self.refresh_case_summaries(shown.named_case_ids)
        for channel_id, message_id, number in shown.relay_posts:
            await self._edit_or_delete(channel_id, message_id, f"💬 Former member wrote (case #{number}):")
        for channel_id, message_id in shown.question_posts:
            await self._edit_or_delete(channel_id, message_id, None)

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

    async def refresh_case_summaries(self, case_ids: list[int]) -> None:
        """The posted case summaries are the bot's own messages: re-render them so the
        erased requester's mention is gone there too ("Former member")."""
        repair_cog = self.bot.get_cog("RepairCog")
        if repair_cog is None or not case_ids:
            return
        async with self.bot.sessions() as session:
            cases = [case for cid in case_ids if (case := await repair_repo.get(session, cid)) is not None]
        for case in cases:
            guild = self.bot.get_guild(case.guild_id)
            if guild is not None:
                await repair_cog.refresh_summary(case, guild)  # type: ignore[attr-defined]

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
                await member.remove_roles(*roles, reason="The member erased their data (/mydata delete)")
                removed += len(roles)
            except discord.HTTPException as exc:
                failed += len(roles)
                log.warning("could not remove COI roles in guild %s after an erasure (HTTP %s)", guild.id,
                            exc.status)
        return removed, failed

    # --- /audit --------------------------------------------------------------------------------

    @audit_group.command(name="recent", description="Moderators: the most recent audit log entries")
    @app_commands.describe(action="Only actions starting with this, e.g. repair or coi.waiting_room")
    async def audit_recent(self, interaction: discord.Interaction, action: str | None = None) -> None:
        self.bot.require_moderator(interaction)
        assert interaction.guild_id is not None
        try:
            prefix = logic.clean_action_filter(action)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        async with self.bot.reads() as session:
            entries = await audit.recent(session, interaction.guild_id, limit=25, action_prefix=prefix)
        lines = [logic.AuditLine(e.created_at, e.actor_id, e.action, e.subject) for e in entries]
        pages = logic.split_pages(logic.audit_blocks(lines, prefix))
        embed = discord.Embed(description=pages[0], colour=EMBED_COLOUR)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    # --- leaving, rejoining, retention ------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        if payload.user.bot:
            return
        async with self.bot.sessions() as session, session.begin():
            await repo.member_left(session, payload.guild_id, payload.user.id, self.bot.clock.now())
        log.debug("a member left guild %s; their data is scheduled for deletion", payload.guild_id)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        async with self.bot.sessions() as session, session.begin():
            cancelled = await repo.member_rejoined(session, member.guild.id, member.id)
        if cancelled:
            log.debug("a member rejoined guild %s; scheduled deletion cancelled", member.guild.id)

    daily = due_jobs_loop("daily privacy", hours=24)

    async def run_due_jobs(self) -> JobReport:
        """Purge departed members' data and old closed cases that are due (time from bot.clock)."""
        async with self._jobs_lock:
            return await self._run_due_jobs()

    async def _run_due_jobs(self) -> JobReport:
        report = JobReport()
        shown: list[repo.Shown] = []
        now = self.bot.clock.now()
        settings = self.bot.settings.privacy
        async with self.bot.sessions() as session, session.begin():
            for departure in await repo.departures_due(session, logic.leave_cutoff(
                    now, settings.retention_days_after_leave)):
                if not self.bot.owns_guild(departure.guild_id):
                    continue  # another shard's server: its process checks the member list and purges
                guild = self.bot.get_guild(departure.guild_id)
                if guild is not None and guild.get_member(departure.user_id) is not None:
                    # Back in the server (the join was missed): cancel instead of purging.
                    await repo.member_rejoined(session, departure.guild_id, departure.user_id)
                    report.departures_cancelled += 1
                    continue
                # Exactly what /mydata delete does, including what the bot has shown (below).
                shown.append(await repo.shown_about(session, self.bot.cipher, departure.user_id,
                                                    departure.guild_id))
                await repo.erase(session, self.bot.cipher, departure.user_id, departure.guild_id)
                report.departed_purged += 1
            # Only this shard's servers: the case's moderator thread can be deleted only by the
            # process that has the server (else the case row goes but its thread stays forever).
            purged = await repo.purge_closed_cases(session, logic.closed_case_cutoff(
                now, settings.case_retention_days), owned=self.bot.owns_guild)
            report.cases_purged = len(purged)
            for gid, count in sorted(Counter(p.guild_id for p in purged).items()):
                await audit.record(session, gid, None, "privacy.closed_cases_purged", f"count:{count}", at=now)
            engine = session.bind
        if report.departed_purged or report.cases_purged:
            assert isinstance(engine, AsyncEngine)
            await checkpoint_wal(engine)  # as after /mydata delete: no erased value left in the WAL
        for leftovers in shown:
            await self.erase_shown(leftovers)
        for case in purged:
            report.threads_deleted += await self._delete_thread(case.guild_id, case.thread_id)
        if report.departed_purged or report.cases_purged:
            log.info("privacy purge: data of %d departed member(s), %d closed repair case(s)",
                     report.departed_purged, report.cases_purged)
        return report

    async def _delete_thread(self, guild_id: int, thread_id: int | None) -> int:
        """A purged case's place goes too (it holds the summary and the conversation): its private
        thread, or its private channel. The ID is one the bot stored when it created the place
        (repair routing never adopts a place by name)."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or thread_id is None:
            return 0
        place: discord.abc.Snowflake | None = guild.get_channel_or_thread(thread_id)
        try:
            if place is None:
                place = await self.bot.fetch_channel(thread_id)
            # Belt and braces: only a case's thread or channel, never another channel by mistake.
            if not isinstance(place, (discord.Thread, discord.TextChannel)) or not place.name.startswith("case-"):
                return 0
            await place.delete()
            return 1
        except discord.NotFound:
            return 0
        except discord.HTTPException as exc:
            log.warning("could not delete a purged case's place in guild %s (HTTP %s)", guild_id, exc.status)
            return 0
