"""Every sentence of access needs (/access request), whole, ready for translation.

The requester reads theirs in their own language; the moderators' case summary, buttons and lines
are in the server's language (a Spanish line in the moderators' thread would point at the Spanish
speaker).
"""

# --- the command and the form (the person asking) ----------------------------------------------------

GROUP_DESCRIPTION = "Access needs for meetings"
COMMAND_DESCRIPTION = "Tell staff privately what you need for meetings (captions, notes, interpretation…)"

FORM_TITLE = "Access needs for meetings"
NEEDS_LABEL = "What would help you take part?"
NEEDS_DESCRIPTION = "Pick one or more. Only the moderators see your request."
DETAIL_LABEL = "Anything staff should know? (optional)"
DETAIL_PLACEHOLDER = "For example: which meetings, or what works best for you. You can leave this empty."

# The needs, as the person picks them and as moderators read them.
NEED_LABELS = {
    "captions": "Live captions",
    "notetaker": "A volunteer note-taker",
    "recording": "A recording of the meeting (for an accessibility need)",
    "materials": "Meeting materials in advance",
    "spanish": "Spanish interpretation",
    "other": "Something else",
}

RECEIVED = ("**Thank you: your access request #{number} reached the moderators.** Only they see it. "
            "You don't have to explain or justify anything.\n\n"
            "What happens next: a moderator will look at it and I'll send you a direct message with their "
            "answer. Please keep your direct messages from this server open so it reaches you. If it's "
            "urgent, you can also write to {email}.")
NOTHING_PICKED = ("Please pick at least one need so staff know how to help. Nothing was sent.")
TOO_MANY_OPEN = ("You already have {count} access requests waiting for an answer, so I didn't send this one. "
                 "The moderators will answer those first; you can also write to {email}.")
IN_SERVER_ONLY = "Please use `/access request` inside the server, so I know which staff to tell."
YOUR_WORDS = "\n\nWhat you wrote, so it isn't lost: {detail}"

# --- the answer, sent to the person by direct message --------------------------------------------------

TO_REQUESTER_ARRANGED = ("Good news about your access request #{number} in **{server}** ({needs}): the moderators "
                         "have arranged it. If anything changes or doesn't work on the day, tell a moderator, or "
                         "use `/access request` again.")
TO_REQUESTER_NOT_POSSIBLE = ("About your access request #{number} in **{server}** ({needs}): the moderators "
                             "couldn't arrange it this time. This is not a judgement of your need. A moderator "
                             "can talk with you about what is possible, and you can write to {email}.")

# --- the moderators' case (server language) ------------------------------------------------------------

INTRO = "New access request #{number}. Only moderators can see this."
SUMMARY_TITLE = "Access request #{number}"
FIELD_FROM = "From"
FIELD_NEEDS = "Needs"
FIELD_DETAIL = "In their words"
FIELD_STATUS = "Status"
FIELD_RECORDING = "Recording"
FORMER_MEMBER = "Former member (their data was erased)"
NO_DETAIL = "(nothing added)"
DETAIL_ERASED = "(erased at their request)"
NEED_LINE = "• {need}"
STATUS_LABELS = {"received": "Received: waiting for an answer", "arranged": "Arranged",
                 "not_possible": "Not possible"}
DECIDED_BY = "{status}, by <@{user_id}>"
RECORDING_ALLOWED = "Allowed in <#{channel_id}> (<t:{at}:f>)"
FOOTER = ("Not anonymous: moderators see who asks. Answer with a button; I tell them by direct message. "
          "Never repeat their needs in public.")

ARRANGED_LABEL = "Arranged"
NOT_POSSIBLE_LABEL = "Not possible"
ALLOW_RECORDING_LABEL = "Allow the recording…"

DECIDED_LINE = "{who} marked access request #{number}: **{status}**. I told them by direct message."
DECIDED_LINE_NOT_DELIVERED = ("{who} marked access request #{number}: **{status}**. ⚠️ I couldn't reach them by "
                              "direct message (their DMs may be closed, or they left). Please reach them another "
                              "way.")
DECIDED_LINE_ERASED = "{who} marked access request #{number}: **{status}**. (Their data was erased: nobody to tell.)"
DONE = "Done: access request #{number} is marked **{status}**, and I told them by direct message."
DONE_NOT_DELIVERED = ("Done: access request #{number} is marked **{status}**, but I couldn't send them a direct "
                      "message (their DMs may be closed, or they left). Please reach them another way.")
DONE_ERASED = "Done: access request #{number} is marked **{status}**. Their data was erased, so nobody was told."
ALREADY_ANSWERED = ("Access request #{number} already has its answer (**{status}**), so nothing changed and they "
                    "weren't messaged twice.")
REQUEST_GONE = "I couldn't find this access request any more (it may have been deleted). Nothing was changed."
WRONG_SERVER = "This access request belongs to another server, so I didn't act on it."

BLOCKED = ("⚠️ Access request #{number} is waiting: I have no moderators' channel to put it in, or I can't create "
           "a private thread or channel there. Please check my permissions; I'll try again every minute.")
PLACE_REASON = "Access request #{number} (private to moderators)"
PLACE_TOPIC = "Access request #{number}: private to moderators. Place token: {token}"

# --- a recording exception from a request (moderators) ---------------------------------------------------

NO_RECORDING_ASKED = ("Access request #{number} didn't ask for a recording, so there's no recording to allow "
                      "from it. Nothing changed.")
RECORDING_AFTER_NOT_POSSIBLE = ("Access request #{number} is marked not possible, so I didn't open the recording "
                                "form. Nothing changed.")
RECORDING_FORM_TITLE = "Allow a recording: request #{number}"
RECORDING_CHANNEL_LABEL = "The meeting's voice channel"
RECORDING_MINUTES_LABEL = "For how long"
RECORDING_BOT_LABEL = "The recording bot (optional)"
RECORDING_BOT_DESCRIPTION = "Leave empty to allow any bot during the window."
RECORDING_MINUTES = {"60": "1 hour", "120": "2 hours", "180": "3 hours", "240": "4 hours", "480": "8 hours",
                     "1440": "24 hours"}
RECORDING_REASON = "Access request #{number}: a recording for an accessibility need, discussed with staff"
RECORDING_NOT_VOICE = "Please pick a voice or stage channel for the meeting. Nothing changed."
RECORDING_LINE = ("{who} allowed a recording in {channel} for access request #{number}, until {until}. The meeting "
                  "is told a recording is being made for an accessibility need, without saying whose.")
RECORDING_BOT_GONE = "I couldn't find that recording bot in the server any more. Nothing changed."
