"""Every sentence the core commands (/about, /help) say (ready for translation). The commands
themselves and their descriptions come from the bot's command tree."""

from __future__ import annotations

ABOUT = (
    "**{community}'s helper bot**\n"
    "I walk newcomers through our community agreements, help members declare conflicts "
    "of interest, keep confidential meetings safe, and carry repair requests privately "
    "to the moderators.\n\n"
    "Type `/help` to see everything you can do here, in plain words.\n"
    "Questions? Ask a moderator or write to {email}.\n\n"
)
# The AGPL asks that people who use a modified bot over a network can get its source.
# The content file's optional donation line (never a condition); with its link when it has one.
DONATION = "💛 {donation}\n\n"
DONATION_WITH_LINK = "💛 {donation} <{url}>\n\n"
SOURCE_AT = "I'm free software (GNU AGPL 3.0), version {version}. My source code: <{url}>"
SOURCE_ASK = ("I'm free software (GNU AGPL 3.0), version {version}. The people who run me can give you "
              "my source code: ask a moderator.")

MODERATOR_PREFIX = "Moderators:"
INTRO_SERVER = ("Type `/` in the message box and pick a command; answers from me that say "
                "\"Only you can see this\" are private to you.")
INTRO_DM = ("You're in a direct message with me: these commands work here. Everything else works "
            "inside the server — use `/help` there to see it.")
MEMBER_TITLE = "What you can do here"
MODERATOR_TITLE = "For moderators"
MODERATOR_NOTE = "Only moderators see this part, and the bot checks it each time."
CONTACT = "Questions? Ask a moderator, or write to {email}."
COMMAND_LINE = "`/{name}` — {description}"

# --- slash commands: descriptions Discord shows in the command picker -----------------------------
CMD_ABOUT = "What this bot does and how to get help"
CMD_HELP = "What you can do here, in plain words (only you see it)"
