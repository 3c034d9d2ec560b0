"""Renders what the repair service returns: embeds, message texts, forms. Words come from texts.py.

Nothing here acts or reads the database; the buttons and selects themselves (DynamicItems) live
with their journey (filing.py, actions.py, relay.py) and call the service.

Who reads decides the language (bot.i18n): the case's place, its summary, buttons and forms, and
moderators' replies are in the server's (`t_server`); the filing steps, receipt, relay answers,
/repair mine and letters to the requester in the requester's (`t`; a letter sent from a moderator's
click is rendered inside `speaking(their language)` by the caller).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, cast

import discord

from bot.i18n import LANGUAGES, speaking, t, t_server, tn, tn_server
from bot.interactions import personal_modal
from bot.plaintext import MESSAGE_LIMIT
from bot.ui import ModalSelect
from cogs.repair import ids, logic, texts
from cogs.repair.logic import STATUS_LABELS, Action, CaseSummary
from cogs.repair.service import FORM_LIMITS, CaseRef, Letter

CaseView = CaseSummary  # the summary's data (kept under its old name for callers and tests)
clip = logic.clip


# Field custom_ids in the filing form
F_WHAT, F_WHO, F_HELP, F_CW = "what", "who", "help", "cw"
LIMITS = FORM_LIMITS
REPLY_LIMIT = 1800
NOTE_LIMIT = 1800
RESOLUTION_LIMIT = 1500
EMBED_TOTAL_LIMIT = 6000
SHORTENED = texts.SHORTENED  # the note on a shortened summary, in English (the server's language says it)

STATUS_COLOURS = {
    "submitted": discord.Colour.orange(),
    "acknowledged": discord.Colour.blue(),
    "in_progress": discord.Colour.blurple(),
    "resolved": discord.Colour.green(),
    "closed": discord.Colour.dark_grey(),
    "reopened": discord.Colour.gold(),
}


def status_label(status: str) -> str:
    """A case's status in words, for the reader of the current language."""
    return t(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def server_status_label(status: str) -> str:
    """A case's status in words, for moderators (the server's language)."""
    return t_server(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def data_of(interaction: discord.Interaction) -> dict[str, Any]:
    """The raw interaction data as a plain dict (discord.py types it as a union of TypedDicts)."""
    return cast(dict[str, Any], interaction.data or {})


# --- the case summary ---------------------------------------------------------------------


def summary_embed(case: CaseSummary) -> discord.Embed:
    """Content warning first, then the text. Embeds never ping; '@everyone' is defused anyway.
    For moderators: in the server's language, whoever filed the case."""
    d = logic.plain  # the requester's words as typed: no masked links or headings
    parts = []
    if case.content_warning:
        parts.append(t_server(texts.SUMMARY_CONTENT_WARNING, text=d(case.content_warning)))
    parts.append(t_server(texts.SUMMARY_WHAT, text=d(case.what_happened)))
    embed = discord.Embed(
        title=t_server(texts.SUMMARY_TITLE, number=case.number),
        description=clip("\n\n".join(parts), 4096),
        colour=STATUS_COLOURS.get(case.status, discord.Colour.default()),
        timestamp=case.created_at,
    )
    if case.anonymous:
        requester = t_server(texts.ANONYMOUS_REQUESTER)
    else:  # a named requester who erased their data (or left long ago) is a former member
        requester = t_server(texts.MENTION, user_id=case.requester_id) if case.requester_id is not None \
            else t_server(texts.FORMER_MEMBER)
    embed.add_field(name=t_server(texts.FIELD_REQUESTER), value=requester, inline=True)
    embed.add_field(name=t_server(texts.FIELD_STATUS), value=server_status_label(case.status), inline=True)
    embed.add_field(name=t_server(texts.FIELD_ASSIGNEE), inline=True,
                    value=t_server(texts.MENTION, user_id=case.assignee_id) if case.assignee_id
                    else t_server(texts.NOBODY_YET))
    if case.who_involved:
        embed.add_field(name=t_server(texts.FIELD_WHO), value=clip(d(case.who_involved), 1024), inline=False)
    if case.what_would_help:
        embed.add_field(name=t_server(texts.FIELD_HELP), value=clip(d(case.what_would_help), 1024), inline=False)
    if case.resolution:
        embed.add_field(name=t_server(texts.FIELD_RESOLUTION), value=clip(d(case.resolution), 1024), inline=False)
    if case.anonymous and case.for_alternates:
        # No names: a moderator who files anonymously can't exclude themself, so the one moderator
        # missing from a list of "everyone else" would name them.
        embed.add_field(name=t_server(texts.FIELD_KEPT_AWAY), value=t_server(texts.ALL_MODERATORS_KEPT_AWAY),
                        inline=False)
    elif case.excluded_ids:
        names = ", ".join(t_server(texts.MENTION, user_id=i) for i in case.excluded_ids)
        embed.add_field(name=t_server(texts.FIELD_KEPT_AWAY), value=clip(t_server(texts.KEPT_AWAY, names=names), 1024),
                        inline=False)
    embed.set_footer(text=t_server(texts.FOOTER_ALTERNATES if case.for_alternates else texts.FOOTER))
    # Discord refuses an embed over 6,000 characters in total (400): with every field at its longest
    # plus a resolution, the summary edit failed and the requester was never told. Shorten the
    # description to fit; /mod-repair export keeps the full text. (tests/e2e/test_properties_repair.py)
    excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        description, shortened = embed.description, t_server(texts.SHORTENED)
        embed.description = clip(description, len(description) - excess - len(shortened)) + shortened
    return embed


def action_line(case: CaseSummary, actor_mention: str, action: Action, text: str | None,
                delivered: bool | None) -> str:
    """What the case's place is told after an action (the server's language)."""
    line = t_server(texts.ACTION_LINES[action.value], who=actor_mention, number=case.number,
                    status=server_status_label(case.status), text=logic.plain(text) if text else text)
    if delivered is False:
        line = t_server(texts.NOT_DELIVERED, line=line)
    return clip(logic.defuse_mass_mentions(line), 2000)


def done(case: CaseSummary) -> str:
    """The moderator's private 'done' (the server's language, like everything about a case)."""
    return t_server(texts.DONE, number=case.number, status=server_status_label(case.status).lower())


def reminder(number: int, hours: int, role_mention: str | None) -> str:
    if role_mention is None:
        return tn_server(texts.REMINDER, hours, number=number)
    return tn_server(texts.REMINDER_PING, hours, role=role_mention, number=number)


def intro(number: int, audience: str, kind: str) -> str:
    return t_server(texts.INTRO[(audience, kind)], number=number)


# --- filing ----------------------------------------------------------------------------------


def filing_step(server: str, chosen: Sequence[str]) -> str:
    parts = [t(texts.STEP_ONE, server=logic.plain(server), max_excluded=logic.MAX_EXCLUDED)]
    if chosen:
        parts.append(t(texts.STEP_ONE_CHOSEN, names=", ".join(chosen)))
    parts.append("\n" + t(texts.STEP_ONE_HOW))
    return clip("\n".join(parts), MESSAGE_LIMIT)


def filing_modal(filing: dict[str, Any]) -> discord.ui.Modal:
    """The filing form; `filing` are its custom_id's values (filing.filing_values)."""
    return personal_modal(
        ids.FILING_FORM, t(texts.FORM_TITLE),
        discord.ui.TextInput(label=t(texts.FORM_WHAT), custom_id=F_WHAT, style=discord.TextStyle.paragraph,
                             required=True, max_length=LIMITS[F_WHAT], placeholder=t(texts.FORM_WHAT_HINT)),
        discord.ui.TextInput(label=t(texts.FORM_WHO), custom_id=F_WHO, style=discord.TextStyle.paragraph,
                             required=False, max_length=LIMITS[F_WHO]),
        discord.ui.TextInput(label=t(texts.FORM_HELP), custom_id=F_HELP, style=discord.TextStyle.paragraph,
                             required=False, max_length=LIMITS[F_HELP]),
        discord.ui.TextInput(label=t(texts.FORM_CW), custom_id=F_CW, style=discord.TextStyle.short, required=False,
                             max_length=LIMITS[F_CW], placeholder=t(texts.FORM_CW_HINT)),
        **filing)


def give_back(given: dict[str, str | None]) -> discord.File | None:
    """The person's own text as a file (only they see it), so a refusal loses nothing."""
    body = "\n\n".join(t(texts.GIVE_BACK_SECTIONS[k], text=v) for k, v in given.items() if v)
    return discord.File(io.BytesIO(body.encode()), filename=t(texts.GIVE_BACK_FILE)) if body else None


def receipt(*, number: int, anonymous: bool, to_moderators: bool, no_alternates: bool,
            admins: Sequence[str], filer_is_moderator: bool, resource: str) -> str:
    """What the person is told once their request is saved, in their language. One message in every
    language (tests/unit/test_repair_views.py checks the longest): the case is routed after it is sent,
    so a longer receipt would delay what moderators see."""
    parts = [t(texts.RECEIPT_ANONYMOUS if anonymous else texts.RECEIPT_NAMED, number=number),
             t(texts.NEXT_MODERATORS if to_moderators else texts.NEXT_ALTERNATES)]
    if not to_moderators and no_alternates:
        parts.append(t(texts.NO_ALTERNATES_YET))
    if admins:
        parts.append(t(texts.ADMINS_SEE_ALL, names=", ".join(admins)))
    if anonymous and filer_is_moderator:
        parts.append(t(texts.MODERATOR_FILES_ANONYMOUSLY))
    parts.append(resource)
    return clip("\n\n".join(parts), MESSAGE_LIMIT)


_TEXT_MARK = "\x00text\x00"  # where the moderators' words go in a letter's frame


def _frame(letter: Letter) -> str:
    return t(texts.TO_REQUESTER[letter.key], number=letter.number, text=_TEXT_MARK, resource=letter.resource)


def letter_pages(letter: Letter) -> list[str]:
    """A letter to the requester, in the current language, as messages of at most 2,000 characters.

    The moderators' words are split by the widest frame any language gives this letter, so how many
    messages go out depends only on those words, never on the requester's language: for an anonymous
    requester, moderators could otherwise time the DMs before their thread's line to learn it."""
    frame = _frame(letter)
    if _TEXT_MARK not in frame:  # acknowledged, reopened: no words of the moderators, one message
        return [clip(frame, MESSAGE_LIMIT)]
    widest = 0
    for language in LANGUAGES:
        with speaking(language):
            widest = max(widest, len(_frame(letter)) - len(_TEXT_MARK))
    head, tail = frame.split(_TEXT_MARK, 1)
    pages = logic.plain_pieces(letter.text or "", MESSAGE_LIMIT - widest)
    pages[0] = head + pages[0]
    pages[-1] = pages[-1] + tail
    return pages


# --- moderators' forms -------------------------------------------------------------------------


def action_modal(action: Action, case_id: int, number: int) -> discord.ui.Modal:
    """A moderator's form on a case (the server's language, like the case's place)."""
    ids_of = {"form": ids.FORM_OF[action.value], "case": case_id}
    if action is Action.REPLY:
        return personal_modal(ids.FORM, t_server(texts.REPLY_TITLE, number=number), discord.ui.TextInput(
            label=t_server(texts.REPLY_LABEL), custom_id="text", style=discord.TextStyle.paragraph,
            max_length=REPLY_LIMIT, placeholder=t_server(texts.REPLY_HINT)), **ids_of)
    if action is Action.NOTE:
        return personal_modal(ids.FORM, t_server(texts.NOTE_TITLE, number=number), discord.ui.TextInput(
            label=t_server(texts.NOTE_LABEL), custom_id="text", style=discord.TextStyle.paragraph,
            max_length=NOTE_LIMIT, placeholder=t_server(texts.NOTE_HINT)), **ids_of)
    outcome = ModalSelect(custom_id="outcome", options=[
        discord.SelectOption(label=t_server(texts.CLOSE_RESOLVED), value="resolved", default=True),
        discord.SelectOption(label=t_server(texts.CLOSE_CLOSED), value="closed"),
    ])
    return personal_modal(
        ids.FORM, t_server(texts.CLOSE_TITLE, number=number),
        discord.ui.Label(text=t_server(texts.CLOSE_OUTCOME), component=outcome),
        discord.ui.TextInput(label=t_server(texts.CLOSE_TEXT), custom_id="text", style=discord.TextStyle.paragraph,
                             max_length=RESOLUTION_LIMIT), **ids_of)


# --- relay -------------------------------------------------------------------------------------


def relay_message(case: Any, user_id: int | None, text: str, *, early: bool = False) -> tuple[str, discord.Embed]:
    """The line and embed that carry a requester's DM into the case's place (`case`: number, anonymous),
    in the server's language whatever language the requester writes in."""
    if case.anonymous or user_id is None:
        header = t_server(texts.RELAYED_ANONYMOUS_EARLY if early else texts.RELAYED_ANONYMOUS, number=case.number)
    else:
        header = t_server(texts.RELAYED_NAMED_EARLY if early else texts.RELAYED_NAMED, user_id=user_id,
                          number=case.number)
    # Clip after defusing: each defused '@everyone' grows by one character, and a 4,000-character
    # DM full of them went over Discord's 4,096 limit, so it never reached the case thread.
    embed = discord.Embed(description=clip(logic.plain(text), 4096), colour=discord.Colour.teal())
    embed.set_author(name=t_server(texts.RELAYED_AUTHOR))
    return header, embed


def held_notice(count: int) -> str:
    return tn_server(texts.HELD_NOTICE, count)


def where(number: int, server: str | None) -> str:
    if server is None:
        return t(texts.WHERE, number=number)
    return t(texts.WHERE_IN_SERVER, number=number, server=logic.plain(server))


def destination(number: int, server: str | None) -> str:
    label = t(texts.DESTINATION, number=number, server=server) if server is not None \
        else t(texts.DESTINATION_NO_SERVER, number=number)
    return clip(label, 100)


def destination_detail(case: CaseRef) -> str:
    return t(texts.DESTINATION_FILED_ANONYMOUS if case.anonymous else texts.DESTINATION_FILED,
             date=f"{case.created_at:%Y-%m-%d}")


# --- lists ---------------------------------------------------------------------------------------


def mine(cases: Sequence[CaseRef], servers: dict[int, str], waiting: int) -> str:
    lines = [t(texts.MINE_TITLE)]
    for case in cases[-20:]:
        server = servers.get(case.guild_id)
        lines.append(t(texts.MINE_LINE_ANONYMOUS if case.anonymous else texts.MINE_LINE, number=case.number,
                       server=logic.plain(server) if server is not None else t(texts.MINE_UNKNOWN_SERVER),
                       status=status_label(case.status), filed=logic.discord_time(case.created_at)))
    if waiting:
        lines += ["", tn(texts.MINE_WAITING, waiting)]
    return clip("\n".join(lines), 2000)


def case_list(cases: Sequence[CaseRef], status: str) -> str:
    """/mod-repair cases (a moderator-only reply: the server's language)."""
    shown = t_server(texts.STATUS_CHOICES[status]) if status in texts.STATUS_CHOICES else status.replace("_", " ")
    lines = [t_server(texts.CASES_TITLE, status=shown)]
    for c in cases:
        if c.thread_id:
            sentence = texts.CASE_LINE_ANONYMOUS if c.anonymous else texts.CASE_LINE
        else:
            sentence = texts.CASE_LINE_UNROUTED_ANONYMOUS if c.anonymous else texts.CASE_LINE_UNROUTED
        lines.append(t_server(sentence, number=c.number, status=server_status_label(c.status),
                              filed=logic.discord_time(c.created_at), thread_id=c.thread_id))
    return clip("\n".join(lines), 2000)
