"""Words of the member-role gate (people holding the member role without a recorded yes): all for
moderators, so rendered in the server's language (`t_server`, `tn_server`)."""

from bot.i18n import Plural

UNCONFIRMED_SUMMARY = Plural(
    "Onboarding: {count} person holds the member role without a recorded yes to the agreements (given by an "
    "invite, another bot, or by hand while I was away, or before I came).",
    "Onboarding: {count} people hold the member role without a recorded yes to the agreements (given by an "
    "invite, another bot, or by hand while I was away, or before I came).")
UNCONFIRMED_SUMMARY_ENFORCE = (" `[gate] enforce` is on, but I don't take roles off at start-up by myself: "
                               "the button below does it for them and sends them the onboarding.")
WHO_LABEL = "Who are they?"
SEND_LABEL = "Send them the onboarding ({count})"
SEND_AND_GATE_LABEL = "Take the role off and send the onboarding ({count})"
WHO_NOBODY = "Nobody holds the member role without a recorded yes any more."
WHO_LIST = "Holding the member role without a recorded yes ({count}):\n{names}"
WHO_MORE = "\n… and {more} more."
SENT_SUMMARY = Plural("Done: I sent the onboarding to {count} person.{gated}{closed}",
                      "Done: I sent the onboarding to {count} people.{gated}{closed}")
SENT_GATED = " I took the member role off {count} of them; they get it back when they say yes."
SENT_CLOSED = (" {count} had closed direct messages: they can use the \"Start here\" message in the welcome "
               "channel.")
NOBODY_TO_SEND = "Nobody holds the member role without a recorded yes any more, so there is nothing to send."

SEND_ALL = "all"  # the "Send them the onboarding" button restored without its count
