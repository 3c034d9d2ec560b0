"""Every sentence the acronym glossary says (ready for translation)."""

from __future__ import annotations

ANSWER = "**{term}** — {meaning}"
GLOSSARY_LINE = "• {answer}"
THAT = "that"  # stands for a term that was only spaces
NOT_FOUND_NEAR = "`{term}` is not in the glossary yet. Did you mean:\n{near}"
NOT_FOUND = "`{term}` is not in the glossary yet. Try `/acronym list` to see every term we have."
PLEASE_TELL = ("If it should be added, please tell a moderator. And when you use it in a meeting, please say what it "
               "stands for.")
EMPTY = "The glossary is empty for now. Moderators can add terms to the content file."
GLOSSARY_TITLE = "Glossary"
GLOSSARY_FOOTER = "Using one of these in a meeting? Please say what it stands for."

# --- slash commands: descriptions Discord shows in the command picker ---
CMD_ACRONYM = "What does an acronym stand for? Look it up in our glossary"
CMD_LOOKUP = "Say what an acronym stands for, e.g. IHRRC"
OPT_TERM = "The acronym, e.g. IHRRC or COI"
OPT_SHARE = "Also post the answer in this channel for everyone (default: only you see it)"
CMD_LIST = "Show every acronym in our glossary"
