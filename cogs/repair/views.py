"""Buttons, selects and modals for repair requests.

Every component is a `DynamicItem` whose custom_id carries its own state
(`repair:<action>:<key>`), so it keeps working after a restart. Modals are sent
"detached" (not tracked by discord.py) and their submissions are handled by the
cog's `on_interaction` listener by custom_id — so a modal opened before a restart
and submitted after it still arrives, and nothing typed is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.ui import BaseModal, ModalSelect, detached
from cogs.repair import logic
from cogs.repair.logic import ACTION_LABELS, FILING_PATTERN, STATUS_LABELS, Action, Filing

ALL_MODERATORS_KEPT_AWAY = ("The requester asked that no current moderator handle it. Please don't discuss the "
                            "case with the moderators.")

if TYPE_CHECKING:
    from cogs.repair.cog import RepairCog

# custom_id prefixes (each < 100 characters; see logic.Filing.encode)
FILE_BUTTON = "repair:go"
FILE_MODAL = "repair:file"
EXCLUDE_SELECT = "repair:ex"
GUILD_SELECT = "repair:guild"
RELAY_SELECT = "repair:relay"
START_BUTTON = "repair:start"
MODAL_ACTIONS = {Action.REPLY: "repair:replym", Action.NOTE: "repair:notem", Action.CLOSE: "repair:closem"}

CASE_ACTION_RE = r"repair:(?P<action>ack|assign|reply|note|close|reopen):(?P<case>[0-9]{1,18})"

# Field custom_ids in the filing modal
F_WHAT, F_WHO, F_HELP, F_CW = "what", "who", "help", "cw"
LIMITS = {F_WHAT: 3000, F_WHO: 500, F_HELP: 1000, F_CW: 300}
REPLY_LIMIT = 1800
NOTE_LIMIT = 1800
RESOLUTION_LIMIT = 1500
EMBED_TOTAL_LIMIT = 6000
SHORTENED = "\n\n*(Shortened to fit: `/mod-repair export` has the full text.)*"

STATUS_COLOURS = {
    "submitted": discord.Colour.orange(),
    "acknowledged": discord.Colour.blue(),
    "in_progress": discord.Colour.blurple(),
    "resolved": discord.Colour.green(),
    "closed": discord.Colour.dark_grey(),
    "reopened": discord.Colour.gold(),
}


def data_of(interaction: discord.Interaction) -> dict[str, Any]:
    """The raw interaction data as a plain dict (discord.py types it as a union of TypedDicts)."""
    return cast(dict[str, Any], interaction.data or {})


def _cog(interaction: discord.Interaction) -> RepairCog:
    cog = interaction.client.get_cog("RepairCog")  # type: ignore[attr-defined]
    if cog is None:
        raise RuntimeError("the repair feature is not loaded")
    return cog  # type: ignore[no-any-return]


# --- the summary embed -----------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    """Decrypted case data needed to render the summary (never stored like this)."""

    case_id: int
    number: int
    status: str
    anonymous: bool
    requester_id: int | None
    what_happened: str
    who_involved: str | None
    what_would_help: str | None
    content_warning: str | None
    resolution: str | None
    assignee_id: int | None
    excluded_ids: tuple[int, ...]
    created_at: datetime
    for_alternates: bool = False


def summary_embed(case: CaseView) -> discord.Embed:
    """Content warning first, then the text. Embeds never ping; '@everyone' is defused anyway."""
    d = logic.plain  # the requester's words as typed: no masked links or headings
    parts = []
    if case.content_warning:
        parts.append(f"**⚠️ Please read first (content warning):** {d(case.content_warning)}")
    parts.append(f"**What happened**\n{d(case.what_happened)}")
    embed = discord.Embed(
        title=f"Repair case #{case.number}",
        description=logic.clip("\n\n".join(parts), 4096),
        colour=STATUS_COLOURS.get(case.status, discord.Colour.default()),
        timestamp=case.created_at,
    )
    if case.anonymous:
        requester = "Anonymous requester"
    else:  # a named requester who erased their data (or left long ago) is a former member
        requester = f"<@{case.requester_id}>" if case.requester_id is not None else "Former member"
    embed.add_field(name="Requester", value=requester, inline=True)
    embed.add_field(name="Status", value=STATUS_LABELS.get(case.status, case.status), inline=True)
    embed.add_field(name="Assigned to", value=f"<@{case.assignee_id}>" if case.assignee_id else "Nobody yet",
                    inline=True)
    if case.who_involved:
        embed.add_field(name="Who was involved", value=logic.clip(d(case.who_involved), 1024), inline=False)
    if case.what_would_help:
        embed.add_field(name="What would help repair", value=logic.clip(d(case.what_would_help), 1024),
                        inline=False)
    if case.resolution:
        embed.add_field(name="Resolution", value=logic.clip(d(case.resolution), 1024), inline=False)
    if case.anonymous and case.for_alternates:
        # No names: a moderator who files anonymously can't exclude themself, so the one moderator
        # missing from a list of "everyone else" would name them.
        embed.add_field(name="Kept away from this case", value=ALL_MODERATORS_KEPT_AWAY, inline=False)
    elif case.excluded_ids:
        names = ", ".join(f"<@{i}>" for i in case.excluded_ids)
        embed.add_field(
            name="Kept away from this case",
            value=logic.clip(f"The requester asked that these moderators not handle it: {names}. "
                             "Please don't discuss the case with them.", 1024),
            inline=False,
        )
    footer = "Filed"
    if case.for_alternates:
        footer = "Every moderator was excluded, so this case is for the alternate reviewers. Filed"
    embed.set_footer(text=f"{footer} · every action on this case is logged")
    # Discord refuses an embed over 6,000 characters in total (400): with every field at its longest
    # plus a resolution, the summary edit failed and the requester was never told. Shorten the
    # description to fit; /mod-repair export keeps the full text. (tests/e2e/test_properties_repair.py)
    excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        description = embed.description
        embed.description = logic.clip(description, len(description) - excess - len(SHORTENED)) + SHORTENED
    return embed


def case_buttons(case_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    styles = {
        Action.ACKNOWLEDGE: discord.ButtonStyle.success,
        Action.ASSIGN: discord.ButtonStyle.primary,
        Action.REPLY: discord.ButtonStyle.primary,
        Action.NOTE: discord.ButtonStyle.secondary,
        Action.CLOSE: discord.ButtonStyle.danger,
        Action.REOPEN: discord.ButtonStyle.secondary,
    }
    for action, style in styles.items():
        view.add_item(CaseButton(action, case_id, style))
    return view


class CaseButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CASE_ACTION_RE):
    def __init__(self, action: Action | str, case_id: int,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        self.action = Action(action)
        self.case_id = case_id
        super().__init__(discord.ui.Button(label=ACTION_LABELS[self.action], style=style,
                                           custom_id=f"repair:{self.action.value}:{case_id}"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> CaseButton:
        return cls(match["action"], int(match["case"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _cog(interaction)
        await cog.guarded(interaction, "case button", cog.on_case_button(interaction, self.action, self.case_id))


# --- filing: choose server, exclusions, named/anonymous -----------------------------------


class StartButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"repair:start"):
    """'Ask for repair' — other features (e.g. the end of onboarding) may post this button."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Ask for repair", style=discord.ButtonStyle.secondary,
                                           custom_id=START_BUTTON))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> StartButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _cog(interaction)
        await cog.guarded(interaction, "start", cog.start_flow(interaction))


class GuildSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"repair:guild"):
    def __init__(self, guilds: list[discord.Guild] | None = None) -> None:
        options = [discord.SelectOption(label=logic.clip(g.name, 100), value=str(g.id)) for g in (guilds or [])[:25]]
        super().__init__(discord.ui.Select(custom_id=GUILD_SELECT, placeholder="Which server is this about?",
                                           options=options or [discord.SelectOption(label="-", value="0")]))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> GuildSelect:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _cog(interaction)
        values = data_of(interaction).get("values", [])
        await cog.guarded(interaction, "server pick", cog.on_guild_picked(interaction, int(values[0])))


class ExcludeSelect(discord.ui.DynamicItem[discord.ui.Select[Any]],
                    template=r"repair:ex:(?P<guild>[0-9a-z]{1,13})"):
    def __init__(self, guild_id: int, moderators: list[discord.Member] | None = None,
                 chosen: tuple[int, ...] = ()) -> None:
        self.guild_id = guild_id
        # Display names can be copied by anyone; the username can't: show both, so a look-alike
        # moderator is told apart from the one the requester means.
        options = [
            discord.SelectOption(label=logic.clip(m.display_name, 100), value=str(m.id), default=m.id in chosen,
                                 description=logic.clip(f"@{m.name}", 100))
            for m in (moderators or [])[:25]
        ]
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"{EXCLUDE_SELECT}:{logic.to_b36(guild_id)}",
            placeholder="Moderators who should not handle this (optional)",
            min_values=0,
            max_values=max(1, min(logic.MAX_EXCLUDED, len(options))),
            options=options or [discord.SelectOption(label="-", value="0")],
        )
        super().__init__(select)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ExcludeSelect:
        return cls(logic.from_b36(match["guild"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _cog(interaction)
        values = [int(v) for v in data_of(interaction).get("values", []) if str(v).isdigit()]
        await cog.guarded(interaction, "exclusions", cog.on_exclusions_picked(interaction, self.guild_id, values))


class FileButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FILE_BUTTON + ":" + FILING_PATTERN):
    def __init__(self, filing: Filing) -> None:
        self.filing = filing
        label = "File anonymously" if filing.anonymous else "File with my name"
        style = discord.ButtonStyle.secondary if filing.anonymous else discord.ButtonStyle.primary
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=filing.encode(FILE_BUTTON)))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> FileButton:
        return cls(Filing.decode(match["guild"], match["mode"], match["excluded"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _cog(interaction)
        await cog.guarded(interaction, "file button", cog.on_file_button(interaction, self.filing))


def filing_step_view(guild_id: int, moderators: list[discord.Member], excluded: tuple[int, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if moderators:
        view.add_item(ExcludeSelect(guild_id, moderators, excluded))
    view.add_item(FileButton(Filing(guild_id, False, excluded)))
    view.add_item(FileButton(Filing(guild_id, True, excluded)))
    return view


class RelaySelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"repair:relay:(?P<message>[0-9]{1,20})"):
    """'Which case is this message for?' — the DM itself is re-read, never stored in the custom_id."""

    def __init__(self, message_id: int, options: list[discord.SelectOption] | None = None) -> None:
        self.message_id = message_id
        super().__init__(discord.ui.Select(custom_id=f"{RELAY_SELECT}:{message_id}",
                                           placeholder="Which case is this message for?",
                                           options=(options or [discord.SelectOption(label="-", value="0")])[:25]))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> RelaySelect:
        return cls(int(match["message"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _cog(interaction)
        values = data_of(interaction).get("values", [])
        await cog.guarded(interaction, "relay pick",
                          cog.on_relay_picked(interaction, self.message_id, int(values[0])))


# --- modals (detached; submissions handled by RepairCog.on_interaction) ---------------------


def filing_modal(filing: Filing) -> discord.ui.Modal:
    modal = BaseModal(title="Ask for repair (step 2 of 2)", custom_id=filing.encode(FILE_MODAL))
    modal.add_item(discord.ui.TextInput(
        label="What happened?", custom_id=F_WHAT, style=discord.TextStyle.paragraph, required=True,
        max_length=LIMITS[F_WHAT], placeholder="In your own words. Share only what you're comfortable sharing."))
    modal.add_item(discord.ui.TextInput(
        label="Who was involved? (optional)", custom_id=F_WHO, style=discord.TextStyle.paragraph,
        required=False, max_length=LIMITS[F_WHO]))
    modal.add_item(discord.ui.TextInput(
        label="What would help repair? (optional)", custom_id=F_HELP, style=discord.TextStyle.paragraph,
        required=False, max_length=LIMITS[F_HELP]))
    modal.add_item(discord.ui.TextInput(
        label="Anything to know first? (optional)", custom_id=F_CW, style=discord.TextStyle.short,
        required=False, max_length=LIMITS[F_CW], placeholder="For example a content warning"))
    return detached(modal)


def action_modal(action: Action, case_id: int, number: int) -> discord.ui.Modal:
    custom_id = f"{MODAL_ACTIONS[action]}:{case_id}"
    if action is Action.REPLY:
        modal = BaseModal(title=f"Reply to the requester (case #{number})", custom_id=custom_id)
        modal.add_item(discord.ui.TextInput(
            label="Message (signed 'the moderators')", custom_id="text", style=discord.TextStyle.paragraph,
            max_length=REPLY_LIMIT, placeholder="Sent by direct message, signed 'the moderators' — never your name."))
    elif action is Action.NOTE:
        modal = BaseModal(title=f"Note for moderators (case #{number})", custom_id=custom_id)
        modal.add_item(discord.ui.TextInput(
            label="Note (moderators only)", custom_id="text", style=discord.TextStyle.paragraph,
            max_length=NOTE_LIMIT, placeholder="Only moderators handling this case see this."))
    else:
        modal = BaseModal(title=f"Close case #{number}", custom_id=custom_id)
        outcome = ModalSelect(custom_id="outcome", options=[
            discord.SelectOption(label="Resolved — repair happened", value="resolved", default=True),
            discord.SelectOption(label="Closed without full resolution", value="closed"),
        ])
        modal.add_item(discord.ui.Label(text="Outcome", component=outcome))
        modal.add_item(discord.ui.TextInput(
            label="Resolution (shared with the requester)", custom_id="text", style=discord.TextStyle.paragraph,
            max_length=RESOLUTION_LIMIT))
    return detached(modal)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    CaseButton, StartButton, GuildSelect, ExcludeSelect, FileButton, RelaySelect,
)
