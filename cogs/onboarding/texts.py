"""Every sentence onboarding says to people, each kept whole, rendered through bot.i18n.

The newcomer's own sentences go through `t()` (their language); what moderators, #mod-log and the
welcome channel's shared post read goes through `t_server()` (the server's language). The Spanish is
in bot/locales/es/onboarding.po. The steps' own text comes from the content file of the person's
language (bot/content.py), laid out by logic.py.
"""

from __future__ import annotations

# --- the flow -------------------------------------------------------------------------------------

COMPLETED = ("🎉 Thank you for your clear \"yes\" — you are now a member of the {name}! Your member role is on "
             "its way, and the member channels will open for you.\n\n{next_steps}")
# The content file's optional donation line (never a condition), after the welcome; with its link when it has one.
DONATION = "💛 {donation}"
DONATION_WITH_LINK = "💛 {donation} <{url}>"
REAFFIRMED = ("Thank you for confirming the updated agreements (version {version}). Nothing else changes — "
              "you're still a member of {name}.")
DECLINED = ("Thank you for being honest. Membership needs a clear \"yes\" to the commitment question, so I "
            "haven't made you a member yet — and that's okay, there is no rush and no judgement.\n\n"
            "If you have doubts or questions, press \"I have a question\" to ask the moderators privately, "
            "or write to {email}. Whenever you're ready, press \"Back to the question\".")
DECLINED_TYPED = ("Thank you for being honest. Membership needs a clear \"yes\" to the commitment question, so I "
                  "haven't made you a member yet — and that's okay, there is no rush and no judgement.\n\n"
                  "If you have doubts or questions, press \"I have a question\" to ask the moderators privately, "
                  "or write to {email}. Whenever you're ready, type just \"yes\" here (or use the buttons on the "
                  "question above).")
COI_SAVED = "Saved. Your pick becomes roles when you finish; you can change it later with `/coi tag`."
ALREADY_MEMBER = "You're already a member — there's nothing more to do here. Welcome!"
NO_ROLE_YET = ("I saved your answer, but I couldn't give you the member role just now. The moderators "
               "have been told and will sort it out — you don't need to do anything.")

# --- questions --------------------------------------------------------------------------------------

QUESTION_SENT = ("✅ Your question went privately to the moderators. Their answer will come to you by direct "
                 "message. You stay right here — continue whenever you're ready.")
QUESTION_WHERE = "step {step} of {count}: {heading}"
QUESTION_EMPTY = "Your question was empty — please type it and send it again."

NEXT_STEPS = (
    "**What next?**\n"
    "• `/coi tag` — add or change your conflicts of interest (COI) at any time.\n"
    "• `/repair request` — if harm happens, ask privately for a repair conversation.\n"
    "• `/acronym lookup` — not sure what an acronym means? Look it up."
)

# --- member roles moderators removed ---------------------------------------------------------

ROLE_HELD = (
    "Thank you for your clear \"yes\" — I've saved it. The moderators removed your member role earlier, so "
    "I can't give it back myself: a moderator decides that. I've let them know, and you don't need to do "
    "anything else. If you'd like to talk about it, press \"I have a question\" or write to the moderators."
)
ROLE_HELD_MODLOG = (
    "Onboarding: {user} said yes to the agreements, but moderators removed their member role earlier, so I "
    "didn't give it back. `/mod-onboarding allow` gives it back."
)
ALLOW_NOTHING = "Nothing to allow: I'm not holding back the member role from {member}."
ALLOWED_GIVEN = "Done: {member} had already said yes, so I gave them the member role back."
ALLOWED_NOT_GIVEN = ("Done: {member} may hold the member role again, but I couldn't give it just now; "
                     "the mod-log says why.")
ALLOWED_LATER = ("Done: {member} may hold the member role again. They get it when they say yes in onboarding "
                 "(`/mod-onboarding restart` sends it to them).")


NO_YES_NOTICED = ("Onboarding: {user} was given the member role without a recorded yes to the agreements "
                  "(an invite that grants roles, another bot, or by hand).")
NO_YES_ENFORCED = ("Onboarding: {user} was given the member role without a recorded yes to the agreements; "
                   "as `[gate] enforce` is on, I took it off and sent them the onboarding.")


# --- limits on questions to the moderators ------------------------------------------------

QUESTIONS_WAITING = (
    "You already have {count} questions waiting for the moderators. They'll answer each one by direct "
    "message; once they have, you can ask more. Your place in the steps is saved."
)
QUESTION_TOO_SOON = (
    "Your last question reached the moderators just now. Please give them a moment: you can ask another "
    "one in about {seconds} seconds. Your place in the steps is saved."
)
QUESTION_NOT_IN_SERVER = (
    "I can only pass on questions from people who are in the server. If you'd like to come back, you're "
    "welcome to join again."
)
QUESTION_GIVEN_BACK = ("{refusal}\n\nI didn't send your question, so I've attached what you wrote: nothing is lost, "
                       "and you can copy it into a new question later.")
ENDED = ("This onboarding is no longer active. If you are new to the server, use `/onboarding start` "
         "there and I'll walk you through it.")
NOT_YOUR_FORM = "This form was opened for someone else, so I didn't send it. Press \"I have a question\" yourself."

# --- role grants (mod-log) ---------------------------------------------------------------------------

ROLES_LEFT = "Onboarding: {user} said yes, but I couldn't give the member role: they are no longer in the server."
ROLES_NO_MEMBER_ROLE = "Onboarding: {user} said yes, but I couldn't give the member role: the member role is missing."
ROLES_REFUSED = ("Onboarding: {user} said yes, but I couldn't give the member role: Discord refused the role change "
                 "(HTTP {status}); check my role is above the Member, Newcomer and COI roles and that I have "
                 "Manage Roles.")
WELCOME_NOTE_HEAD = "Welcome to our new members (onboarding completed): "

# --- delivery ------------------------------------------------------------------------------------------

START_HERE = (
    "**New here? Start here.**\n"
    "Welcome to the {name}! To join as a member, you read our community agreements one short step at a "
    "time and answer one question at the end. It takes about {minutes} minutes.\n\n"
    "Press the button below: the steps open right here, and only you can see them. You can stop and come "
    "back whenever you like; your place is saved. (If I already sent you a direct message, either way works.)"
)
START_HERE_FAILED = ("Onboarding: I couldn't post or update the \"Start here\" message in the welcome channel. "
                     "Please check that the channel exists and that I can send messages there: newcomers whose "
                     "direct messages are closed start from that message.")
REMINDER = ("Hi {name}! A gentle reminder: your onboarding for {community} is waiting where you left it. Scroll up "
            "to my message with the buttons, or use `/onboarding start` in the server. No rush — and if something "
            "is unclear, press \"I have a question\".")
# Where `/mod-onboarding restart` (or the invite button) sent someone's onboarding.
SENT_BY_DM = "I sent them the first step by direct message."
SENT_DMS_CLOSED = ("I couldn't send them a direct message; they can continue from the \"Start here\" message in the "
                   "welcome channel (only they see their steps).")
SENT_RETRY = "Discord had a hiccup sending their direct message; I'll try again in a moment."

# --- questions: the moderators' side ------------------------------------------------------------------

QUESTION_POST = "**Onboarding question** from {user} ({where}):\n>>> {text}"
QUESTION_POST_NO_FLOW = "**Onboarding question** from {user}:\n>>> {text}"
QUESTION_ANSWERED_POST = "**Onboarding question** from {user}:\n>>> {text}\n\n✅ Answered by {moderator}."
QUESTION_NOT_POSTED = ("I saved your question but couldn't reach the moderators' channel. Please write to {email} "
                       "instead.")
ANSWER_EMPTY = "The answer was empty — nothing was sent."
QUESTION_GONE = "I can't find that question any more (the person may have left)."
ANSWER_DM = ("A moderator of {community} answered your onboarding question:\n\n>>> {answer}\n\nYour place in the "
             "steps is saved — continue whenever you're ready. You can ask again with \"I have a question\".")
ANSWER_NOT_DELIVERED = ("I couldn't deliver that: their direct messages are closed (or they left). Nothing was sent; "
                        "you could greet them in the welcome channel instead.")
ANSWER_SENT = "Sent — they got your answer by direct message."

# --- moderators' commands -------------------------------------------------------------------------------

RESTARTED = "Onboarding restarted for {member}. {said} Their roles stay as they are."
INVITED = "Onboarding sent to {member}. {said}"
NO_BOTS = "Bots don't go through onboarding."
GONE_FROM_SERVER = "They are no longer in the server."
STATUS_HEAD = "**Onboarding status of {member}**"
STATUS_MEMBER = "• Member since {date} (agreements version {version})"
STATUS_REAFFIRM_ASKED = "• Asked to reaffirm version {version}"
STATUS_NO_FLOW = "• No onboarding in progress."
STATUS_FLOW = "• Status: {status}; step {step} of {count} — {heading}"
STATUS_FLOW_REAFFIRM = "• Status: {status} (reaffirmation); step {step} of {count} — {heading}"
STATUS_TIMES_DM = "• Started {started}, last active {active}; via direct messages"
STATUS_TIMES_WELCOME = "• Started {started}, last active {active}; via the welcome channel"
STATUS_DECLINED = "• Said \"not yet\" {count} time(s)"
STATUS_REMINDED = "• Reminder sent {when}"
STATUS_NAMES = {"in_progress": "in progress", "declined": "declined", "completed": "completed"}
REAFFIRM_NOTHING = "Everyone has already accepted (or been asked about) version {version}. Nothing to do."
REAFFIRM_ASKED = ("Asked {count} member(s) to confirm the updated agreements (version {version}). Nobody loses their "
                  "role; `/mod-onboarding stats` shows who is still pending.")
REAFFIRM_ASKED_SOME_CLOSED = (
    "Asked {count} member(s) to confirm the updated agreements (version {version}). {closed} of them have closed "
    "DMs; they can use `/onboarding start` in the server. Nobody loses their role; `/mod-onboarding stats` shows "
    "who is still pending.")

# --- typed answers: how the DM router names this destination --------------------------------------------

DM_LABEL = "My answer to the onboarding question"
DM_DESCRIPTION = "The commitment question of {name}"

# --- the steps' own words (logic.py fills them in) ------------------------------------------------------

INTRO_HEADING = "Welcome"
INTRO = (
    "Welcome! This is the {name} ({short_name}). {about}\n\n"
    "{membership_free}\n\n"
    "Before you join as a member, I'll walk you through our values, agreements and how they show up "
    "in practice — one short part at a time. It takes about {minutes} minutes, and you can "
    "stop and come back whenever you like: your place is saved.\n\n"
    "At the end I'll ask one question; a clear \"yes\" makes you a member.\n\n"
    "*Privacy: I store only where you are in these steps, your answer's date and content version, any "
    "conflicts of interest you choose to tag, and questions you send the moderators (encrypted). "
    "Use `/privacy` to see everything I store, and `/mydata` to see or erase yours.*"
)
COI_PROMPT = (
    "If any of these groups describes you, pick them below (or pick \"None apply\"). Having a "
    "conflict of interest (COI) does not bar anyone from membership; it is shown as a role so "
    "meeting hosts know. You can change it later with `/coi tag`."
)
COMMITMENT_HEADING = "The commitment question"
COMMITMENT = (
    "**{question}**\n\n"
    "This question stands for our core values: {values}.\n\n"
    "Membership needs a clear \"yes\". If you are not sure yet, that's okay — press "
    "\"Not yet / I have questions\" and a moderator can talk it through with you. "
    "You can also type your answer here."
)
ACRONYMS_IN_STEP = "*Acronyms in this step:*"
PROGRESS = "**Step {step} of {total}**"
PROGRESS_CONTINUED = "**Step {step} of {total} (continued)**"
CONTINUES = "*This part continues on the next step.*"
AGREEMENTS_UPDATED = (
    "Our community agreements were updated (version {version}). Please read the parts "
    "that changed and answer the commitment question again. Your membership stays as it is meanwhile."
)
COI_PICKED = "Your pick: **{picked}**"
COI_PICKED_NONE = "Your pick: **none apply**"
STATS = (
    "**Onboarding** (content version {version})\n"
    "• Started: {started}\n"
    "• Completed: {completed}\n"
    "• Declined (\"not yet\"): {declined}\n"
    "• Stalled more than {days:g} days: {stalled}\n"
    "• Pending reaffirmation: {pending}\n"
    "• Members on the current version: {current}"
)

# --- slash commands: descriptions Discord shows in the command picker (names stay English for now) ---

CMD_ONBOARDING = "Join as a member: our agreements, step by step"
CMD_MOD_ONBOARDING = "Moderators: onboarding status, numbers, reaffirm"
CMD_START = "Start (or continue) onboarding: our agreements, step by step"
CMD_RESTART = "walk a member through onboarding again"
OPT_RESTART_MEMBER = "Who should go through onboarding again"
CMD_ALLOW = "Let someone whose member role was removed hold it again"
OPT_ALLOW_MEMBER = "The person moderators removed the member role from"
CMD_STATUS = "where someone is in onboarding"
OPT_STATUS_MEMBER = "The person to look up"
CMD_STATS = "onboarding numbers"
CMD_REAFFIRM = "ask members to confirm the updated agreements"

# --- buttons, the COI pick and the forms (views.py) ---------------------------------------------------

BEGIN_LABEL = "Let's begin"
AGREE_LABEL = "I understand and agree"
YES_LABEL = "Yes"
NOT_YET_LABEL = "Not yet / I have questions"
BACK_LABEL = "Back"
ASK_LABEL = "I have a question"
RESUME_LABEL = "Back to the question"
NONE_APPLY_LABEL = "None apply"
COI_PLACEHOLDER = "Conflicts of interest (COI): pick any that apply"
START_HERE_LABEL = "Start here: read our agreements"
# The welcome post's button and line for a language other than the server's. Each is rendered in the
# language it offers (the Spanish reads "Empezar aquí en español"), never in the server's.
START_IN_LABEL = "Start here in English"
START_IN_HINT = "Prefer English? Press **Start here in English**: the steps open in English."
START_LABEL = "Start onboarding"
NOT_YOUR_BUTTON = "This button is for {name} — if you're new, use `/onboarding start`."
SOMEONE_ELSE = "someone else"
REPLY_LABEL = "Reply"
INVITE_LABEL = "Send them the onboarding"
QUESTION_TITLE = "Ask the moderators"
QUESTION_LABEL = "Your question"
QUESTION_PLACEHOLDER = "Only the moderators see this. Their answer comes to you by direct message."
ANSWER_TITLE = "Answer the newcomer"
ANSWER_LABEL = "Your answer"
ANSWER_PLACEHOLDER = "Sent to them by direct message from the bot."
CMD_MEMBERSHIP = "Your membership of the coalition"

# --- the reason Discord's audit log shows for the bot's role changes (moderators read it) ------------

GRANT_REASON = "Onboarding completed"
GATE_REASON = "No recorded yes to the agreements ([gate] enforce)"
