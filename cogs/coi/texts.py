"""Every sentence the conflicts-of-interest feature says (ready for translation).

Whole sentences with named placeholders: code fills them in, never glues fragments together.
Where a count or a number changes a sentence, there is one sentence per form (`..._ONE`, `..._MANY`).
"""

from __future__ import annotations

from bot.i18n import Plural

# Who reads it decides the language (bot.i18n): the member's own replies (/coi tag, the select, a
# note-taker's thank-you) in theirs; the COI channel's announcements, the meeting opening, the waiting
# room's notices and everything for moderators in the server's (an announcement in the declarer's own
# language would tell everyone something about them).

# --- /coi tag, /coi clear ------------------------------------------------------------------

IN_SERVER_ONLY = "This command only works inside the server, not in a direct message."
MEMBERS_ONLY = (
    "Declaring conflicts of interest (COI) is for members: once you've said yes in onboarding "
    "(`/onboarding start`), you can choose yours here, and the COI step in onboarding lets you pick them too. "
    "If you need to reach the moderators before that, \"I have a question\" in onboarding or "
    "`/repair request` gets to them privately."
)
TAG_INTRO = (
    "**Your conflicts of interest (COI)**\n"
    "Our agreements ask everyone to announce conflicts of interest, so the coalition can keep "
    "its most marginalized members safe. Having a COI does not bar anyone from membership.\n"
    "Tick every category that applies to you and untick any that no longer do, then close the "
    "list to save. What you have now is already ticked."
)
TAG_SELECT_PLACEHOLDER = "Choose every conflict of interest that applies to you"
NOT_YOUR_LIST = "This list is someone else's. Use `/coi tag` to choose your own."
FEATURE_OFF = "This feature is switched off right now. Please ask a moderator."

NOTHING_CHANGED = "Nothing changed — your conflicts of interest (COI) are the same as before."
SAVED = "Saved."
ADDED = "Added: {labels}."
REMOVED = "Removed: {labels}."
NOW_HELD = "You now have these conflicts of interest (COI): {labels}."
NONE_HELD = "You have no conflicts of interest (COI) declared."
CHANGE_ANY_TIME = "You can change this any time with `/coi tag`."

ANNOUNCE_ADDED_AND_REMOVED = ("{mention} has declared a conflict of interest: {added} "
                              "(and no longer declares: {removed}).")
ANNOUNCE_ADDED = "{mention} has declared a conflict of interest: {added}."
ANNOUNCE_REMOVED = "{mention} no longer declares a conflict of interest: {removed}."

AND = " and "  # the last separator of a list: "a, b and c"
LIST_SEPARATOR = ", "

NEED_MANAGE_ROLES = (
    "I need the **Manage Roles** permission to set conflict-of-interest (COI) roles. A server admin "
    "can turn it on for my role in Server Settings → Roles. Nothing was changed.")
HIERARCHY = Plural(
    "I can't manage the role {names}: it is at or above my highest role '{bot_role}'. A server admin can fix this "
    "in Server Settings → Roles by dragging '{bot_role}' above {names}. Nothing was changed.",
    "I can't manage the roles {names}: they are at or above my highest role '{bot_role}'. A server admin can fix "
    "this in Server Settings → Roles by dragging '{bot_role}' above {names}. Nothing was changed.")
ROLE_MISSING_FOR_TAG = (
    "The role for {labels} doesn't exist in this server yet. A server admin can create it (named "
    "'{prefix}…') or give me **Manage Roles** so I create it myself. Nothing was changed.")
ROLES_REFUSED = (
    "Discord didn't let me change your roles. A server admin needs to give me **Manage Roles** and keep my role "
    "above the COI roles. Nothing was changed.")
ROLE_EDIT_REASON = "Conflict of interest declared with /coi"

# --- /mod-coi list ---------------------------------------------------------------------------

UNKNOWN_LIST_CATEGORY = "I don't know the category \"{category}\". Pick one from the suggestions: {choices}."
HOLDER_NAMED = "• {name} — <@{user_id}>"
HOLDER_LEFT = "• (left the server) — <@{user_id}>"
HOLDER_UNKNOWN = "• <@{user_id}>"
HOLDER_HEADING = "**{title}** ({count})"
HOLDER_CONTINUED = "**{title}** (continued)"
NOBODY_IN_CATEGORY = "—"
NOBODY_DECLARED = "Nobody has declared a conflict of interest (COI) yet."
PAGE_OF = "Page {page} of {total}"
LIST_NOT_YOURS = "This list belongs to someone else's command."
PREVIOUS_PAGE = "Previous page"
NEXT_PAGE = "Next page"

# --- choosing categories ---------------------------------------------------------------------

CHOOSE_ONE_CATEGORY = "Please choose at least one conflict-of-interest category. {valid}"
UNKNOWN_CATEGORY = Plural("I don't know the category {shown}. {valid}", "I don't know the categories {shown}. {valid}")
VALID_CATEGORIES = "Pick from the suggestions, or type keys separated by commas: {keys} (or `all`)."
ALL_CATEGORIES = "All categories"

# --- the waiting room ------------------------------------------------------------------------

MINUTES_OUT_OF_RANGE = ("The waiting room can last from 1 to {maximum} minutes; you asked for {minutes}. "
                        "Nothing was changed.")
NOT_A_CATEGORY = ("That is a category, not a meeting channel. Please pick the voice (or text) channel the "
                  "meeting happens in. Nothing was changed.")
NOT_A_THREAD = ("Threads can't be restricted for some roles only (they follow their parent channel). "
                "Please pick the meeting's voice (or text) channel. Nothing was changed.")
NOT_RESTRICTABLE = ("I can only set up a waiting room for a voice, stage or text channel. "
                    "Please pick the meeting's channel. Nothing was changed.")
ROLE_MISSING_FOR_ROOM = (
    "The role for {labels} doesn't exist in this server, so there is nobody to move. A server admin can create "
    "it, or give me **Manage Roles** so I create it. Nothing was changed.")
NO_ROOM_CHANNEL = (
    "There is no waiting-room voice channel (setting `guild.waiting_room_channel`). A server admin can create "
    "one, or give me **Manage Channels** so I create it. Nothing was changed.")
IS_THE_ROOM_ITSELF = "That is the waiting room itself. Please pick the meeting's channel."
ROOM_NEEDS_PERMISSIONS = ("I need these permissions to set up a waiting room: {missing}. A server admin can "
                          "grant them to my role. Nothing was changed.")
PERMISSION_SEPARATOR = "; "
PERM_MANAGE = "Manage Permissions (Manage Roles) in {channel}"
PERM_VIEW = "View Channel in {channel}"
PERM_CONNECT = "Connect in {channel}"
PERM_SPEAK = "Speak in {channel}"
PERM_MOVE = "Move Members in {channel}"
PERM_ROOM = "Connect and Move Members in {channel}"
ROOM_ALREADY_ON = ("A waiting room is already on for {channel}. End it first with `/waitingroom end` if you want "
                   "to change it. Nothing was changed.")
ROOM_STARTED = Plural(
    "The waiting room is on for {channel}: {labels} can't see, join or speak there. I moved "
    "{count} person to {room}. It ends with `/waitingroom end` or by itself in {minutes} minutes.",
    "The waiting room is on for {channel}: {labels} can't see, join or speak there. I moved "
    "{count} people to {room}. It ends with `/waitingroom end` or by itself in {minutes} minutes.")
THE_WAITING_ROOM = "the waiting room"
NOTICE_NOT_POSTED = "(I couldn't post the notice in {channel}'s chat — please tell people there.)"
MODLOG_ROOM_STARTED = "Waiting room started in {channel} by {moderator} ({labels}; {minutes} min)."
STEP_PERMISSIONS = "change the channel's permissions"
STEP_MOVE = "move people to the waiting room"
ROLLBACK_FORBIDDEN = ("Discord said I'm missing a permission when I tried to {step}. I need **Manage Roles** "
                      "(Manage Permissions) on {channel}, **Move Members**, and **Connect** in both channels.")
ROLLBACK_HTTP = "Discord had a problem (HTTP {status}) when I tried to {step}. Please try again."
ROLLBACK_PARTIAL = ("I couldn't set up the waiting room: {cause} I could not undo every change, so the waiting "
                    "room is still stored: run `/waitingroom end channel:{name}` to restore the rest.")
ROLLBACK_DONE = ("I couldn't set up the waiting room: {cause} I undid everything I had changed, so {channel} is "
                 "exactly as it was.")
NO_ROOM_TO_END = "There is no waiting room on {channel} right now, so there is nothing to end."
ROOM_ENDED = Plural(
    "The waiting room on {channel} has ended: its permissions are back to how they were, and I "
    "moved {count} person back from the waiting room.",
    "The waiting room on {channel} has ended: its permissions are back to how they were, and I "
    "moved {count} people back from the waiting room.")
MODLOG_ROOM_ENDED = "Waiting room in {channel} ended by {moderator}."
MODLOG_ROOM_EXPIRED = "Waiting room in <#{channel_id}> ended by itself (time was up); I moved {back} back."
ROOM_GONE = "That waiting room no longer exists."
ROOM_ALREADY_ENDED = "That waiting room has already ended."
RESTORE_FAILED = ("I couldn't restore the permissions of {channel} (Discord said: HTTP {status}). I need "
                  "**Manage Roles** (Manage Permissions) on that channel. The waiting room is still on; please "
                  "try `/waitingroom end` again once that is fixed.")
ROOM_NOTICE = ("**Part of this meeting is now closed to some conflicts of interest (COI).**\n"
               "Members who declared: {labels} will wait in the waiting room for a little while. This is not a "
               "judgement of anyone; it keeps this part of the meeting safe for our most marginalized members. It "
               "ends when a moderator reopens the room, or by itself in {minutes} minutes at the latest.")
ROOM_ENDED_NOTICE = ("**The waiting room has ended.** Everyone can see and join this channel again — "
                     "welcome back, and thank you for your patience.")
REASON = "Conflict-of-interest waiting room (/waitingroom)"
REASON_UNDO = "Conflict-of-interest waiting room (/waitingroom): undo"
REASON_ENDED = "Conflict-of-interest waiting room (/waitingroom): ended"

# --- the meeting opening ---------------------------------------------------------------------

NOT_A_MEETING_CHANNEL = ("Please pick the meeting's voice (or text) channel: I post the opening in its chat. "
                         "Categories, forums and threads can't hold it.")
OPENING_TITLE = "Welcome to this {community} meeting"
OPENING_INTRODUCTIONS = "**1. Introductions and conflicts of interest (COI)**"
OPENING_NOTETAKER = "**2. A volunteer note-taker**"
OPENING_REMINDERS = "**3. {title}**"
OPENING_REMINDER_LINE = "• {reminder}"
OPENING_ACRONYMS = "**4. Acronyms**"
OPENING_ACRONYMS_TEXT = "Please explain any acronym you use. Not sure what one means? Try `/acronym lookup`."
MEETING_ALREADY_OPEN = ("A meeting is already open in {channel}. Close it with `/meeting end` before opening a "
                        "new one.")
OPENING_FORBIDDEN = ("I can't post in {channel}'s chat: I need **View Channel** and **Send Messages** there. A "
                     "server admin can grant them to my role. Nothing was posted.")
MEETING_KIND_LABELS = {"monthly": "Monthly Coalition meeting (attendance counts)",
                       "other": "Another meeting (a working group or other; attendance doesn't count)"}
OPT_MEETING_KIND = "Is this a monthly Coalition meeting? Only those count for attendance"
UNKNOWN_MEETING_KIND = "Please pick the meeting's kind from the list. Nothing was started."
OPENING_POSTED = "The meeting opening is posted in {channel}. Close it with `/meeting end` when you're done."
NO_MEETING_HERE = "There is no open meeting in {channel}, so there is nothing to close."
NO_MEETING = "There is no open meeting, so there is nothing to close."
SEVERAL_MEETINGS = "Several meetings are open: {channels}. Please say which one with the `channel` option."
MEETING_ALREADY_CLOSED = "That meeting has already been closed."
MEETING_CLOSED_REPLY = "The meeting in <#{channel_id}> is closed. Thank you!"
MEETING_GONE = "This meeting no longer exists."
MEETING_ENDED_NO_NOTETAKER = ("This meeting has ended, so no note-taker is needed now. "
                              "Thank you for offering!")
NOTETAKER_LABEL = "I'll take notes"
NOTETAKER_NEEDED = "📝 Note-taker: still needed — press **I'll take notes** if you can help."
NOTETAKER_IS = "📝 Note-taker: {mention} — thank you!"
MEETING_CLOSED_WITH_NOTES = ("This meeting has ended — thank you, everyone.\n"
                             "📝 Note-taker: {mention} took notes — thank you!")
MEETING_CLOSED_NO_NOTES = "This meeting has ended — thank you, everyone.\n📝 Note-taker: nobody volunteered this time."
ALREADY_YOU = "You're already the note-taker for this meeting — thank you!"
ALREADY_SOMEONE = "Thanks for offering! {name} is already taking notes for this meeting."
SOMEONE = "someone"

# --- slash commands: descriptions Discord shows in the command picker ------------------------------

CMD_COI = "Declare your conflicts of interest (COI)"
CMD_COI_TAG = "Choose which conflicts of interest (COI) you have"
CMD_COI_CLEAR = "Remove all your conflict-of-interest (COI) tags"
CMD_MOD_COI = "Moderators: declared conflicts of interest (COI)"
CMD_MOD_COI_LIST = "Who has declared which conflicts of interest"
OPT_LIST_CATEGORY = "Only this category (leave empty for all)"
CMD_WAITINGROOM = "Moderators: a waiting room for some conflicts of interest"
CMD_WAITINGROOM_START = "Move members with the chosen COI out of a meeting channel"
OPT_ROOM_CHANNEL = "The meeting's channel (usually a voice channel)"
OPT_ROOM_CATEGORIES = "Which conflicts of interest wait outside, e.g. 'funders, law_enforcement' or 'all'"
OPT_ROOM_MINUTES = "How long at most (it ends by itself); default 60"
OPT_ROOM_REASON = "Optional, only for moderators and the audit log (not shown in the channel)"
CMD_WAITINGROOM_END = "End the waiting room and bring people back"
OPT_ROOM_END_CHANNEL = "The meeting's channel"
CMD_MEETING = "Moderators: open and close a meeting"
CMD_MEETING_START = "Post the meeting opening: introductions, note-taker, norms"
OPT_MEETING_START_CHANNEL = "The meeting's channel (its chat gets the opening)"
CMD_MEETING_END = "Close the meeting (the note-taker button stops)"
OPT_MEETING_END_CHANNEL = "The meeting's channel (default: this channel)"
