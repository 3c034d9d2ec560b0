"""Every sentence of meeting attendance and organizations, whole, ready for translation."""

from bot.i18n import Plural

# --- commands ------------------------------------------------------------------------------------------

CMD_ORGANIZATION = "The organization you represent in the coalition (optional)"
CMD_ORGANIZATION_SET = "Say which organization you represent (or that you're here as an individual)"
CMD_ORGANIZATION_CLEAR = "Stop saying which organization you represent"
CMD_MOD_ORGANIZATION = "Moderators: the coalition's organizations"
CMD_MOD_ORGANIZATION_ADD = "Moderators: add an organization members can pick"
CMD_MOD_ORGANIZATION_REMOVE = "Moderators: remove an organization from the list"
CMD_MOD_ORGANIZATION_LIST = "Moderators: the organizations on the list"
CMD_ATTENDANCE = "Meeting attendance of your organization"
CMD_ATTENDANCE_MINE = "How many monthly Coalition meetings your organization attended this year"
CMD_MOD_ATTENDANCE = "Moderators: meeting attendance by organization"
CMD_MOD_ATTENDANCE_REPORT = "Moderators: each organization's monthly meeting attendance against the 50% ask"
CMD_CANNOT_PARTICIPATE = "Tell staff your organization can't take part at the agreed level right now (no penalty)"
OPT_REASON = "A short reason for the moderators (optional)"
OPT_ORGANIZATION = "Start typing to pick from the list"
OPT_NAME = "The organization's name, as members will see it"
OPT_YEAR = "Which year (leave empty for this year)"

# --- organizations ----------------------------------------------------------------------------------------

INDIVIDUAL_CHOICE = "Individual (not representing an organization)"
ADDED = "Added **{name}** to the organizations. Members can now pick it with `/organization set`."
ALREADY_LISTED = "**{name}** is already on the list, so nothing changed."
BAD_NAME = "Please give the organization a name of 1 to {limit} characters, on one line. Nothing was added."
RESERVED_NAME = ("\"Individual\" is the choice for people who don't represent an organization, so it can't be an "
                 "organization's name. Nothing was added.")
TOO_MANY = ("There are already {limit} organizations, the most I keep. Please remove one with "
            "`/mod-organization remove` first. Nothing was added.")
REMOVED = ("Removed **{name}**. People who had picked it no longer represent an organization here; their past "
           "check-ins stay, counted for no organization.")
UNKNOWN_ORGANIZATION = ("I couldn't find that organization on the list. Please pick one from the choices as you "
                        "type. Nothing was changed.")
LIST_HEAD = "**Organizations on the list ({count})**"
LIST_EMPTY = "There are no organizations on the list yet. Add one with `/mod-organization add`."
LIST_LINE = "• {name}"

SET_ORGANIZATION = ("Saved: you represent **{name}**. When you press \"I'm here\" at a monthly Coalition meeting, "
                    "it counts for {name}. The moderators see one line saying so. You can change this any time "
                    "with `/organization set`, or remove it with `/organization clear`.")
SET_INDIVIDUAL = ("Saved: you're here as an individual, not for an organization, so your check-ins don't count "
                  "for one. You can change this any time with `/organization set`.")
# Staff see who says they represent which organization: it is how they know an organization's people, and a
# false claim (to read another organization's figure) doesn't go unseen.
MODLOG_REPRESENTS = "{user} says they represent **{organization}** (`/organization set`)"
CLEARED = "Done: I no longer keep which organization you represent."
NOTHING_TO_CLEAR = "You hadn't named an organization, so there was nothing to clear."

# --- "I'm here" -------------------------------------------------------------------------------------------

HERE_LABEL = "I'm here"
CHECKED_IN_FOR = ("Thanks, you're checked in! This meeting counts for **{organization}**. Only you can see "
                  "this message.")
CHECKED_IN_ALONE = ("Thanks, you're checked in! You don't represent an organization here, so it isn't counted "
                    "for one. If you do, pick it with `/organization set` before the next meeting.")
ALREADY_CHECKED_IN = "You're already checked in for this meeting — thank you! There's nothing more to do."
NOT_COUNTED = ("This meeting doesn't take attendance (only monthly Coalition meetings do), so nothing was "
               "saved.")
MEETING_ENDED = "This meeting has ended, so check-ins are closed. Nothing was saved."
MEETING_GONE = "I couldn't find this meeting, so nothing was saved."
SERVER_ONLY = "This only works inside the coalition's server."

# --- figures -----------------------------------------------------------------------------------------------

REPORT_HEAD = ("**Monthly Coalition meeting attendance, {year}**\n"
               "Monthly meetings held: {held}. Organizations are asked to attend 50% or more of them.")
FIGURE_MEETS = Plural("**{organization}**: attended {attended} of {held} monthly meeting — meets the 50% ask",
                      "**{organization}**: attended {attended} of {held} monthly meetings — meets the 50% ask")
FIGURE_BELOW = Plural("**{organization}**: attended {attended} of {held} monthly meeting — below the 50% ask "
                      "({needed} of {held} would meet it)",
                      "**{organization}**: attended {attended} of {held} monthly meetings — below the 50% ask "
                      "({needed} of {held} would meet it)")
REPORT_NOTE = ("An organization attended a meeting when any of its people pressed \"I'm here\". This is a way "
               "to know whom to check in with, never a judgment.")
REPORT_NO_ORGANIZATIONS = ("There are no organizations on the list yet, so there is nothing to count. Add them "
                           "with `/mod-organization add`.")
NO_MEETINGS = ("No monthly Coalition meetings were held in {year}, so there's nothing to count yet. A meeting "
               "counts when a moderator starts it with `/meeting start` and marks it as a monthly Coalition "
               "meeting.")
MINE_HEAD = "**{organization}** in {year}"
MINE_NOTE = ("This is your organization's figure: it counts a meeting when anyone who represents it checked in. "
             "Nobody's own attendance is shown to anyone.")
MINE_NO_ORGANIZATION = ("You haven't said which organization you represent, so there's no figure to show. If you "
                        "represent one, pick it with `/organization set`.")
MINE_INDIVIDUAL = ("You're here as an individual, so there's no organization figure to show. If you represent "
                   "an organization, pick it with `/organization set`.")

# --- "can't participate" (the agreements: "if your organization is not able to participate at this level,
# please notify us") ----------------------------------------------------------------------------------------

CANNOT_PARTICIPATE_DONE = ("Thank you for telling us. This is not a punishment: capacity changes, and it is respected. "
                           "The moderators have one short line saying that **{organization}** can't take part at the "
                           "agreed level right now. Nothing else changes: the organization stays on the list, and "
                           "anyone can keep pressing \"I'm here\" whenever they can.")
CANNOT_PARTICIPATE_AGAIN = ("You told the moderators a few minutes ago, so I didn't post it again. They have it. Thank "
                            "you!")
CANNOT_PARTICIPATE_NO_ORGANIZATION = ("This is for someone who represents an organization, and you haven't said which "
                                      "one you represent. If you do, pick it with `/organization set` first. If it's "
                                      "your own membership you want to step back from, `/membership step-back` is "
                                      "there (also no punishment).")
YOUR_REASON = "\n\nWhat you wrote, so it isn't lost: {reason}"
MODLOG_CANNOT_PARTICIPATE = ("{user} says **{organization}** can't participate at the agreed level right now "
                             "(attending 50% of monthly Coalition meetings)")
MODLOG_CANNOT_PARTICIPATE_WITH_REASON = ("{user} says **{organization}** can't participate at the agreed level right "
                                         "now (attending 50% of monthly Coalition meetings). Their reason: {reason}")
