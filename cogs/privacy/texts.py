"""Every sentence the privacy feature says (ready for translation). What each table holds and why
is the inventory's (cogs/privacy/inventory.py, its sentences marked `N_` and in this feature's catalog), which
also writes README's block.

Whole sentences with named placeholders; one sentence per form where a number or a kind changes it
(`Plural` where it depends on a number). Who reads a sentence decides its language: the person asking
(`t`) for /privacy and /mydata; the server's (`t_server`) for /audit, the audit-log reason and the
bot's own lines in case threads.
"""

from __future__ import annotations

from bot.i18n import Plural

PAGE_OF = "Page {page} of {total}"
PREVIOUS_PAGE = "Previous page"
NEXT_PAGE = "Next page"
PAGE = "Page"

# --- /privacy ----------------------------------------------------------------------------------------

INVENTORY_HEADING = "**What I store and why**"
RETENTION_HERE = "`retention_days_after_leave` (here: {days:g} days)"
CASE_RETENTION_HERE = "`case_retention_days` (here: {days:g} days)"
TABLE = "**{title}**\nWhy: {why}\nDeleted: {deleted}\nWhat is kept: {columns}."
COLUMN_SEPARATOR = "; "
# After the inventory's introduction: the one row the bot writes without being asked (bot/languages.py).
LANGUAGE_NOTE = ("Once you use the bot, it notes the language of your Discord app when it differs from the server's, "
                 "so its direct messages reach you in your language. `/language` changes it; `/mydata delete` "
                 "erases it.")

# --- /mydata show ------------------------------------------------------------------------------------

TOO_SOON = (
    "I showed you your data a moment ago, and nothing has changed since unless you did something new. To keep "
    "the bot quick for everyone, please ask again in about {seconds} seconds."
)
MORE_THAN_FITS = "There is more than fits here: `/mydata export` has all of it."
HOLD_NOTHING_HERE = "**What I hold about you**\nNothing. I have no records about you in this server."
HOLD_NOTHING = "**What I hold about you**\nNothing. I have no records about you."
HOLD_HEAD = ("**What I hold about you**\nOnly you can see this. `/mydata export` sends it as a file; "
             "`/mydata delete` erases it (you will be asked to confirm first).")
UNKNOWN_SERVER = "a server I am no longer in (ID {guild_id})"
UNKNOWN_DATE = "an unknown date"
SERVER_HEADING = "**{name}**"
NOTHING_STORED = "Nothing stored."
MEMBERSHIP = "• Membership: you said yes to the agreements (version {version}) on {date}."
ONBOARDING = "• Onboarding: {status}, on step {step}, started {date}."
QUESTIONS = "• Questions you asked during onboarding: {count}."
ONBOARDING_STATUSES: dict[str, str] = {
    "in_progress": "in progress",
    "declined": "declined",
    "completed": "completed",
}
CASE_STATUSES: dict[str, str] = {
    "submitted": "submitted",
    "acknowledged": "acknowledged",
    "in_progress": "in progress",
    "resolved": "resolved",
    "closed": "closed",
    "reopened": "reopened",
}
QUESTION = "  – {date}: \"{question}\""
COI_TAGS = "• Conflict of interest (COI) tags: {names}."
LIST_SEPARATOR = ", "
AFFILIATION = ("• You said which organization you represent (`/attendance mine` shows its figure; "
               "`/organization clear` removes it).")
AFFILIATION_INDIVIDUAL = "• You said you're here as an individual, not for an organization."
CHECK_INS = Plural("• You pressed \"I'm here\" at {count} monthly Coalition meeting.",
                   "• You pressed \"I'm here\" at {count} monthly Coalition meetings.")
NOTES = Plural("• You volunteered to take notes at {count} meeting: {dates}.",
               "• You volunteered to take notes at {count} meetings: {dates}.")
ACCESS_REQUEST = "• Access request #{number} you made ({needs}): {status}, {date}."
ACCESS_WORDS = "  – what you wrote: \"{detail}\""
CASE_OPEN = "• Repair case #{number} you filed: {status}, filed {filed}."
CASE_CLOSED = "• Repair case #{number} you filed: {status}, filed {filed}, closed {closed}."
CASE_OPEN_ANONYMOUS = ("• Repair case #{number} you filed (anonymous — only you can see this link): {status}, "
                       "filed {filed}.")
CASE_CLOSED_ANONYMOUS = ("• Repair case #{number} you filed (anonymous — only you can see this link): {status}, "
                         "filed {filed}, closed {closed}.")
LEFT = "• You left this server on {date}."
MODERATOR_COLUMNS: dict[tuple[str, str], str] = {
    ("audit_log", "actor_id"): "• Moderator actions in the audit log: {count}.",
    ("waiting_room", "started_by"): "• Waiting rooms you opened: {count}.",
    ("meeting", "started_by"): "• Meetings you opened: {count}.",
    ("confidential_space", "added_by"): "• Spaces you marked confidential: {count}.",
    ("recording_exception", "granted_by"): "• Recording exceptions you granted: {count}.",
    ("onboarding_question", "answered_by"): "• Newcomers' questions you answered: {count}.",
    ("repair_case", "assignee_id"): "• Repair cases assigned to you: {count}.",
    ("repair_event", "actor_id"): "• Entries you made in repair case histories: {count}.",
    ("access_request", "decided_by"): "• Access requests you answered: {count}.",
    ("waiting_room", "moved_member_ids"): "• Waiting rooms you were moved into: {count}.",
}
OTHER_RECORDS = "• Other records in `{table}` ({column}): {count}."
PURGE_ON = "Everything above will be deleted on {date} unless you rejoin."

# --- /mydata export ----------------------------------------------------------------------------------

EXPORT_READY = ("Here is everything I hold about you, as a JSON file. Only you can see this message; keep the file "
                "somewhere safe, since it may include the text of repair cases you filed.")
EXPORT_FILENAME = "my-data.json"
EXPORT_ABOUT = ("Everything the coalition bot stores about you. Encrypted text is included only where it is your own "
                "words (your questions and the cases you filed).")

# --- /mydata delete ----------------------------------------------------------------------------------

CONFIRM_EVERYWHERE = "**Delete what I hold about you in every server we share?**"
CONFIRM_HERE = "**Delete what I hold about you in **{server}**?**"
CONFIRM_BODY = (
    "This deletes:\n"
    "• your onboarding progress and history, and your membership record\n"
    "• questions you asked during onboarding\n"
    "• your conflict of interest (COI) tags\n"
    "• your meeting note-taker records\n"
    "• which organization you said you represent, and your \"I'm here\" check-ins at meetings\n"
    "• your link to any repair case you filed, anonymous ones too. The case itself stays with the "
    "moderators so they can finish the repair work; it will show \"former member\" instead of you.\n"
    "• your link to your access requests and what you wrote in them (the moderators keep only which needs "
    "were asked for and their answer, as \"former member\")\n"
    "• your ID in moderator records (audit log, case histories), which then show \"former member\".\n\n"
    "In Discord, I will remove your COI roles (I manage those). I will **not** remove your Member role, "
    "kick you, or delete any messages — you stay in the server exactly as you are.\n"
    "This cannot be undone. If you change your mind later, you can go through onboarding or tag your "
    "COI again."
)
ERASE_LABEL = "Yes, delete my data"
KEEP_LABEL = "No, keep my data"
NOT_YOURS = "These buttons belong to someone else's request, so I can't act on them for you."
DONE = Plural("Done. I deleted or cleared {count} record about you.",
              "Done. I deleted or cleared {count} records about you.")
CASES_UNLINKED = Plural("I removed your link to {count} repair case; it now shows \"former member\".",
                        "I removed your link to {count} repair cases; they now show \"former member\".")
ROLES_REMOVED = Plural("I removed {count} COI role from you.", "I removed {count} COI roles from you.")
ROLES_FAILED = Plural(
    "I could not remove {count} COI role (missing permission); a moderator can remove it, or you can ask one to.",
    "I could not remove {count} COI roles (missing permission); a moderator can remove them, or you can ask one to.",
)
UNTOUCHED = "Your Member role and your messages are untouched."
CANCELLED = "Okay, nothing was deleted. Your data stays as it was."
ROLES_REASON = "The member erased their data (/mydata delete)"
FORMER_MEMBER_WROTE = "💬 Former member wrote (case #{number}):"

# --- /audit ------------------------------------------------------------------------------------------

AUDIT_TITLE = "**Audit log — most recent first**"
AUDIT_TITLE_FILTERED = "**Audit log — most recent first** (actions starting with `{prefix}`)"
AUDIT_EMPTY = "No entries yet."
AUDIT_LINE = "`{when}` **{action}** by {actor}"
AUDIT_LINE_WITH_SUBJECT = "`{when}` **{action}** by {actor} · {subject}"
AUDIT_NOBODY = "former member / the bot"
BAD_ACTION_FILTER = "An action filter is a word like `repair` or `repair.close` (letters, digits, dots)."

# --- the person's language (person_language: theirs in every server, so shown apart) -------------------

EVERYWHERE = "Everywhere (every server and our direct messages)"
LANGUAGE_CHOSEN = "• Language: {language} (you chose it; change it with `/language`)."
LANGUAGE_FROM_APP = "• Language: {language} (your Discord app's language; pick one with `/language`)."

# --- slash commands: descriptions Discord shows in the command picker -----------------------------

CMD_PRIVACY = "What the bot stores about people, why, and when it is deleted"
CMD_AUDIT = "Moderators: read the audit log"
CMD_AUDIT_RECENT = "Moderators: the most recent audit log entries"
OPT_AUDIT_ACTION = "Only actions starting with this, e.g. repair or coi.waiting_room"
CMD_MYDATA = "See, download or delete what the bot holds about you"
CMD_MYDATA_SHOW = "See everything the bot holds about you (only you can see it)"
CMD_MYDATA_EXPORT = "Get everything the bot holds about you as a file (only for you)"
CMD_MYDATA_DELETE = "Delete what the bot holds about you (asks you to confirm first)"
