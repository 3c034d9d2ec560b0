"""Every sentence the repair feature says, whole (ready for translation).

Values go in through named placeholders ({number}, {server}, …); no sentence is put together from
pieces in code. Where a sentence differs by a fact (named or anonymous, thread or channel), each
variant is written out here in full; where it differs by a number, it is a `Plural`. Names and typed
text are defused by the caller before they are put in (`logic.plain`).

Who reads a sentence decides its language (bot.i18n): the person asking for repair reads the filing
steps, the form, the receipt, relay answers and the moderators' messages in their own language
(`t`/`tn`, or `speaking(their language)` for a DM sent from a moderator's click); moderators read
the case's place, its summary, buttons and forms, their own replies and #mod-log in the server's
(`t_server`/`tn_server`).
"""

from __future__ import annotations

from bot.i18n import Plural

# --- statuses, actions, labels ------------------------------------------------------------

STATUS_LABELS: dict[str, str] = {
    "submitted": "Submitted — waiting for a moderator",
    "acknowledged": "Acknowledged",
    "in_progress": "In progress",
    "resolved": "Resolved",
    "closed": "Closed",
    "reopened": "Reopened",
}
ACTION_LABELS: dict[str, str] = {
    "ack": "Acknowledge",
    "assign": "Assign to me",
    "reply": "Reply to requester",
    "note": "Add note",
    "close": "Close with resolution",
    "reopen": "Reopen",
}
STATUS_UNKNOWN = "This case has an unknown status ({status}); please ask an administrator."
NOTHING_TO_REOPEN = "This case is still open, so there is nothing to reopen."
ALREADY_CLOSED = "This case is already closed. If it needs more work, press **Reopen** first."
ALREADY_ACKNOWLEDGED = "This case has already been acknowledged — no need to do it again."
ALREADY_YOURS = "This case is already assigned to you."
CHOOSE_OUTCOME = "Please choose whether the case is resolved or closed without resolution."

# --- limits ----------------------------------------------------------------------------

TOO_MANY_OPEN = Plural(
    "You already have {count} open repair request with the moderators, which is the most one person can "
    "have open at a time ({max_open}). You can file a new one as soon as one of them is closed. You can "
    "still send more to an open case: just write to me here in a direct message.",
    "You already have {count} open repair requests with the moderators, which is the most one person can "
    "have open at a time ({max_open}). You can file a new one as soon as one of them is closed. You can "
    "still send more to an open case: just write to me here in a direct message.",
)
COOLDOWN = Plural(
    "You filed a request a moment ago. To keep things manageable for everyone, there is a short pause "
    "of {minutes} minute between requests. You can file again {retry}. If you want to add to your "
    "request, write to me here in a direct message and I'll pass it on.",
    "You filed a request a few minutes ago. To keep things manageable for everyone, there is a short pause "
    "of {minutes} minutes between requests. You can file again {retry}. If you want to add to your "
    "request, write to me here in a direct message and I'll pass it on.",
)

# --- filing ------------------------------------------------------------------------------

START_LABEL = "Ask for repair"
NO_SHARED_SERVER = (
    "I can't find a server that we're both in, so I don't know which moderators to ask. Please run "
    "/repair request inside the server."
)
PICK_SERVER = (
    "**Ask for repair**\nWe share more than one server. Which server's moderators should this go to?"
)
PICK_SERVER_PLACEHOLDER = "Which server is this about?"
NOT_IN_SERVER = "I can't find you in that server any more. Please try /repair request again."
PICK_A_SERVER = "Please pick the server from the list."
STEP_ONE = (
    "**Ask for repair — step 1 of 2** (goes privately to the moderators of **{server}**)\n"
    "\n"
    "**Is there a moderator who should not handle this?** If so, pick them below (optional, up to "
    "{max_excluded}). They won't be added to the case and can't act on it."
)
STEP_ONE_CHOSEN = (
    "Kept away from your request: {names}. Please check the usernames: display names can be copied, "
    "usernames can't."
)
STEP_ONE_HOW = (
    "**Then choose how to file:**\n"
    "• **File with my name** — the moderators will see who you are.\n"
    "• **File anonymously** — moderators won't see your name; I keep a sealed (encrypted) link to you only "
    "to pass messages between you and them."
)
EXCLUDE_PLACEHOLDER = "Moderators who should not handle this (optional)"
FILE_NAMED = "File with my name"
FILE_ANONYMOUS = "File anonymously"
WHO = "{display_name} (@{username})"

FORM_TITLE = "Ask for repair (step 2 of 2)"
FORM_WHAT = "What happened?"
FORM_WHAT_HINT = "In your own words. Share only what you're comfortable sharing."
FORM_WHO = "Who was involved? (optional)"
FORM_HELP = "What would help repair? (optional)"
FORM_CW = "Anything to know first? (optional)"
FORM_CW_HINT = "For example a content warning"

GONE_FROM_SERVER = (
    "I can't find you in that server any more, so I couldn't file this. Here is what you wrote, so nothing "
    "is lost."
)
WHAT_MISSING = (
    "Please describe what happened — that part is needed so the moderators can help. Here is what you wrote, "
    "so nothing is lost."
)
LIMIT_GIVE_BACK = "{reason}\n\nHere is what you wrote, so nothing is lost."
GIVE_BACK_FILE = "my-repair-request.txt"
GIVE_BACK_SECTIONS = {
    "what": "What happened:\n{text}",
    "who": "Who was involved:\n{text}",
    "help": "What would help repair:\n{text}",
    "cw": "To know first:\n{text}",
}

RECEIPT_NAMED = "Thank you. Your request is saved as **case #{number}**."
RECEIPT_ANONYMOUS = "Thank you. Your request is saved as **case #{number}** (anonymous)."
NEXT_MODERATORS = (
    "**What happens next:** it goes privately to the moderators. I'll send you a direct message when someone "
    "acknowledges it, whenever they reply, and when the case is closed. To add anything, just write to me in "
    "a direct message."
)
NEXT_ALTERNATES = (
    "**What happens next:** it goes privately to the server's alternate reviewers. I'll send you a direct "
    "message when someone acknowledges it, whenever they reply, and when the case is closed. To add "
    "anything, just write to me in a direct message."
)
NO_ALTERNATES_YET = (
    "To be honest with you: every moderator is on your list, and this server has no alternate reviewers set "
    "up yet. Your request is kept safely (encrypted) and will reach the alternate reviewers as soon as an "
    "administrator sets them up; I've asked for that without sharing anything about your request."
)
ADMINS_SEE_ALL = (
    "Please note: {names} can see every channel because of their server role (Discord allows administrators "
    "to see everything), so I can't hide the case from them. I will still not let them act on it."
)
MODERATOR_FILES_ANONYMOUSLY = (
    "Because you are a moderator, you stay in the case thread like every other moderator, so nobody can "
    "tell who filed it from who is missing. You won't be able to act on your own case; another moderator "
    "will."
)

# --- the case summary and its buttons --------------------------------------------------------

SUMMARY_TITLE = "Repair case #{number}"
SUMMARY_CONTENT_WARNING = "**⚠️ Please read first (content warning):** {text}"
SUMMARY_WHAT = "**What happened**\n{text}"
FIELD_REQUESTER = "Requester"
FIELD_STATUS = "Status"
FIELD_ASSIGNEE = "Assigned to"
FIELD_WHO = "Who was involved"
FIELD_HELP = "What would help repair"
FIELD_RESOLUTION = "Resolution"
FIELD_KEPT_AWAY = "Kept away from this case"
ANONYMOUS_REQUESTER = "Anonymous requester"
FORMER_MEMBER = "Former member"
NOBODY_YET = "Nobody yet"
MENTION = "<@{user_id}>"
ALL_MODERATORS_KEPT_AWAY = (
    "The requester asked that no current moderator handle it. Please don't discuss the case with the "
    "moderators."
)
KEPT_AWAY = "The requester asked that these moderators not handle it: {names}. Please don't discuss the case with them."
FOOTER = "Filed · every action on this case is logged"
FOOTER_ALTERNATES = (
    "Every moderator was excluded, so this case is for the alternate reviewers. Filed · every action on this "
    "case is logged"
)
SHORTENED = "\n\n*(Shortened to fit: `/mod-repair export` has the full text.)*"

INTRO = {
    ("moderators", "thread"): (
        "**New repair request — case #{number}.** Only the moderators handling it can see this thread. Please "
        "acknowledge it when you pick it up; replies to the requester go through **Reply to requester** and are "
        "signed “the moderators”."
    ),
    ("moderators", "channel"): (
        "**New repair request — case #{number}.** Only the moderators handling it can see this channel. Please "
        "acknowledge it when you pick it up; replies to the requester go through **Reply to requester** and are "
        "signed “the moderators”."
    ),
    ("alternates", "thread"): (
        "**New repair request — case #{number}.** Only the alternate reviewers handling it can see this thread. "
        "Please acknowledge it when you pick it up; replies to the requester go through **Reply to requester** "
        "and are signed “the moderators”. The requester asked that none of the current moderators handle this "
        "case."
    ),
    ("alternates", "channel"): (
        "**New repair request — case #{number}.** Only the alternate reviewers handling it can see this channel. "
        "Please acknowledge it when you pick it up; replies to the requester go through **Reply to requester** "
        "and are signed “the moderators”. The requester asked that none of the current moderators handle this "
        "case."
    ),
}
PLACE_REASON = "Repair case #{number}"
PLACE_TOPIC = "Private: repair case #{number} · {token}"

BLOCKED_NOTICES = {
    "no_alternates": (
        "A repair case (#{number}) is waiting: the person who filed it asked that every current moderator not "
        "handle it, and no alternate reviewers are configured. Please set `guild.alternate_reviewers_role` "
        "and/or `guild.alternate_reviewers_channel` in the bot's config; the case will reach them automatically. "
        "Nothing about the case is shown here."
    ),
    "no_moderators_channel": (
        "A repair case (#{number}) is waiting because I can't find the moderators' channel "
        "(`guild.moderators_channel`). Nothing about the case is shown here."
    ),
    "missing_permission": (
        "A repair case (#{number}) is waiting because I can't create a private thread or a private channel "
        "for it. Please give me Create Private Threads, or Manage Channels and Manage Roles. Nothing about "
        "the case is shown here."
    ),
}

# --- moderators acting on a case ------------------------------------------------------------

WORKS_IN_SERVER = "This works inside the server, in the case's private thread."
CASE_GONE = "I can't find that case any more. It may have been removed."
EXCLUDED = (
    "The person who asked for repair in this case asked that you not handle it, so I can't let you act on it. "
    "Another moderator will take care of it — thank you for understanding."
)
OWN_CASE = "You filed this case, so you can't act on it yourself. Another moderator will take care of it."
WRONG_SUMMARY = (
    "These buttons don't belong to this case's current summary, so I didn't change anything. Please use the "
    "buttons on the case's summary message in its thread."
)
EMPTY_TEXT = "The message was empty, so I didn't change anything. Please try again with some text."
DONE = "Done: case #{number} is now {status}."

REPLY_TITLE = "Reply to the requester (case #{number})"
REPLY_LABEL = "Message (signed 'the moderators')"
REPLY_HINT = "Sent by direct message, signed 'the moderators' — never your name."
NOTE_TITLE = "Note for moderators (case #{number})"
NOTE_LABEL = "Note (moderators only)"
NOTE_HINT = "Only moderators handling this case see this."
CLOSE_TITLE = "Close case #{number}"
CLOSE_OUTCOME = "Outcome"
CLOSE_RESOLVED = "Resolved — repair happened"
CLOSE_CLOSED = "Closed without full resolution"
CLOSE_TEXT = "Resolution (shared with the requester)"

# What the thread is told after each action ({who} is the moderator's mention, {text} defused).
ACTION_LINES = {
    "ack": "✅ {who} acknowledged case #{number}.",
    "assign": "🙋 {who} took on case #{number} (now: {status}).",
    "reply": "↩️ {who} replied to the requester, signed “the moderators”:\n>>> {text}",
    "note": "📝 Note from {who}:\n>>> {text}",
    "close": "🔒 {who} closed case #{number} as **{status}**. Resolution:\n>>> {text}",
    "reopen": "🔓 {who} reopened case #{number}.",
}
NOT_DELIVERED = (
    "⚠️ I couldn't reach the requester by direct message (their DMs may be closed); this is saved in the "
    "case log.\n{line}"
)

# What the requester is told by direct message.
TO_REQUESTER = {
    "ack": (
        "Your repair request (case #{number}) has been acknowledged by the moderators. Thank you for trusting us "
        "with it. You'll hear from us here; you can also write to me any time and I'll pass it on.\n"
        "— the moderators"
    ),
    "reply": (
        "**A message from the moderators about your repair request (case #{number}):**\n\n{text}\n\n"
        "— the moderators\n_To answer, reply to this message (or just write to me here)._"
    ),
    "resolved": (
        "Your repair request (case #{number}) has been resolved by the moderators.\n\n**What was done:**\n"
        "{text}\n\nIf something still isn't right, you can ask for repair again with /repair request.\n"
        "— the moderators\n\n{resource}"
    ),
    "closed": (
        "Your repair request (case #{number}) has been closed by the moderators.\n\n**What was done:**\n"
        "{text}\n\nIf something still isn't right, you can ask for repair again with /repair request.\n"
        "— the moderators\n\n{resource}"
    ),
    "reopen": "Your repair request (case #{number}) has been reopened by the moderators.\n— the moderators",
}

REMINDER = Plural(
    "Reminder: case #{number} has been waiting {count} hour for someone to acknowledge it. Please press "
    "**Acknowledge** on the summary above when you pick it up, so the person who asked knows they've been heard.",
    "Reminder: case #{number} has been waiting {count} hours for someone to acknowledge it. Please press "
    "**Acknowledge** on the summary above when you pick it up, so the person who asked knows they've been heard.",
)
REMINDER_PING = Plural(
    "{role} Reminder: case #{number} has been waiting {count} hour for someone to acknowledge it. Please press "
    "**Acknowledge** on the summary above when you pick it up, so the person who asked knows they've been heard.",
    "{role} Reminder: case #{number} has been waiting {count} hours for someone to acknowledge it. Please press "
    "**Acknowledge** on the summary above when you pick it up, so the person who asked knows they've been heard.",
)

# --- relay -------------------------------------------------------------------------------

RELAY_RECEIPT = "Passed on to the moderators handling {where}. It went there and nowhere else."
RELAY_HELD = (
    "You've sent several messages to {where} in a short time, so I've saved this one in the case record "
    "instead of posting it straight away. The moderators can read every message there, and they can see "
    "that more are waiting. Nothing is lost. After a short pause your messages will show up for them "
    "one by one again."
)
WHERE_IN_SERVER = "case #{number} in {server}"
WHERE = "case #{number}"
HELD_NOTICE = Plural(
    "💬 ({count} more message held: the requester wrote a lot at once. `/mod-repair export` has all of them.)",
    "💬 ({count} more messages held: the requester wrote a lot at once. `/mod-repair export` has all of them.)",
)
TEXT_ONLY = "I can only pass on text to the moderators. Please type your message."
CASE_CLOSED = "That case isn't open any more, so I can't pass messages on to it."
DESTINATION_ANY = "The moderators (a case)"
DESTINATION = "Case #{number} — {server}"
DESTINATION_NO_SERVER = "Case #{number}"
DESTINATION_FILED = "Filed {date}"
DESTINATION_FILED_ANONYMOUS = "Filed {date} · anonymous"
PICK_A_CASE = "Please pick the case from the list."
RELAY_PLACEHOLDER = "Which case is this message for?"
RELAYED_NAMED = "💬 <@{user_id}> wrote (case #{number}):"
RELAYED_ANONYMOUS = "💬 Anonymous requester wrote (case #{number}):"
RELAYED_NAMED_EARLY = "💬 <@{user_id}> wrote (case #{number}): — before this case reached you"
RELAYED_ANONYMOUS_EARLY = "💬 Anonymous requester wrote (case #{number}): — before this case reached you"
RELAYED_AUTHOR = "Message from the requester"
WAITING_INTRO = Plural(
    "While I couldn't reach you by direct message, the moderators sent you {count} message about "
    "case #{number}. Here it is:",
    "While I couldn't reach you by direct message, the moderators sent you {count} messages about "
    "case #{number}. Here they are:",
)

# --- /repair mine -----------------------------------------------------------------------------

MINE_TITLE = "**Your repair requests** (only you can see this)"
MINE_LINE = "• Case #{number} in {server}: {status} · filed {filed}"
MINE_LINE_ANONYMOUS = "• Case #{number} in {server} (anonymous): {status} · filed {filed}"
MINE_UNKNOWN_SERVER = "a server I'm no longer in"
MINE_NONE = (
    "You have no repair requests with me. If you need the moderators' help after harm, /repair request "
    "asks them privately, with your name or anonymously."
)
MINE_WAITING = Plural(
    "The moderators sent you {count} message that I couldn't deliver by direct message. Here it is:",
    "The moderators sent you {count} messages that I couldn't deliver by direct message. Here they are:",
)

# --- /mod-repair cases and export ---------------------------------------------------------------

STATUS_CHOICES = {
    "open": "Open (any open status)",
    "submitted": "Submitted",
    "acknowledged": "Acknowledged",
    "in_progress": "In progress",
    "reopened": "Reopened",
    "resolved": "Resolved",
    "closed": "Closed",
    "all": "All",
}
CASES_IN_SERVER = "Please use /mod-repair cases inside the server."
NO_CASES = "No cases match that."
CASES_TITLE = "**Repair cases ({status})** — newest first"
CASE_LINE = "**#{number}** · {status} · filed {filed} · <#{thread_id}>"
CASE_LINE_ANONYMOUS = "**#{number}** · {status} · filed {filed} · anonymous · <#{thread_id}>"
CASE_LINE_UNROUTED = "**#{number}** · {status} · filed {filed} · not routed yet"
CASE_LINE_UNROUTED_ANONYMOUS = "**#{number}** · {status} · filed {filed} · anonymous · not routed yet"
EXPORT_IN_SERVER = "Please use /mod-repair export inside the server."
NO_SUCH_CASE = "There is no case #{number} in this server. /mod-repair cases lists them."
EXPORTED = "Transcript of case #{number}. Please keep it confidential and delete it when you're done."
EXPORT_FILE = "case-{number}.txt"
EXPORT_MEMBER = "{name} ({user_id})"
EXPORT_USER = "user {user_id}"
EXPORT_BOT = "the bot"

TRANSCRIPT_HEAD = "Repair case #{number}\nStatus: {status}\nRequester: {requester}\nFiled: {filed}"
TRANSCRIPT_ASSIGNEE = "Assigned to: {assignee}"
TRANSCRIPT_SECTIONS = {
    "cw": "Content warning / to know first",
    "what": "What happened",
    "who": "Who was involved",
    "help": "What would help repair",
    "resolution": "Resolution",
}
TRANSCRIPT_LOG = "== Event log =="
EVENT_LABELS: dict[str, str] = {
    "filed": "filed the request",
    "routed": "the case reached the reviewers",
    "ack": "acknowledged the case",
    "assign": "took on the case",
    "reply": "replied to the requester",
    "note": "added a note",
    "close": "closed the case",
    "reopen": "reopened the case",
    "requester_message": "the requester wrote",
    "reminder": "reminder: not acknowledged yet",
}

# --- slash commands: descriptions Discord shows in the command picker (names stay English for now) ---

CMD_REPAIR = "Ask the moderators privately for repair after harm"
CMD_REPAIR_REQUEST = "Ask the moderators privately for repair after harm"
CMD_REPAIR_MINE = "See your repair requests and any messages waiting for you"
CMD_MOD_REPAIR = "Moderators: list and export repair cases"
CMD_MOD_REPAIR_CASES = "List repair cases"
OPT_CASES_STATUS = "Which cases to list (default: open ones)"
CMD_MOD_REPAIR_EXPORT = "A text transcript of a case and its log"
OPT_EXPORT_CASE = "The case number, e.g. 12"
