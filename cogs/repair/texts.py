"""Sentences of the repair feature that are new with the DM router and the anonymity fixes.

Kept whole here (not scattered in code) so a later move of all words apart from code is easy.
"""

RELAY_RECEIPT = "Passed on to the moderators handling {where}. It went there and nowhere else."
RELAY_HELD = (
    "You've sent several messages to {where} in a short time, so I've saved this one in the case record "
    "instead of posting it straight away. The moderators can read every message there, and they can see "
    "that more are waiting. Nothing is lost. After a short pause your messages will show up for them "
    "one by one again."
)
HELD_NOTICE = (
    "💬 ({count} more message{s} held: the requester wrote a lot at once. `/mod-repair export` has all of them.)"
)
WAITING_INTRO = (
    "While I couldn't reach you by direct message, the moderators sent you {count} message(s) about "
    "case #{number}. Here they are:"
)
MODERATOR_FILES_ANONYMOUSLY = (
    "Because you are a moderator, you stay in the case thread like every other moderator, so nobody can "
    "tell who filed it from who is missing. You won't be able to act on your own case; another moderator "
    "will."
)
OWN_CASE = (
    "You filed this case, so you can't act on it yourself. Another moderator will take care of it."
)
WRONG_SUMMARY = (
    "These buttons don't belong to this case's current summary, so I didn't change anything. Please use the "
    "buttons on the case's summary message in its thread."
)
MINE_TITLE = "**Your repair requests** (only you can see this)"
MINE_LINE = "• Case #{number} in {server}{anonymous}: {status} · filed {filed}"
MINE_ANONYMOUS = " (anonymous)"
MINE_UNKNOWN_SERVER = "a server I'm no longer in"
MINE_NONE = (
    "You have no repair requests with me. If you need the moderators' help after harm, /repair request "
    "asks them privately, with your name or anonymously."
)
MINE_WAITING = (
    "The moderators sent you {count} message(s) that I couldn't deliver by direct message. Here they are:"
)
