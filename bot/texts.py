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
