"""Sentences the core (set-up, roles, channels) says to people; each kept whole, ready for translation."""

from __future__ import annotations

AMBIGUOUS_NAMES = (
    "Hello! I'm setting myself up in **{server}**, and some names I look for belong to more than one role "
    "or channel:\n{items}\n\n"
    "I haven't picked any of them: a guess could give someone moderator or member rights by mistake. "
    "Please rename or delete the extra ones, or put the right one's ID in my config.toml (for example "
    "`moderator_role = 123456789012345678`), then restart me. Until then I work without them."
)

COI_CHANNEL_PUBLIC = (
    "Heads-up: conflict-of-interest (COI) changes are announced in {channel}, and everyone in the server "
    "can see it, including people who haven't joined as members yet. Please make it members-only "
    "(hide it from @everyone, show it to the member role), or set `[coi] channel` to a members-only channel."
)

# --- the DM router (bot/dm_router.py): where a direct message to the bot goes ----------------------------

DM_PICK_PROMPT = "I can pass this message on to more than one place. Where should it go?"
DM_PICK_PLACEHOLDER = "Where should this message go?"
DM_PICK_NOTHING = "Please pick where the message should go."
DM_GONE = "That place isn't waiting for a message any more, so I didn't pass this on. Please send it again."
DM_DONE = "Done."
DM_ONLY_IN_DMS = "This only works in our direct messages."
DM_MESSAGE_GONE = "I can't find that message any more. Please send it again."
DM_NOT_YOURS = "That message isn't yours to pass on."

# --- slash command and option names, for Discord's command picker in each language -----------------------
# A name is lowercase, 1 to 32 letters, digits, - or _, no spaces: each translation too (bot/command_locales.py
# checks it and leaves a name that doesn't fit untranslated). Add every new command's and option's name here.

COMMAND_NAMES = {
    "about": "about",
    "access": "access",
    "acronym": "acronym",
    "action": "action",
    "add": "add",
    "allow": "allow",
    "cannot-participate": "cannot-participate",
    "attendance": "attendance",
    "audit": "audit",
    "bot": "bot",
    "case": "case",
    "cases": "cases",
    "categories": "categories",
    "category": "category",
    "channel": "channel",
    "clear": "clear",
    "coi": "coi",
    "confidential": "confidential",
    "delete": "delete",
    "end": "end",
    "export": "export",
    "help": "help",
    "kind": "kind",
    "language": "language",
    "list": "list",
    "lookup": "lookup",
    "meeting": "meeting",
    "member": "member",
    "membership": "membership",
    "mine": "mine",
    "minutes": "minutes",
    "mod-attendance": "mod-attendance",
    "mod-coi": "mod-coi",
    "mod-onboarding": "mod-onboarding",
    "mod-organization": "mod-organization",
    "mod-repair": "mod-repair",
    "mydata": "mydata",
    "name": "name",
    "onboarding": "onboarding",
    "organization": "organization",
    "privacy": "privacy",
    "reaffirm": "reaffirm",
    "reason": "reason",
    "recent": "recent",
    "recording": "recording",
    "remove": "remove",
    "repair": "repair",
    "report": "report",
    "request": "request",
    "restart": "restart",
    "set": "set",
    "share": "share",
    "show": "show",
    "start": "start",
    "stats": "stats",
    "status": "status",
    "step-back": "step-back",
    "tag": "tag",
    "target": "target",
    "term": "term",
    "waitingroom": "waitingroom",
    "year": "year",
}
