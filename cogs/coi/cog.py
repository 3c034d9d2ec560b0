"""Self-tagging of conflicts of interest: /coi tag, /coi clear, /mod-coi list.

The cog checks input, opens one session, calls logic + repository, and replies.
The COI roles are provisioned by the core (bot/wiring.py); a member's tags are
stored as coi_tag rows that mirror those roles.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.errors import BadInput, BotMissingPermission, NotAllowed
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS
from cogs.coi import logic
from cogs.coi.coalesce import PerPerson
from cogs.coi.views import ListPager, NotetakerButton, TagSelect, tag_view
from db.repositories import coi_tags

log = logging.getLogger(__name__)

IN_SERVER_ONLY = "This command only works inside the server, not in a direct message."
MEMBERS_ONLY = (
    "Declaring conflicts of interest (COI) is for members: once you've said yes in onboarding "
    "(`/onboarding start`), you can choose yours here, and the COI step in onboarding lets you pick them too. "
    "If you need to reach the moderators before that, \"I have a question\" in onboarding or "
    "`/repair request` gets to them privately."
)


def categories_of(bot: CoalitionBot) -> list[logic.Category]:
    return [logic.Category(c.key, c.label, c.display) for c in bot.content.coi_categories]


def require_member(interaction: discord.Interaction) -> tuple[discord.Guild, discord.Member]:
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        raise BadInput(IN_SERVER_ONLY)
    return interaction.guild, interaction.user


def check_can_assign(guild: discord.Guild, roles: list[discord.Role]) -> None:
    """Raise a clear message when the bot cannot give or take these roles."""
    me = guild.me
    if not me.guild_permissions.manage_roles:
        raise BotMissingPermission(
            "I need the **Manage Roles** permission to set conflict-of-interest (COI) roles. A server admin "
            "can turn it on for my role in Server Settings → Roles. Nothing was changed.")
    blocked = logic.unmanageable([(r.name, r.position) for r in roles], me.top_role.position)
    if blocked:
        raise BotMissingPermission(logic.hierarchy_message(blocked, me.top_role.name))


class CoiCog(commands.Cog, name="CoiCog"):
    coi = app_commands.Group(name="coi", description="Declare your conflicts of interest (COI)", guild_only=True)
    moderate = app_commands.Group(name="mod-coi", description="Moderators: declared conflicts of interest (COI)",
                                  guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot
        self.role_updates = PerPerson(bot.settings.coi.coalesce_roles_seconds)
        self.announcements = PerPerson(bot.settings.coi.coalesce_announce_seconds)
        self._shown: dict[tuple[int, int], set[str]] = {}  # what the COI channel last said of each person

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(TagSelect, NotetakerButton)

    async def cog_unload(self) -> None:
        self.role_updates.cancel()
        self.announcements.cancel()
        self.bot.remove_dynamic_items(TagSelect, NotetakerButton)

    # --- /coi tag -------------------------------------------------------------------

    @coi.command(name="tag", description="Choose which conflicts of interest (COI) you have")
    async def tag(self, interaction: discord.Interaction) -> None:
        guild, member = require_member(interaction)
        self._require_coalition_member(member)
        async with self.bot.sessions() as session:
            current = await coi_tags.tags_of(session, guild.id, member.id)
        current |= self._keys_from_roles(member)
        categories = categories_of(self.bot)
        text = (
            "**Your conflicts of interest (COI)**\n"
            "Our agreements ask everyone to announce conflicts of interest, so the coalition can keep "
            "its most marginalized members safe. Having a COI does not bar anyone from membership.\n"
            "Tick every category that applies to you and untick any that no longer do, then close the "
            "list to save. What you have now is already ticked."
        )
        await interaction.response.send_message(text, view=tag_view(member.id, categories, current),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    def _require_coalition_member(self, member: discord.Member) -> None:
        """COI tags are for members (docs/member-features.md): people who said yes hold the member role."""
        member_role = self.bot.wiring_for(member.guild).member_role
        if member_role is None or member_role not in member.roles:
            raise NotAllowed(MEMBERS_ONLY)

    def _keys_from_roles(self, member: discord.Member) -> set[str]:
        roles = self.bot.wiring_for(member.guild).coi_roles
        return {key for key, role in roles.items() if role in member.roles}

    async def on_tag_submitted(self, interaction: discord.Interaction, user_id: int, values: list[str]) -> None:
        guild, member = require_member(interaction)
        if member.id != user_id:
            raise NotAllowed("This list is someone else's. Use `/coi tag` to choose your own.")
        self._require_coalition_member(member)  # also on the select: a saved or forged list is no way around
        known = {c.key for c in self.bot.content.coi_categories}
        wanted = {v for v in values if v in known}
        await interaction.response.defer()  # editing the same message when done (type 6 now, edit after)
        change, held = await self.apply_tags(guild, member, wanted)
        categories = categories_of(self.bot)
        await interaction.edit_original_response(
            content=logic.tag_confirmation(change, held, categories),
            view=tag_view(member.id, categories, held), allowed_mentions=NO_MENTIONS)

    async def apply_tags(self, guild: discord.Guild, member: discord.Member,
                         wanted: set[str]) -> tuple[logic.TagChange, set[str]]:
        """Set the member's COI roles (one member update) and tag rows to exactly `wanted`."""
        wiring = self.bot.wiring_for(guild)
        coi_roles = wiring.coi_roles
        missing = [k for k in wanted if k not in coi_roles]
        if missing:
            labels = logic.ordered_labels(missing, categories_of(self.bot))
            raise BotMissingPermission(
                f"The role for {logic.human_join(labels)} doesn't exist in this server yet. A server admin can "
                f"create it (named '{self.bot.settings.coi.role_prefix}…') or give me **Manage Roles** so I "
                "create it myself. Nothing was changed.")
        held_roles = {key for key, role in coi_roles.items() if role in member.roles}
        role_change = logic.diff_tags(held_roles, wanted)
        to_touch = [coi_roles[k] for k in role_change.added | role_change.removed]
        if to_touch:
            check_can_assign(guild, to_touch)
        key = (guild.id, member.id)
        async with self.bot.sessions() as session, session.begin():
            before = await coi_tags.tags_of(session, guild.id, member.id)
            await coi_tags.set_tags(session, guild.id, member.id, wanted, at=self.bot.clock.now())
            # Quick toggling: one member update now, the rest folded into one at the window's end.
            if to_touch and self.role_updates.now_or_later(key, lambda: self._sync_roles(guild.id, member.id)):
                role_ids = logic.new_role_ids([r.id for r in member.roles if not r.is_default()],
                                              [r.id for r in coi_roles.values()],
                                              [coi_roles[k].id for k in sorted(wanted)])
                try:
                    await member.edit(roles=[discord.Object(rid) for rid in role_ids],
                                      reason="Conflict of interest declared with /coi")
                except discord.Forbidden:
                    raise BotMissingPermission(
                        "Discord didn't let me change your roles. A server admin needs to give me **Manage "
                        "Roles** and keep my role above the COI roles. Nothing was changed.") from None
        change = logic.diff_tags(before | held_roles, wanted)
        if change.changed and self.bot.settings.coi.announce:
            self._shown.setdefault(key, before | held_roles)
            if self.announcements.now_or_later(key, lambda: self._announce_latest(guild.id, member.id)):
                await self._announce(wiring.coi_channel, member, logic.diff_tags(self._shown[key], wanted))
                self._shown[key] = set(wanted)
        return change, wanted

    async def _sync_roles(self, guild_id: int, user_id: int) -> None:
        """The end of a burst of changes: one member update to the latest tags."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        if guild is None or member is None:
            return
        coi_roles = self.bot.wiring_for(guild).coi_roles
        async with self.bot.sessions() as session:
            wanted = await coi_tags.tags_of(session, guild_id, user_id)
        held = {key for key, role in coi_roles.items() if role in member.roles}
        if held == wanted:
            return
        role_ids = logic.new_role_ids([r.id for r in member.roles if not r.is_default()],
                                      [r.id for r in coi_roles.values()],
                                      [coi_roles[k].id for k in sorted(wanted) if k in coi_roles])
        await member.edit(roles=[discord.Object(rid) for rid in role_ids],
                          reason="Conflict of interest declared with /coi")

    async def _announce_latest(self, guild_id: int, user_id: int) -> None:
        """The end of a burst of changes: at most one announcement, of the latest state."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        if guild is None or member is None:
            return
        async with self.bot.sessions() as session:
            latest = await coi_tags.tags_of(session, guild_id, user_id)
        key = (guild_id, user_id)
        change = logic.diff_tags(self._shown.get(key, set()), latest)
        self._shown[key] = set(latest)
        if change.changed:
            await self._announce(self.bot.wiring_for(guild).coi_channel, member, change)

    async def _announce(self, channel: discord.TextChannel | None, member: discord.Member,
                        change: logic.TagChange) -> None:
        text = logic.announcement(member.mention, change, categories_of(self.bot))
        if channel is None or text is None:
            return
        try:
            await channel.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not announce a COI change in channel %s (HTTP %s)", channel.id, exc.status)

    # --- /coi clear -----------------------------------------------------------------

    @coi.command(name="clear", description="Remove all your conflict-of-interest (COI) tags")
    async def clear(self, interaction: discord.Interaction) -> None:
        guild, member = require_member(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        change, held = await self.apply_tags(guild, member, set())
        await interaction.followup.send(logic.tag_confirmation(change, held, categories_of(self.bot)),
                                        ephemeral=True, allowed_mentions=NO_MENTIONS)

    # --- /mod-coi list -------------------------------------------------------

    @moderate.command(name="list", description="Who has declared which conflicts of interest")
    @app_commands.describe(category="Only this category (leave empty for all)")
    async def list_(self, interaction: discord.Interaction, category: str | None = None) -> None:
        moderator = self.bot.require_moderator(interaction)
        guild = moderator.guild
        categories = categories_of(self.bot)
        chosen = categories
        if category:
            found = logic.match_category(category, categories)
            if found is None:
                raise BadInput(f"I don't know the category \"{category[:40]}\". Pick one from the suggestions: "
                               + ", ".join(c.display for c in categories) + ".")
            chosen = [found]
        async with self.bot.sessions() as session:
            rows = await coi_tags.holders(session, guild.id, None if len(chosen) > 1 else chosen[0].key)
        by_key: dict[str, set[int]] = {c.key: set() for c in chosen}
        for row in rows:
            if row.category_key in by_key:
                by_key[row.category_key].add(row.user_id)
        roles = self.bot.wiring_for(guild).coi_roles
        for c in chosen:
            role = roles.get(c.key)
            if role is not None:
                by_key[c.key].update(m.id for m in role.members)
        groups = []
        for c in chosen:
            lines = []
            for uid in sorted(by_key[c.key], key=lambda u: self._sort_name(guild, u)):
                member = guild.get_member(uid)
                if member is not None:
                    lines.append(f"• {discord.utils.escape_markdown(member.display_name)} — <@{uid}>")
                elif guild.chunked:  # every member is known: this one has gone
                    lines.append(f"• (left the server) — <@{uid}>")
                else:  # members are not all downloaded (chunk_guilds_at_startup = false): Discord shows the name
                    lines.append(f"• <@{uid}>")
            groups.append((c.display, lines))
        pages = logic.holder_pages(groups)
        if len(pages) == 1:
            await interaction.response.send_message(pages[0], ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await interaction.response.send_message(pages[0], view=ListPager(moderator.id, pages), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @staticmethod
    def _sort_name(guild: discord.Guild, user_id: int) -> tuple[str, int]:
        member = guild.get_member(user_id)
        return ((member.display_name.casefold() if member else "\uffff"), user_id)

    @list_.autocomplete("category")
    async def _category_autocomplete(self, interaction: discord.Interaction,
                                     current: str) -> list[app_commands.Choice[str]]:
        want = current.casefold().strip()
        return [app_commands.Choice(name=c.display[:100], value=c.key) for c in categories_of(self.bot)
                if not want or want in c.display.casefold() or want in c.key][:25]
