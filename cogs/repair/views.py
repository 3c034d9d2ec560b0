"""Renders what the repair service returns: embeds, message texts, forms. Words come from texts.py.

Nothing here acts or reads the database; the buttons and selects themselves (DynamicItems) live
with their journey (filing.py, actions.py, relay.py) and call the service.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, cast

import discord

from bot.interactions import personal_modal
from bot.ui import ModalSelect
from cogs.repair import ids, logic, texts
from cogs.repair.logic import STATUS_LABELS, Action, CaseSummary
from cogs.repair.service import FORM_LIMITS, CaseRef

CaseView = CaseSummary  # the summary's data (kept under its old name for callers and tests)
clip = logic.clip


# Field custom_ids in the filing form
F_WHAT, F_WHO, F_HELP, F_CW = "what", "who", "help", "cw"
LIMITS = FORM_LIMITS
REPLY_LIMIT = 1800
NOTE_LIMIT = 1800
RESOLUTION_LIMIT = 1500
EMBED_TOTAL_LIMIT = 6000
SHORTENED = texts.SHORTENED

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


# --- the case summary ---------------------------------------------------------------------


def summary_embed(case: CaseSummary) -> discord.Embed:
    """Content warning first, then the text. Embeds never ping; '@everyone' is defused anyway."""
    d = logic.plain  # the requester's words as typed: no masked links or headings
    parts = []
    if case.content_warning:
        parts.append(texts.SUMMARY_CONTENT_WARNING.format(text=d(case.content_warning)))
    parts.append(texts.SUMMARY_WHAT.format(text=d(case.what_happened)))
    embed = discord.Embed(
        title=texts.SUMMARY_TITLE.format(number=case.number),
        description=clip("\n\n".join(parts), 4096),
        colour=STATUS_COLOURS.get(case.status, discord.Colour.default()),
        timestamp=case.created_at,
    )
    if case.anonymous:
        requester = texts.ANONYMOUS_REQUESTER
    else:  # a named requester who erased their data (or left long ago) is a former member
        requester = texts.MENTION.format(user_id=case.requester_id) if case.requester_id is not None \
            else texts.FORMER_MEMBER
    embed.add_field(name=texts.FIELD_REQUESTER, value=requester, inline=True)
    embed.add_field(name=texts.FIELD_STATUS, value=STATUS_LABELS.get(case.status, case.status), inline=True)
    embed.add_field(name=texts.FIELD_ASSIGNEE, inline=True, value=texts.MENTION.format(user_id=case.assignee_id)
                    if case.assignee_id else texts.NOBODY_YET)
    if case.who_involved:
        embed.add_field(name=texts.FIELD_WHO, value=clip(d(case.who_involved), 1024), inline=False)
    if case.what_would_help:
        embed.add_field(name=texts.FIELD_HELP, value=clip(d(case.what_would_help), 1024), inline=False)
    if case.resolution:
        embed.add_field(name=texts.FIELD_RESOLUTION, value=clip(d(case.resolution), 1024), inline=False)
    if case.anonymous and case.for_alternates:
        # No names: a moderator who files anonymously can't exclude themself, so the one moderator
        # missing from a list of "everyone else" would name them.
        embed.add_field(name=texts.FIELD_KEPT_AWAY, value=texts.ALL_MODERATORS_KEPT_AWAY, inline=False)
    elif case.excluded_ids:
        names = ", ".join(texts.MENTION.format(user_id=i) for i in case.excluded_ids)
        embed.add_field(name=texts.FIELD_KEPT_AWAY, value=clip(texts.KEPT_AWAY.format(names=names), 1024),
                        inline=False)
    embed.set_footer(text=texts.FOOTER_ALTERNATES if case.for_alternates else texts.FOOTER)
    # Discord refuses an embed over 6,000 characters in total (400): with every field at its longest
    # plus a resolution, the summary edit failed and the requester was never told. Shorten the
    # description to fit; /mod-repair export keeps the full text. (tests/e2e/test_properties_repair.py)
    excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        description = embed.description
        embed.description = clip(description, len(description) - excess - len(SHORTENED)) + SHORTENED
    return embed


def action_line(case: CaseSummary, actor_mention: str, action: Action, text: str | None,
                delivered: bool | None) -> str:
    """What the case's place is told after an action."""
    line = texts.ACTION_LINES[action.value].format(
        who=actor_mention, number=case.number, status=STATUS_LABELS[case.status],
        text=logic.plain(text) if text else text)
    if delivered is False:
        line = texts.NOT_DELIVERED.format(line=line)
    return clip(logic.defuse_mass_mentions(line), 2000)


def done(case: CaseSummary) -> str:
    return texts.DONE.format(number=case.number, status=STATUS_LABELS[case.status].lower())


def reminder(number: int, hours: int, role_mention: str | None) -> str:
    if role_mention is None:
        return texts.REMINDER.format(number=number, hours=hours)
    return texts.REMINDER_PING.format(role=role_mention, number=number, hours=hours)


def intro(number: int, audience: str, kind: str) -> str:
    return texts.INTRO[(audience, kind)].format(number=number)


# --- filing ----------------------------------------------------------------------------------


def filing_step(server: str, chosen: Sequence[str]) -> str:
    parts = [texts.STEP_ONE.format(server=logic.plain(server), max_excluded=logic.MAX_EXCLUDED)]
    if chosen:
        parts.append(texts.STEP_ONE_CHOSEN.format(names=", ".join(chosen)))
    parts.append("\n" + texts.STEP_ONE_HOW)
    return "\n".join(parts)


def filing_modal(filing: dict[str, Any]) -> discord.ui.Modal:
    """The filing form; `filing` are its custom_id's values (filing.filing_values)."""
    return personal_modal(
        ids.FILING_FORM, texts.FORM_TITLE,
        discord.ui.TextInput(label=texts.FORM_WHAT, custom_id=F_WHAT, style=discord.TextStyle.paragraph,
                             required=True, max_length=LIMITS[F_WHAT], placeholder=texts.FORM_WHAT_HINT),
        discord.ui.TextInput(label=texts.FORM_WHO, custom_id=F_WHO, style=discord.TextStyle.paragraph,
                             required=False, max_length=LIMITS[F_WHO]),
        discord.ui.TextInput(label=texts.FORM_HELP, custom_id=F_HELP, style=discord.TextStyle.paragraph,
                             required=False, max_length=LIMITS[F_HELP]),
        discord.ui.TextInput(label=texts.FORM_CW, custom_id=F_CW, style=discord.TextStyle.short, required=False,
                             max_length=LIMITS[F_CW], placeholder=texts.FORM_CW_HINT),
        **filing)


def give_back(given: dict[str, str | None]) -> discord.File | None:
    """The person's own text as a file (only they see it), so a refusal loses nothing."""
    body = "\n\n".join(texts.GIVE_BACK_SECTIONS[k].format(text=v) for k, v in given.items() if v)
    return discord.File(io.BytesIO(body.encode()), filename=texts.GIVE_BACK_FILE) if body else None


def receipt(*, number: int, anonymous: bool, to_moderators: bool, no_alternates: bool,
            admins: Sequence[str], filer_is_moderator: bool, resource: str) -> str:
    """What the person is told once their request is saved."""
    parts = [(texts.RECEIPT_ANONYMOUS if anonymous else texts.RECEIPT_NAMED).format(number=number),
             texts.NEXT_MODERATORS if to_moderators else texts.NEXT_ALTERNATES]
    if not to_moderators and no_alternates:
        parts.append(texts.NO_ALTERNATES_YET)
    if admins:
        parts.append(texts.ADMINS_SEE_ALL.format(names=", ".join(admins)))
    if anonymous and filer_is_moderator:
        parts.append(texts.MODERATOR_FILES_ANONYMOUSLY)
    parts.append(resource)
    return "\n\n".join(parts)


# --- moderators' forms -------------------------------------------------------------------------


def action_modal(action: Action, case_id: int, number: int) -> discord.ui.Modal:
    ids_of = {"form": ids.FORM_OF[action.value], "case": case_id}
    if action is Action.REPLY:
        return personal_modal(ids.FORM, texts.REPLY_TITLE.format(number=number), discord.ui.TextInput(
            label=texts.REPLY_LABEL, custom_id="text", style=discord.TextStyle.paragraph, max_length=REPLY_LIMIT,
            placeholder=texts.REPLY_HINT), **ids_of)
    if action is Action.NOTE:
        return personal_modal(ids.FORM, texts.NOTE_TITLE.format(number=number), discord.ui.TextInput(
            label=texts.NOTE_LABEL, custom_id="text", style=discord.TextStyle.paragraph, max_length=NOTE_LIMIT,
            placeholder=texts.NOTE_HINT), **ids_of)
    outcome = ModalSelect(custom_id="outcome", options=[
        discord.SelectOption(label=texts.CLOSE_RESOLVED, value="resolved", default=True),
        discord.SelectOption(label=texts.CLOSE_CLOSED, value="closed"),
    ])
    return personal_modal(
        ids.FORM, texts.CLOSE_TITLE.format(number=number),
        discord.ui.Label(text=texts.CLOSE_OUTCOME, component=outcome),
        discord.ui.TextInput(label=texts.CLOSE_TEXT, custom_id="text", style=discord.TextStyle.paragraph,
                             max_length=RESOLUTION_LIMIT), **ids_of)


# --- relay -------------------------------------------------------------------------------------


def relay_message(case: Any, user_id: int | None, text: str, *, early: bool = False) -> tuple[str, discord.Embed]:
    """The line and embed that carry a requester's DM into the case's place (`case`: number, anonymous)."""
    if case.anonymous or user_id is None:
        header = (texts.RELAYED_ANONYMOUS_EARLY if early else texts.RELAYED_ANONYMOUS).format(number=case.number)
    else:
        header = (texts.RELAYED_NAMED_EARLY if early else texts.RELAYED_NAMED).format(user_id=user_id,
                                                                                       number=case.number)
    # Clip after defusing: each defused '@everyone' grows by one character, and a 4,000-character
    # DM full of them went over Discord's 4,096 limit, so it never reached the case thread.
    embed = discord.Embed(description=clip(logic.plain(text), 4096), colour=discord.Colour.teal())
    embed.set_author(name=texts.RELAYED_AUTHOR)
    return header, embed


def held_notice(count: int) -> str:
    return (texts.HELD_NOTICE if count == 1 else texts.HELD_NOTICE_MANY).format(count=count)


def where(number: int, server: str | None) -> str:
    if server is None:
        return texts.WHERE.format(number=number)
    return texts.WHERE_IN_SERVER.format(number=number, server=logic.plain(server))


def destination(number: int, server: str | None) -> str:
    label = texts.DESTINATION.format(number=number, server=server) if server is not None \
        else texts.DESTINATION_NO_SERVER.format(number=number)
    return clip(label, 100)


def destination_detail(case: CaseRef) -> str:
    sentence = texts.DESTINATION_FILED_ANONYMOUS if case.anonymous else texts.DESTINATION_FILED
    return sentence.format(date=f"{case.created_at:%Y-%m-%d}")


# --- lists ---------------------------------------------------------------------------------------


def mine(cases: Sequence[CaseRef], servers: dict[int, str], waiting: int) -> str:
    lines = [texts.MINE_TITLE]
    for case in cases[-20:]:
        server = servers.get(case.guild_id)
        lines.append((texts.MINE_LINE_ANONYMOUS if case.anonymous else texts.MINE_LINE).format(
            number=case.number, server=logic.plain(server) if server is not None else texts.MINE_UNKNOWN_SERVER,
            status=STATUS_LABELS.get(case.status, case.status), filed=logic.discord_time(case.created_at)))
    if waiting:
        lines += ["", texts.MINE_WAITING.format(count=waiting)]
    return clip("\n".join(lines), 2000)


def case_list(cases: Sequence[CaseRef], status: str) -> str:
    lines = [texts.CASES_TITLE.format(status=status.replace("_", " "))]
    for c in cases:
        if c.thread_id:
            sentence = texts.CASE_LINE_ANONYMOUS if c.anonymous else texts.CASE_LINE
        else:
            sentence = texts.CASE_LINE_UNROUTED_ANONYMOUS if c.anonymous else texts.CASE_LINE_UNROUTED
        lines.append(sentence.format(number=c.number, status=STATUS_LABELS[c.status],
                                     filed=logic.discord_time(c.created_at), thread_id=c.thread_id))
    return clip("\n".join(lines), 2000)
