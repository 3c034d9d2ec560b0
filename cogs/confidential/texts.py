"""Every sentence the confidential-spaces feature says (translated through bot.i18n).

Whole sentences with named placeholders; a `Plural` where a number changes it, one sentence per kind.
Who reads it decides the language: reminders, recording announcements and voice statuses are in shared
channels, alerts and /confidential, /recording allow replies are for moderators (all in the server's
language); only /recording status answers a member in their own.
"""

from __future__ import annotations

from bot.i18n import Plural

# Shown under a confidential voice channel's name in the channel list, for everyone to see.
VOICE_STATUS = "Confidential — no recording"
FOOTER = "I repost this now and then so it stays near the bottom. I never read or store what you write."
REMINDER_LINE = "• {line}"

# --- /confidential ---------------------------------------------------------------------------------

ALREADY_CONFIDENTIAL = "{target} is already confidential. Nothing changed."
ADDED = "Done: {target} is now a confidential space. {what}"
ADDED_CATEGORY = "Every channel in this category (and its threads) now counts as confidential."
ADDED_TEXT = ("I'll keep one reminder near the bottom, refreshed every {every_messages} messages or "
              "{every_hours:g} hours of activity.")
ADDED_VOICE = ("When a meeting begins there, I'll post the reminders in its chat, and I'll remove bots that "
               "aren't allowed (AI notetakers, recorders).")
NOT_MARKED = "{target} wasn't marked confidential itself, so nothing changed."
NOT_MARKED_VIA_CATEGORY = ("{target} wasn't marked confidential itself, so nothing changed. It is confidential "
                           "through its category; remove the category instead.")
REMOVED = "Done: {target} is no longer marked confidential."
NO_SPACES = "No confidential spaces yet. Use `/confidential add` to mark a channel or category."
SPACES_HEADING = "**Confidential spaces**"
SPACE_LINE = "• <#{target_id}> ({kind})"
KIND_LABELS = {"text": "text channel", "voice": "voice channel", "stage": "stage", "category": "category"}
SPACES_FOOTNOTE = ("Threads of these channels, and channels inside these categories, count too. "
                   "Bots are removed from voice channels unless allow-listed or covered by `/recording allow`.")

# --- alerts for moderators -------------------------------------------------------------------------

CANT_DELETE_REMINDER = ("⚠️ I couldn't remove my old confidentiality reminder in {channel}: I'm missing the "
                        "**View Channel** or **Manage Messages** permission there. I'll leave the old one in place "
                        "(never two) until that is fixed.")
CANT_POST_REMINDER = ("⚠️ I couldn't post the confidentiality reminder in {channel}: I'm missing the "
                      "**Send Messages** (or **Embed Links**) permission there.")
CANT_POST_IN_VOICE_CHAT = ("⚠️ I couldn't post the confidentiality reminders in {channel}'s chat: I'm missing "
                           "the **Send Messages** (or **Embed Links**) permission there.")
CANT_DISCONNECT = ("⚠️ The bot **{name}** (`{bot_id}`) is in the confidential channel {channel} and I couldn't "
                   "disconnect it: I'm missing the **Move Members** permission there. Please give my role Move "
                   "Members, or remove the bot yourself.")
DISCONNECTED = ("🛑 Disconnected the bot **{name}** (`{bot_id}`) from the confidential channel {channel} ({why}). "
                "Bots other than me aren't allowed there: no AI notetakers and no recording. If it is needed for "
                "an accessibility need, a moderator can use `/recording allow`.")
WHY_JOINED = "it joined"
WHY_THERE_AT_START = "it was there when I started"
WHY_EXCEPTION_ENDED = "its recording exception ended"
DISCONNECT_REASON = "Confidential space: no AI notetakers or recording bots"

# --- /recording -------------------------------------------------------------------------------------

MINUTES_OUT_OF_RANGE = ("Please choose between 1 and {maximum} minutes (24 hours). For a longer need, grant it "
                        "again before it ends.")
REASON_EMPTY = ("Please add a short reason, for example \"captions for a member, agreed with staff\". "
                "Only moderators see it.")
REASON_TOO_LONG = "The reason is {length} characters; please keep it to {maximum} or fewer."
NOT_A_BOT = ("{name} is a person, not a bot account. Pick the recording bot, or leave `bot` empty to allow any "
             "bot for this meeting.")
IS_ME = "That's me! I don't record. Pick the recording bot, or leave `bot` empty."
ALLOWED_BOT = "**{name}**"
ANY_BOT = "any bot"
ALLOWED = ("Done: {who} may record in {channel} for {duration}, until {until}. I've announced it in the channel's "
           "chat and will announce it again when the next meeting starts in that window. It ends by itself.")
ALLOWED_NOT_CONFIDENTIAL = "Note: {channel} isn't marked confidential, so I don't remove bots there anyway."
IN_SERVER_ONLY = "This command only works inside the server."
NO_RECORDING = ("No recording is allowed right now: bots other than me are removed from confidential voice "
                "channels.")
RECORDING_HEADING = "**Recording allowed for an accessibility need**"
RECORDING_LINE = "• <#{channel_id}>: {who} until {until} ({relative})"
RECORDING_LINE_WITH_REASON = "• <#{channel_id}>: {who} until {until} ({relative}) — reason: {reason}"
BOT_MENTION = "<@{bot_id}>"
RECORDING_ENDED = "The recording exception for this channel has ended. Recording bots are no longer allowed here."
UNKNOWN_BOT = "bot {bot_id}"
AGREED_BOT = "a recording bot agreed with staff"
LIST_SEPARATOR = ", "
AND = " and "
RECORDING_ANNOUNCEMENT = (
    "🔴 **This meeting is being recorded** for an accessibility need that was discussed with staff beforehand. "
    "Recording bot: **{who}**. This exception ends <t:{until}:t> (<t:{until}:R>). Please keep that in mind when "
    "you share; if you have questions, ask a moderator.")
HOURS = Plural("{count} hour", "{count} hours")
MINUTES = Plural("{count} minute", "{count} minutes")
HOURS_AND_MINUTES = "{hours} {minutes}"

# --- slash commands: descriptions Discord shows in the command picker --------------------------------

CMD_CONFIDENTIAL = "Moderators: mark confidential spaces"
CMD_CONFIDENTIAL_ADD = "Mark a channel or a whole category as confidential"
OPT_ADD_TARGET = "A text, voice or stage channel, or a category (its channels inherit)"
CMD_CONFIDENTIAL_REMOVE = "Stop treating a channel or category as confidential"
OPT_REMOVE_TARGET = "A channel or category marked with /confidential add"
CMD_CONFIDENTIAL_LIST = "Show the confidential channels and categories"
CMD_RECORDING = "Moderators: recording exceptions for accessibility needs"
CMD_RECORDING_ALLOW = "Let a recording bot stay for an accessibility need, for a while"
OPT_ALLOW_CHANNEL = "The voice or stage channel of the meeting"
OPT_ALLOW_MINUTES = "How long the exception lasts (1 to 1440 minutes)"
OPT_ALLOW_REASON = "The accessibility need, as agreed with staff (only moderators see this)"
OPT_ALLOW_BOT = "The recording bot allowed to stay (leave empty to allow any bot during the window)"
CMD_RECORDING_STATUS = "Show the recording exceptions that are active now"
