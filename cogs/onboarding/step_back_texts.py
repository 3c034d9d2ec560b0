"""Every sentence of stepping back from membership (/membership step-back), whole, ready for translation."""

COMMAND_DESCRIPTION = "Step back from membership (no punishment; you can come back any time)"

ASK = ("**Stepping back from membership**\n"
       "Stepping back is not a punishment, and you don't owe anyone an explanation. Your capacity is respected.\n\n"
       "If you go ahead, I will:\n"
       "• take off your member role and your conflict of interest (COI) roles, and clear your COI "
       "declarations;\n"
       "• tell the moderators in one short line that you stepped back (with a reason only if you choose to "
       "give one).\n\n"
       "You stay in the server, and you can come back any time with `/onboarding start`.")
STEP_BACK_LABEL = "Step back"
STEP_BACK_WITH_REASON_LABEL = "Step back and tell the moderators why"
KEEP_LABEL = "Keep my membership"

REASON_TITLE = "Step back from membership"
REASON_LABEL = "A short reason for the moderators (optional)"
REASON_PLACEHOLDER = "Only if you want to. You can leave this empty."

KEPT = "Nothing changed: you're still a member. Thank you for being here."

DONE = ("You've stepped back from membership. Thank you for everything you gave. Stepping back is not a "
        "punishment, and the door stays open.\n\n"
        "**Your data**: anything else you shared with me (like a repair case or a question) is kept under our usual "
        "retention rules; `/mydata show` lists it, and `/mydata delete` erases it now if you prefer.\n"
        "**Coming back**: whenever you're ready, run `/onboarding start` and go through our agreements "
        "again. Your member role comes back after your \"yes\".")

NOT_A_MEMBER = ("You're not a member right now, so there's nothing to step back from, and nothing changed. "
                "If you'd like to join, `/onboarding start` walks you through our agreements.")

ROLES_REFUSED = ("I couldn't take your roles off (my role may sit below them in the server's role list), so "
                 "nothing changed: you're still a member. I've told the moderators; they can sort it out, "
                 "and you can try again later.")
YOUR_REASON = "\n\nWhat you wrote, so it isn't lost: {reason}"
ROLES_REFUSED_MODLOG = ("{user} asked to step back from membership, but I couldn't take their roles off "
                        "(HTTP {status}). Please check my role's place in the role list.")

MODLOG = "{user} stepped back from membership"
MODLOG_WITH_REASON = "{user} stepped back from membership. Their reason: {reason}"
AUDIT_REASON = "Stepped back from membership (their own choice)"
