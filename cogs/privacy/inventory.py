"""The data inventory: every table and column the bot stores, why, and when it is deleted.

This is the one source for README's "What the bot stores and why" block (between the
`inventory:start`/`inventory:end` markers, regenerated with `python -m cogs.privacy.inventory`)
and for `/privacy`. tests/db/test_inventory.py fails when it and the models differ.
Pure data and text: no discord, no database imports.

Every title, why, deleted and column description is English marked with `N_` (extracted into the
privacy catalog by `python -m bot.i18n update`): README stays English, and `/privacy` renders each one
with `t(...)` in the reader's language. Table and column names are identifiers, never translated.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import N_


@dataclass(frozen=True)
class TableDoc:
    name: str
    title: str  # plain-language name, e.g. "Onboarding progress"
    why: str
    deleted: str
    columns: tuple[tuple[str, str], ...]


GUILD = ("guild_id", N_("which server this belongs to"))

INVENTORY: tuple[TableDoc, ...] = (
    TableDoc(
        "onboarding_progress", N_("Onboarding progress"),
        N_("So a newcomer can pause and pick up the onboarding steps where they left off."),
        N_("At once when the person leaves the server, or when they use `/mydata delete`."),
        (GUILD,
         ("user_id", N_("the newcomer's Discord ID")),
         ("status", N_("in progress, declined or completed")),
         ("step_index", N_("which step they are on")),
         ("surface", N_("whether the steps run in DMs or privately in the welcome channel")),
         ("content_version", N_("which version of the agreements they are reading")),
         ("reaffirm_from_version", N_("for re-confirming changed agreements: the version they had said yes to")),
         ("declined_count", N_("how many times they answered no (so they can be offered to try again)")),
         ("coi_selection", N_("conflict-of-interest groups picked, held until the final step")),
         ("started_at", N_("when they started")),
         ("updated_at", N_("when they last moved a step")),
         ("reminded_at", N_("when the bot last sent a gentle reminder")),
         ("revision", N_("a counter bumped on every change, so two writers never overwrite each other"))),
    ),
    TableDoc(
        "membership", N_("Membership"),
        N_("Records that the member said a clear yes to the agreements, and to which version."),
        N_("After `retention_days_after_leave` days once they leave (a rejoin cancels), or on `/mydata delete`."),
        (GUILD,
         ("user_id", N_("the member's Discord ID")),
         ("content_version", N_("the version of the agreements they said yes to")),
         ("accepted_at", N_("when they said yes")),
         ("reaffirm_requested_version", N_("a newer version moderators asked them to confirm")),
         ("accepted_step_hashes", N_("a fingerprint of each step's text they accepted, so a re-confirmation "
                                     "asks only about steps that changed")),
         ("role_granted_at", N_("when Discord confirmed their member role (empty while it is still owed, so a "
                                "crash can never leave someone without it)")),
         ("grant_attempted_at", N_("when the bot last tried to give the member role"))),
    ),
    TableDoc(
        "onboarding_question", N_("Questions asked during onboarding"),
        N_("So a moderator can answer a newcomer's question about a step. The question text is encrypted."),
        N_("After `retention_days_after_leave` days once the asker leaves, or on their `/mydata delete`."),
        (("id", N_("row number")), GUILD,
         ("user_id", N_("who asked")),
         ("step_index", N_("which step the question was about")),
         ("question_enc", N_("the question, encrypted")),
         ("asked_at", N_("when it was asked")),
         ("answered_at", N_("when a moderator answered")),
         ("answered_by", N_("the moderator who answered (cleared if they erase their data)")),
         ("post_channel_id", N_("where the question was posted for moderators")),
         ("post_message_id", N_("that post, so it is deleted with the question"))),
    ),
    TableDoc(
        "coi_tag", N_("Conflict of interest (COI) tags"),
        N_("Mirrors the COI roles members choose, so waiting rooms and meeting reminders know who to include."),
        N_("When the member removes the tag, after `retention_days_after_leave` days once they leave, "
           "or on `/mydata delete` (the bot also removes the matching COI roles)."),
        (("guild_id", N_("which server this belongs to")),
         ("user_id", N_("the member's Discord ID")),
         ("category_key", N_("which COI group (e.g. funders, law enforcement)")),
         ("declared_at", N_("when they declared it"))),
    ),
    TableDoc(
        "person_language", N_("Language"),
        N_("So the bot speaks to each person in their language (English or Spanish), also in messages it sends "
           "them later, like reminders. Set when they pick a language (`/language`, or the buttons on the first "
           "message), or noted from their Discord app's language when it isn't the server's."),
        N_("On `/mydata delete` (here or everywhere), or with the rest of their data `retention_days_after_leave` "
           "days after they leave a server."),
        (("user_id", N_("the person's Discord ID (one language for every server and DMs, so no server)")),
         ("language", N_("the language code, e.g. es")),
         ("chosen", N_("whether they picked it (else it follows their Discord app)")),
         ("updated_at", N_("when it last changed (so every part of the bot picks up a new choice)"))),
    ),
    TableDoc(
        "waiting_room", N_("Waiting rooms"),
        N_("So a waiting room a moderator opens for a meeting can be ended and every permission restored, "
           "even after a restart."),
        N_("Kept as a record of the moderator action; moved members are cleared when it ends; a person's ID "
           "is removed on their `/mydata delete`."),
        (("id", N_("row number")), GUILD,
         ("channel_id", N_("the meeting channel")),
         ("category_keys", N_("which COI groups were asked to wait")),
         ("previous_overwrites", N_("the channel permissions to restore (role IDs and permission numbers)")),
         ("moved_member_ids", N_("members the bot moved, to move back; cleared when it ends")),
         ("started_by", N_("the moderator who opened it (0 once they erase their data)")),
         ("reason", N_("a short reason the moderator typed (optional)")),
         ("started_at", N_("when it opened")),
         ("expires_at", N_("when it ends on its own")),
         ("ended_at", N_("when it ended"))),
    ),
    TableDoc(
        "meeting", N_("Meetings"),
        N_("So the meeting opener can ask for a volunteer note-taker (no AI note-takers) and remember who "
           "volunteered."),
        N_("Kept as a record of the meeting; the note-taker's ID is cleared on their `/mydata delete` or "
           "`retention_days_after_leave` days after they leave."),
        (("id", N_("row number")), GUILD,
         ("channel_id", N_("the meeting channel")),
         ("started_by", N_("who opened the meeting (0 once they erase their data)")),
         ("opening_message_id", N_("the bot's opening message, to update it")),
         ("notetaker_id", N_("the volunteer note-taker")),
         ("kind", N_("a monthly Coalition meeting (attendance counts) or another meeting, as the moderator marked it")),
         ("started_at", N_("when it started")),
         ("ended_at", N_("when it ended"))),
    ),
    TableDoc(
        "organization", N_("Organizations"),
        N_("The coalition's organizations, as moderators list them, so members can say which one they represent "
           "and staff can see each organization's meeting attendance. No personal data."),
        N_("When a moderator removes it (`/mod-organization remove`)."),
        (("id", N_("row number")), GUILD,
         ("name", N_("the organization's name")),
         ("name_key", N_("the same name in lower case, so it is listed once")),
         ("added_at", N_("when it was added"))),
    ),
    TableDoc(
        "organization_affiliation", N_("Which organization a member represents"),
        N_("Only if the member chooses to say it (`/organization set`), so their \"I'm here\" at a monthly "
           "Coalition meeting counts for their organization."),
        N_("On `/organization clear`, when the organization is removed, after `retention_days_after_leave` days "
           "once they leave, or on `/mydata delete`."),
        (GUILD,
         ("user_id", N_("the member's Discord ID")),
         ("organization_id", N_("the organization (empty: they are here as an individual)")),
         ("set_at", N_("when they said it"))),
    ),
    TableDoc(
        "attendance_checkin", N_("Meeting check-ins"),
        N_("One \"I'm here\" per person at a monthly Coalition meeting, so each organization's attendance can be "
           "counted against the 50% ask. Nobody's own check-ins are shown to anyone but themselves (`/mydata`); "
           "no voice activity is tracked."),
        N_("After `retention_days_after_leave` days once the person leaves, or on their `/mydata delete`."),
        (("meeting_id", N_("the meeting")), GUILD,
         ("user_id", N_("who checked in")),
         ("organization_id", N_("the organization it counted for (empty: none)"))),
    ),
    TableDoc(
        "confidential_space", N_("Confidential spaces"),
        N_("Which channels and categories are confidential, so the bot can remind people and keep recording bots out."),
        N_("When a moderator unmarks the space. The moderator's ID becomes 0 if they erase their data."),
        (("guild_id", N_("which server this belongs to")),
         ("target_id", N_("the channel or category")),
         ("target_kind", N_("text, voice, stage or category")),
         ("added_by", N_("the moderator who marked it")),
         ("added_at", N_("when"))),
    ),
    TableDoc(
        "sticky_reminder", N_("Confidentiality reminders"),
        N_("The one live reminder message in a confidential channel, so it can be replaced instead of piling up. "
           "Message text is never stored."),
        N_("When the channel stops being confidential."),
        (("guild_id", N_("which server this belongs to")),
         ("channel_id", N_("the channel")),
         ("message_id", N_("the bot's reminder message")),
         ("posted_at", N_("when it was posted")),
         ("messages_since", N_("how many messages since (a count only)"))),
    ),
    TableDoc(
        "voice_meeting_state", N_("Voice meeting reminders"),
        N_("When a confidential voice channel last got a reminder, so it is not repeated too often."),
        N_("When the channel stops being confidential."),
        (("guild_id", N_("which server this belongs to")),
         ("channel_id", N_("the voice channel")),
         ("last_reminder_at", N_("last reminder")),
         ("emptied_at", N_("when the channel last became empty"))),
    ),
    TableDoc(
        "recording_exception", N_("Recording exceptions"),
        N_("A time-limited permission for a recording bot, only for an accessibility need that was discussed "
           "and announced."),
        N_("Deleted when the exception ends (its reason with it); the audit log keeps only that it was granted "
           "and ended, by whom. The moderator's ID becomes 0 if they erase their data before then."),
        (("id", N_("row number")), GUILD,
         ("channel_id", N_("the channel")),
         ("bot_user_id", N_("the recording bot allowed (a bot, not a person)")),
         ("reason_enc", N_("the accessibility reason the moderator typed, encrypted")),
         ("granted_by", N_("the moderator who granted it")),
         ("starts_at", N_("start")),
         ("expires_at", N_("end")),
         ("announced_at", N_("when it was announced in the meeting")),
         ("access_request_id", N_("the access request it was granted from, if any (the record that the need was "
                                  "discussed with staff; the announcement never says whose need it is)"))),
    ),
    TableDoc(
        "repair_case", N_("Repair cases"),
        N_("A member's request for repair after harm, carried privately to moderators. All text and the "
           "requester's ID are encrypted; anonymous cases never store who filed them in readable form."),
        N_("`case_retention_days` after the case is closed (daily purge). The requester's link is removed when "
           "they use `/mydata delete` or `retention_days_after_leave` days after they leave; the case then shows "
           "\"former member\"."),
        (("id", N_("row number")), GUILD,
         ("number", N_("case number shown to people")),
         ("anonymous", N_("whether the requester asked to stay anonymous")),
         ("requester_enc", N_("the requester's Discord ID, encrypted")),
         ("requester_index", N_("a keyed fingerprint of the requester, for limits and \"my cases\" "
                                "without a readable ID")),
         ("what_happened_enc", N_("what happened, encrypted")),
         ("who_involved_enc", N_("who was involved, encrypted")),
         ("what_would_help_enc", N_("what would help, encrypted")),
         ("content_warning_enc", N_("a content warning, encrypted")),
         ("resolution_enc", N_("how it was resolved, encrypted")),
         ("excluded_moderator_ids", N_("moderators the requester asked to keep away from the case (kept even if "
                                       "they erase their data, so the case stays hidden from them)")),
         ("status", N_("submitted, acknowledged, in progress, resolved, closed or reopened")),
         ("assignee_id", N_("the moderator handling it")),
         ("thread_id", N_("the private moderator thread")),
         ("summary_message_id", N_("the case summary message")),
         ("routed_to_alternates", N_("whether alternate reviewers have it")),
         ("routing_owner", N_("which running copy of the bot is delivering the case (a technical token)")),
         ("route_blocked", N_("why delivery is waiting, e.g. no alternate reviewers set up")),
         ("created_at", N_("filed")),
         ("acknowledged_at", N_("acknowledged")),
         ("ack_reminded_at", N_("when moderators were reminded to acknowledge")),
         ("closed_at", N_("closed"))),
    ),
    TableDoc(
        "repair_event", N_("Repair case history"),
        N_("Who did what on a case, when. Notes and relayed replies are encrypted."),
        N_("With the case. A person's ID is cleared from it on their `/mydata delete`."),
        (("id", N_("row number")),
         ("case_id", N_("the case")), GUILD,
         ("actor_id", N_("who acted (empty for an anonymous requester or a former member)")),
         ("kind", N_("what happened (e.g. acknowledged, note, closed)")),
         ("body_enc", N_("note or relayed text, encrypted")),
         ("data", N_("small details such as the new status (no text)")),
         ("created_at", N_("when"))),
    ),
    TableDoc(
        "access_request", N_("Access requests"),
        N_("What a member asked staff for, privately, to take part in meetings (captions, a note-taker, a "
           "recording, materials in advance, interpretation), so moderators can arrange it and answer them. Not "
           "anonymous: moderators see who asked. The person's own words are encrypted."),
        N_("`case_retention_days` after a moderator answers it (daily purge, with its private thread). On "
           "`/mydata delete` (or `retention_days_after_leave` days after they leave) the link to the person and "
           "their words are erased; the request then shows \"former member\"."),
        (("id", N_("row number")), GUILD,
         ("number", N_("request number shown to moderators")),
         ("requester_id", N_("who asked")),
         ("needs", N_("which needs they picked (e.g. captions, a recording)")),
         ("detail_enc", N_("what they wrote, encrypted (optional)")),
         ("status", N_("received, arranged or not possible")),
         ("decided_by", N_("the moderator who answered")),
         ("decided_at", N_("when they answered")),
         ("thread_id", N_("the private moderator thread (or channel)")),
         ("summary_message_id", N_("the request's summary message")),
         ("recording_channel_id", N_("where a recording was allowed from this request")),
         ("recording_allowed_at", N_("when it was allowed")),
         ("created_at", N_("when they asked"))),
    ),
    TableDoc(
        "repair_counter", N_("Repair case counters"),
        N_("The last case number given out in each server (and the last case row number), so a number is never "
           "given to a second case, even after the first was deleted. No personal data."),
        N_("Kept while the bot is in the server."),
        (("guild_id", N_("which server (0: the row-number counter)")),
         ("last_number", N_("the last number given out"))),
    ),
    TableDoc(
        "audit_log", N_("Audit log"),
        N_("Moderator actions (case steps, waiting rooms, recording exceptions, onboarding restarts) so moderators "
           "stay accountable. IDs and action names only, never case or message text. Moderators can read it with "
           "`/audit recent`; nobody can edit it."),
        N_("Kept. A person's ID is cleared from it on their `/mydata delete`."),
        (("id", N_("row number")), GUILD,
         ("actor_id", N_("the moderator (or empty)")),
         ("action", N_("the action's name, e.g. repair.close")),
         ("subject", N_("what it was about, as kind:id, e.g. case:12")),
         ("created_at", N_("when"))),
    ),
    TableDoc(
        "guild_state", N_("Servers the bot runs in"),
        N_("When the bot first and last saw each server, so people who join while it is restarting are still "
           "welcomed, and people who were there before it arrived are never messaged unasked. No personal data."),
        N_("Kept while the bot is in the server."),
        (("guild_id", N_("which server")),
         ("first_seen_at", N_("when the bot first saw it")),
         ("last_seen_at", N_("when the bot last saw it (updated once a minute)")),
         ("start_here_message_id", N_("the welcome channel's \"Start here\" message, so it is kept, not posted "
                                      "twice"))),
    ),
    TableDoc(
        "member_role_hold", N_("Member roles moderators removed"),
        N_("When moderators take someone's member role away, the bot remembers it and doesn't give the role back "
           "(not after a new yes, a rejoin or `/mydata delete`) until a moderator allows it with "
           "`/mod-onboarding allow`."),
        N_("Until a moderator allows them back. Kept through `/mydata delete`: otherwise erasing one's data "
           "would undo the moderators' decision."),
        (("guild_id", N_("which server")),
         ("user_id", N_("whose member role was removed")),
         ("removed_at", N_("when the bot saw it removed"))),
    ),
    TableDoc(
        "guild_wiring", N_("The server's roles and channels"),
        N_("Which roles and channels the bot uses in each server (member, newcomer, moderator, COI roles; "
           "welcome, moderators, mod-log and COI channels), held by ID once set-up found or created them, so a "
           "role someone creates later with the same name is never mistaken for them. No personal data."),
        N_("Kept while the bot is in the server; updated at start-up when the configuration names another one."),
        (("guild_id", N_("which server")),
         ("key", N_("which role or channel it is (e.g. moderator_role)")),
         ("configured", N_("the name in the configuration it was found or created for")),
         ("target_id", N_("the role's or channel's ID"))),
    ),
    TableDoc(
        "departed_member", N_("Departures"),
        N_("When someone left, so their remaining data is deleted after `retention_days_after_leave` days."),
        N_("With the rest of their data when that time is up, or at once if they rejoin."),
        (("guild_id", N_("which server they left")),
         ("user_id", N_("who left")),
         ("left_at", N_("when"))),
    ),
    TableDoc(
        "key_check", N_("Encryption key check"),
        N_("So the bot can tell, before writing anything, whether it has the key that encrypted the data, and "
           "so a member's keyed fingerprints stay the same when keys are added. No personal data."),
        N_("Kept; replaced when the key is rotated."),
        (("id", N_("always 1")),
         ("fingerprints", N_("a short hash of each key that encrypted data (never the key itself)")),
         ("index_secret_enc", N_("the secret behind the keyed fingerprints, encrypted"))),
    ),
)

INTRO = (
    N_("The bot keeps as little as it can. It never stores message content, usernames, avatars, IP addresses "
       "or analytics: people appear only as Discord IDs (numbers). Repair case text, the requester of a case, "
       "what someone wrote in an access request and onboarding questions are encrypted at rest. Anyone can see "
       "everything the bot holds about them with `/mydata show`, download it with `/mydata export`, and erase it "
       "with `/mydata delete`. {retention} and {case_retention} are settings in the `[privacy]` section of "
       "config.toml; the second applies to answered access requests too.")
)
# What README says in INTRO's placeholders (/privacy says this server's values instead).
README_RETENTION = "`retention_days_after_leave` (default 30)"
README_CASE_RETENTION = "`case_retention_days` (default 365)"

START_MARKER = "<!-- inventory:start -->"
END_MARKER = "<!-- inventory:end -->"


def render_markdown(inventory: tuple[TableDoc, ...] = INVENTORY) -> str:
    """The README block (without the markers)."""
    intro = INTRO.format(retention=README_RETENTION, case_retention=README_CASE_RETENTION)
    lines = ["## What the bot stores and why", "", intro, ""]
    for table in inventory:
        lines += [f"### `{table.name}` — {table.title}", "",
                  f"**Why:** {table.why}", "", f"**Deleted:** {table.deleted}", "",
                  "| column | what it holds |", "|---|---|"]
        lines += [f"| `{name}` | {text} |" for name, text in table.columns]
        lines.append("")
    return "\n".join(lines)


_HEADING = re.compile(r"^### `([a-z0-9_]+)`")
_ROW = re.compile(r"^\| `([a-z0-9_]+)` \|")


def parse_markdown(text: str) -> dict[str, set[str]]:
    """table -> documented columns, from a rendered block (used by the inventory test)."""
    found: dict[str, set[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = heading.group(1)
            found.setdefault(current, set())
            continue
        row = _ROW.match(line)
        if row and current is not None:
            found[current].add(row.group(1))
    return found


def extract_block(readme: str) -> str | None:
    start, end = readme.find(START_MARKER), readme.find(END_MARKER)
    if start < 0 or end < start:
        return None
    return readme[start + len(START_MARKER):end].strip("\n")


def replace_block(readme: str, block: str) -> str:
    """Put `block` between the markers (adding the markers at the end if absent)."""
    wrapped = f"{START_MARKER}\n{block.rstrip()}\n{END_MARKER}"
    start, end = readme.find(START_MARKER), readme.find(END_MARKER)
    if start < 0 or end < start:
        return readme.rstrip("\n") + "\n\n" + wrapped + "\n"
    return readme[:start] + wrapped + readme[end + len(END_MARKER):]


def table_doc(name: str) -> TableDoc | None:
    return next((t for t in INVENTORY if t.name == name), None)


def main(argv: list[str]) -> int:
    """`python -m cogs.privacy.inventory [README.md]`: rewrite the README block."""
    path = Path(argv[0] if argv else "README.md")
    path.write_text(replace_block(path.read_text(encoding="utf-8"), render_markdown()), encoding="utf-8")
    print(f"updated the inventory block in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
