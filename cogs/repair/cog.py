"""Repair & justice requests: commands, button/modal handlers, DM relay, background jobs.

Filing writes the case to the database before the person is told; routing (the private
thread or channel, the summary, adding moderators) happens afterwards and is retried by
`run_due_jobs()` until it has happened — exactly once, guarded by a claim on the case row
and by looking for an existing `case-<number>` thread/channel before creating one.

Anonymity: for an anonymous case the requester's ID only exists encrypted (`requester_enc`)
and as a keyed hash (`requester_index`); it is never put in a message, embed, name, log
line, export or error text. Errors in this feature are therefore reported by `guarded()`,
which logs without user IDs.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import secrets
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CoalitionBot
from bot.dm_router import DmDestination, referenced_case_numbers
from bot.errors import MODERATORS_ONLY, BadInput, Conflict, NotAllowed, NotFound, describe_error, send_ephemeral
from bot.jobs import due_jobs_loop
from bot.ui import MODERATOR_COMMANDS, NO_MENTIONS, modal_values
from cogs.repair import logic, texts, views
from cogs.repair.logic import Action, Filing, InvalidTransition, Status
from cogs.repair.routing import Router
from db.models import RepairCase
from db.repositories import audit
from db.repositories import repair as repo

log = logging.getLogger(__name__)

DM_KEY = "repair"  # this feature's name in bot.dm_router

EXCLUDED_MESSAGE = (
    "The person who asked for repair in this case asked that you not handle it, so I can't let you act "
    "on it. Another moderator will take care of it — thank you for understanding."
)
SIGNATURE = "— the moderators"
STATUS_CHOICES = [
    app_commands.Choice(name="Open (any open status)", value="open"),
    app_commands.Choice(name="Submitted", value="submitted"),
    app_commands.Choice(name="Acknowledged", value="acknowledged"),
    app_commands.Choice(name="In progress", value="in_progress"),
    app_commands.Choice(name="Reopened", value="reopened"),
    app_commands.Choice(name="Resolved", value="resolved"),
    app_commands.Choice(name="Closed", value="closed"),
    app_commands.Choice(name="All", value="all"),
]


class RepairCog(commands.Cog):
    repair = app_commands.Group(
        name="repair",
        description="Ask the moderators privately for repair after harm",
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False),
    )
    moderate = app_commands.Group(name="mod-repair", description="Moderators: list and export repair cases",
                                  guild_only=True, default_permissions=MODERATOR_COMMANDS)

    def __init__(self, bot: CoalitionBot) -> None:
        self.bot = bot
        self.router = Router(self)
        # One token per start: a routing claim by an earlier start is stale and gets taken over.
        self.boot_id = secrets.token_hex(8)
        self.relay_limits = logic.RelayLimiter(bot.settings.repair.relay_per_minute,
                                               bot.settings.repair.relay_per_hour)
        # case id → (message id of the "(N more messages held)" line, N)
        self.held_notices: dict[int, tuple[int, int]] = {}

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*views.DYNAMIC_ITEMS)
        self.bot.dm_router.register(DM_KEY, self)
        self.jobs.start()

    async def cog_unload(self) -> None:
        self.bot.dm_router.unregister(DM_KEY)
        self.jobs.cancel()
        self.bot.remove_dynamic_items(*views.DYNAMIC_ITEMS)

    # --- helpers -------------------------------------------------------------------------

    async def guarded(self, interaction: discord.Interaction, where: str, work: Coroutine[Any, Any, None]) -> None:
        """Run a handler; turn failures into a kind private reply, logging no user IDs."""
        try:
            await work
        except Exception as exc:
            message, unexpected = describe_error(exc)
            if unexpected:
                log.error("repair: error in %s", where, exc_info=exc)
            await send_ephemeral(interaction, message)

    def index(self, guild_id: int, user_id: int) -> str:
        return self.bot.cipher.blind_index(guild_id, str(user_id))

    def enc(self, text: str | None) -> bytes | None:
        return self.bot.cipher.encrypt_optional(text)

    def dec(self, token: bytes | None) -> str | None:
        return self.bot.cipher.decrypt_optional(token)

    def requester_id(self, case: RepairCase) -> int | None:
        raw = self.dec(case.requester_enc)
        return int(raw) if raw and raw.isdigit() else None

    def case_view(self, case: RepairCase, guild: discord.Guild | None = None) -> views.CaseView:
        return views.CaseView(
            case_id=case.id, number=case.number, status=case.status, anonymous=case.anonymous,
            requester_id=None if case.anonymous else self.requester_id(case),
            what_happened=self.dec(case.what_happened_enc) or "", who_involved=self.dec(case.who_involved_enc),
            what_would_help=self.dec(case.what_would_help_enc), content_warning=self.dec(case.content_warning_enc),
            resolution=self.dec(case.resolution_enc), assignee_id=case.assignee_id,
            excluded_ids=tuple(case.excluded_moderator_ids or ()), created_at=case.created_at,
            for_alternates=case.routed_to_alternates,
        )

    def moderators_of(self, guild: discord.Guild) -> list[discord.Member]:
        return sorted((m for m in guild.members if not m.bot and self.bot.is_moderator(m)),
                      key=lambda m: m.display_name.casefold())

    def may_review(self, member: discord.Member) -> bool:
        """A moderator, or one of the alternate reviewers (who see only the cases routed to them)."""
        alternate_role = self.bot.wiring_for(member.guild).alternate_reviewers_role
        return self.bot.is_moderator(member) or (alternate_role is not None and alternate_role in member.roles)

    def can_handle(self, member: discord.Member, case: RepairCase) -> None:
        """Raise NotAllowed unless `member` may act on `case` (moderator or alternate, not excluded)."""
        alternate_role = self.bot.wiring_for(member.guild).alternate_reviewers_role
        is_alternate = case.routed_to_alternates and alternate_role is not None and alternate_role in member.roles
        if not (self.bot.is_moderator(member) or is_alternate):
            raise NotAllowed(MODERATORS_ONLY)
        if member.id in set(case.excluded_moderator_ids or ()):
            raise NotAllowed(EXCLUDED_MESSAGE)
        if self.is_requester(case, member.id):
            raise NotAllowed(texts.OWN_CASE)

    def is_requester(self, case: RepairCase, user_id: int) -> bool:
        return case.requester_index is not None and case.requester_index == self.index(case.guild_id, user_id)

    def member_of(self, interaction: discord.Interaction) -> discord.Member:
        user = interaction.user
        if interaction.guild is None or not isinstance(user, discord.Member):
            raise NotAllowed("This works inside the server, in the case's private thread.")
        if not self.may_review(user):
            raise NotAllowed(MODERATORS_ONLY)  # before any lookup: a made-up case ID learns nothing
        return user

    async def load_case(self, case_id: int, guild: discord.Guild) -> RepairCase:
        async with self.bot.sessions() as session:
            case = await repo.get(session, case_id)
        if case is None or case.guild_id != guild.id:
            raise NotFound("I can't find that case any more. It may have been removed.")
        return case

    async def check_limits(self, guild_id: int, user_id: int) -> logic.LimitDecision:
        async with self.bot.sessions() as session:
            return await self._limits(session, guild_id, user_id)

    async def _limits(self, session: Any, guild_id: int, user_id: int) -> logic.LimitDecision:
        index = self.index(guild_id, user_id)
        settings = self.bot.settings.repair
        return logic.check_filing_limits(
            open_count=await repo.count_open(session, guild_id, index),
            last_filed_at=await repo.last_filed_at(session, guild_id, index),
            now=self.bot.clock.now(), max_open=settings.max_open_per_member,
            cooldown_minutes=settings.cooldown_minutes,
        )

    # --- /repair request and the filing flow -------------------------------------------------

    @repair.command(name="request", description="Ask the moderators privately for repair after harm")
    async def request(self, interaction: discord.Interaction) -> None:
        await self.guarded(interaction, "/repair request", self.start_flow(interaction))

    async def start_flow(self, interaction: discord.Interaction) -> None:
        if interaction.guild is not None:
            await self.show_filing_step(interaction, interaction.guild, (), edit=False)
            return
        user = interaction.user
        shared = [g for g in self.bot.guilds if g.get_member(user.id) is not None]
        if not shared:
            raise NotFound("I can't find a server that we're both in, so I don't know which moderators to ask. "
                           "Please run /repair request inside the server.")
        if len(shared) == 1:
            await self.show_filing_step(interaction, shared[0], (), edit=False)
            return
        view = discord.ui.View(timeout=None)
        view.add_item(views.GuildSelect(sorted(shared, key=lambda g: g.name.casefold())))
        await interaction.response.send_message(
            "**Ask for repair**\nWe share more than one server. Which server's moderators should this go to?",
            view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def on_guild_picked(self, interaction: discord.Interaction, guild_id: int) -> None:
        guild = self.bot.get_guild(guild_id)
        if guild is None or guild.get_member(interaction.user.id) is None:
            raise NotFound("I can't find you in that server any more. Please try /repair request again.")
        await self.show_filing_step(interaction, guild, (), edit=True)

    async def show_filing_step(self, interaction: discord.Interaction, guild: discord.Guild,
                               excluded: tuple[int, ...], *, edit: bool) -> None:
        decision = await self.check_limits(guild.id, interaction.user.id)
        if not decision.allowed:
            raise Conflict(decision.reason)
        moderators = [m for m in self.moderators_of(guild) if m.id != interaction.user.id]
        chosen = [logic.who(m.display_name, m.name) for m in moderators if m.id in excluded]
        lines = [
            f"**Ask for repair — step 1 of 2** (goes privately to the moderators of **{logic.plain(guild.name)}**)",
            "",
            "**Is there a moderator who should not handle this?** If so, pick them below (optional, up to "
            f"{logic.MAX_EXCLUDED}). They won't be added to the case and can't act on it.",
        ]
        if chosen:
            lines.append(f"Kept away from your request: {', '.join(chosen)}. Please check the usernames: "
                         "display names can be copied, usernames can't.")
        lines += [
            "",
            "**Then choose how to file:**",
            "• **File with my name** — the moderators will see who you are.",
            "• **File anonymously** — moderators won't see your name; I keep a sealed (encrypted) link to you "
            "only to pass messages between you and them.",
        ]
        text = "\n".join(lines)
        view = views.filing_step_view(guild.id, moderators, excluded)
        if edit:
            await interaction.response.edit_message(content=text, view=view, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def on_exclusions_picked(self, interaction: discord.Interaction, guild_id: int, values: list[int]) -> None:
        guild = self.bot.get_guild(guild_id)
        # Only people in that server may see its moderators (the custom_id names any server).
        if guild is None or guild.get_member(interaction.user.id) is None:
            raise NotFound("I can't find you in that server any more. Please try /repair request again.")
        moderator_ids = {m.id for m in self.moderators_of(guild)}
        excluded = tuple(v for v in values if v in moderator_ids)[: logic.MAX_EXCLUDED]
        await self.show_filing_step(interaction, guild, excluded, edit=True)

    async def on_file_button(self, interaction: discord.Interaction, filing: Filing) -> None:
        guild = self.bot.get_guild(filing.guild_id)
        if guild is None or guild.get_member(interaction.user.id) is None:
            raise NotFound("I can't find you in that server any more. Please try /repair request again.")
        decision = await self.check_limits(guild.id, interaction.user.id)
        if not decision.allowed:
            raise Conflict(decision.reason)
        await interaction.response.send_modal(views.filing_modal(filing))

    # --- detached modal submissions -------------------------------------------------------------

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str(views.data_of(interaction).get("custom_id", ""))
        if not custom_id.startswith("repair:"):
            return
        values = modal_values(views.data_of(interaction))
        prefix, _, rest = custom_id.rpartition(":") if not custom_id.startswith(views.FILE_MODAL) else ("", "", "")
        if custom_id.startswith(views.FILE_MODAL + ":"):
            parts = custom_id.split(":")
            if len(parts) != 5:
                return
            filing = Filing.decode(parts[2], parts[3], parts[4])
            await self.guarded(interaction, "filing", self.on_filing_submitted(interaction, filing, values))
            return
        actions = {v: k for k, v in views.MODAL_ACTIONS.items()}
        if prefix in actions and rest.isdigit():
            action = actions[prefix]
            await self.guarded(interaction, f"{action.value} modal",
                               self.on_action_modal(interaction, action, int(rest), values))

    async def on_filing_submitted(self, interaction: discord.Interaction, filing: Filing,
                                  values: dict[str, Any]) -> None:
        texts = {key: logic.clean(str(values.get(key) or "")) for key in (views.F_WHAT, views.F_WHO, views.F_HELP,
                                                                           views.F_CW)}
        texts = {k: (logic.clip(v, views.LIMITS[k]) if v else None) for k, v in texts.items()}
        guild = self.bot.get_guild(filing.guild_id)
        if guild is None or guild.get_member(interaction.user.id) is None:
            await self.give_back(interaction, texts, "I can't find you in that server any more, so I couldn't file "
                                 "this. Here is what you wrote, so nothing is lost.")
            return
        # The exclusions come from the custom_id, which a modified client can write: keep only moderators.
        moderator_ids = {m.id for m in self.moderators_of(guild)}
        filing = dataclasses.replace(filing, excluded=tuple(
            i for i in filing.excluded if i in moderator_ids)[: logic.MAX_EXCLUDED])
        if not texts[views.F_WHAT]:
            await self.give_back(interaction, texts, "Please describe what happened — that part is needed so the "
                                 "moderators can help. Here is what you wrote, so nothing is lost.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        user_id = interaction.user.id
        now = self.bot.clock.now()
        async with self.bot.sessions() as session, session.begin():
            decision = await self._limits(session, guild.id, user_id)
            if decision.allowed:
                case = await repo.create_case(
                    session, guild_id=guild.id, anonymous=filing.anonymous,
                    requester_enc=self.bot.cipher.encrypt(str(user_id)),
                    requester_index=self.index(guild.id, user_id),
                    what_happened_enc=self.bot.cipher.encrypt(texts[views.F_WHAT] or ""),
                    who_involved_enc=self.enc(texts[views.F_WHO]),
                    what_would_help_enc=self.enc(texts[views.F_HELP]),
                    content_warning_enc=self.enc(texts[views.F_CW]),
                    excluded_moderator_ids=list(filing.excluded), at=now,
                )
                await repo.add_event(session, case, kind="filed", at=now,
                                     actor_id=None if filing.anonymous else user_id,
                                     # An anonymous case keeps no count: a moderator who files can't exclude themself,
                                     # so "every moderator but one" would point at them.
                                     data={"anonymous": True} if filing.anonymous
                                     else {"anonymous": False, "excluded": len(filing.excluded)})
        if not decision.allowed:
            await self.give_back(interaction, texts, decision.reason + "\n\nHere is what you wrote, so nothing "
                                 "is lost.")
            return
        # Saved. Only now tell the person.
        await interaction.followup.send(self.receipt(guild, case, filing, user_id), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)
        try:
            await self.router.route(case.id)
        except Exception:
            log.exception("repair: routing case id %s failed; it will be retried", case.id)

    def receipt(self, guild: discord.Guild, case: RepairCase, filing: Filing, user_id: int) -> str:
        moderators = self.moderators_of(guild)
        available = [m for m in moderators if m.id not in set(filing.excluded) and m.id != user_id]
        wiring = self.bot.wiring_for(guild)
        lines = [
            f"Thank you. Your request is saved as **case #{case.number}**"
            + (" (anonymous)." if filing.anonymous else "."),
            "",
            "**What happens next:** it goes privately to "
            + ("the moderators" if available else "the server's alternate reviewers")
            + ". I'll send you a direct message when someone acknowledges it, whenever they reply, and when "
            "the case is closed. To add anything, just write to me in a direct message.",
        ]
        if not available and wiring.alternate_reviewers_role is None and wiring.alternate_reviewers_channel is None:
            lines += ["", "To be honest with you: every moderator is on your list, and this server has no "
                      "alternate reviewers set up yet. Your request is kept safely (encrypted) and will reach the "
                      "alternate reviewers as soon as an administrator sets them up; I've asked for that without "
                      "sharing anything about your request."]
        admins = [logic.who(m.display_name, m.name) for m in moderators
                  if m.id in set(filing.excluded) and (m.guild_permissions.administrator or m.id == guild.owner_id)]
        if admins:
            lines += ["", f"Please note: {', '.join(admins)} can see every channel because of their server "
                      "role (Discord allows administrators to see everything), so I can't hide the case from "
                      "them. I will still not let them act on it."]
        if filing.anonymous and any(m.id == user_id for m in moderators):
            lines += ["", texts.MODERATOR_FILES_ANONYMOUSLY]
        lines += ["", self.bot.content.repair.resource]
        return "\n".join(lines)

    async def give_back(self, interaction: discord.Interaction, texts: dict[str, str | None], message: str) -> None:
        """Refuse kindly and hand the person's own text back as a file (only they can see it)."""
        labels = {views.F_WHAT: "What happened", views.F_WHO: "Who was involved",
                  views.F_HELP: "What would help repair", views.F_CW: "To know first"}
        body = "\n\n".join(f"{labels[k]}:\n{v}" for k, v in texts.items() if v)
        kwargs: dict[str, Any] = {"ephemeral": True, "allowed_mentions": NO_MENTIONS}
        if body:
            kwargs["file"] = discord.File(io.BytesIO(body.encode()), filename="my-repair-request.txt")
        if interaction.response.is_done():
            await interaction.followup.send(message, **kwargs)
        else:
            await interaction.response.send_message(message, **kwargs)

    # --- case buttons -------------------------------------------------------------------------------

    def check_on_summary(self, interaction: discord.Interaction, case: RepairCase) -> None:
        """Case buttons (and the modals they open) act only from the case's own summary message,
        or from the case's own thread/channel while its summary ID is being saved (a click can come
        a moment after the summary appears and before routing has stored its ID).

        Message and channel IDs are never reused, and a case's place belongs to that case only, so a
        button on an old summary (of a purged case) or a custom_id sent by a modified client can't act
        on another case."""
        message = interaction.message
        on_summary = message is not None and message.id == case.summary_message_id
        in_place = message is not None and case.thread_id is not None and message.channel.id == case.thread_id
        if not (on_summary or (case.summary_message_id is None and in_place)):
            raise NotAllowed(texts.WRONG_SUMMARY)

    async def on_case_button(self, interaction: discord.Interaction, action: Action, case_id: int) -> None:
        member = self.member_of(interaction)
        case = await self.load_case(case_id, member.guild)
        self.can_handle(member, case)
        self.check_on_summary(interaction, case)
        if action in views.MODAL_ACTIONS:
            if action is not Action.NOTE:
                try:
                    logic.next_status(case.status, action, outcome=Status.RESOLVED)
                except InvalidTransition as exc:
                    raise Conflict(str(exc)) from None
            await interaction.response.send_modal(views.action_modal(action, case.id, case.number))
            return
        await self.apply(interaction, member, case_id, action)

    async def on_action_modal(self, interaction: discord.Interaction, action: Action, case_id: int,
                              values: dict[str, Any]) -> None:
        member = self.member_of(interaction)
        text = logic.clean(str(values.get("text") or ""))
        if not text:
            raise BadInput("The message was empty, so I didn't change anything. Please try again with some text.")
        outcome = None
        if action is Action.CLOSE:
            picked = values.get("outcome") or [Status.RESOLVED]
            outcome = str(picked[0]) if isinstance(picked, list) and picked else Status.RESOLVED
        await self.apply(interaction, member, case_id, action, text=text, outcome=outcome)

    async def apply(self, interaction: discord.Interaction, member: discord.Member, case_id: int, action: Action,
                    *, text: str | None = None, outcome: str | None = None) -> None:
        """One transaction: check, transition, event, audit. Then render, tell the thread and the requester."""
        now = self.bot.clock.now()
        async with self.bot.sessions() as session, session.begin():
            case = await session.get(RepairCase, case_id, with_for_update=True)
            if case is None or case.guild_id != member.guild.id:
                raise NotFound("I can't find that case any more. It may have been removed.")
            self.can_handle(member, case)
            self.check_on_summary(interaction, case)
            try:
                new_status = logic.next_status(case.status, action, outcome=outcome,
                                               assignee_id=case.assignee_id, actor_id=member.id)
            except InvalidTransition as exc:
                raise Conflict(str(exc)) from None
            case.status = new_status
            if action is Action.ACKNOWLEDGE:
                case.acknowledged_at = now
            elif action is Action.ASSIGN:
                case.assignee_id = member.id
            elif action is Action.CLOSE:
                case.closed_at = now
                case.resolution_enc = self.enc(text)
            elif action is Action.REOPEN:
                case.closed_at = None
            event = await repo.add_event(session, case, kind=action.value, actor_id=member.id, at=now,
                                         body_enc=self.enc(text), data={"status": new_status})
            event_id = event.id
            await audit.record(session, member.guild.id, member.id, f"repair.{action.value}", f"case:{case.id}",
                               at=now)
        embed = views.summary_embed(self.case_view(case))
        on_summary = interaction.message is not None and interaction.message.id == case.summary_message_id
        if on_summary:
            await interaction.response.edit_message(embed=embed, view=views.case_buttons(case.id),
                                                    allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await self.refresh_summary(case, member.guild)
        delivered = await self.tell_requester(case, action, text)
        if case.anonymous:
            # Whether a DM reached an anonymous requester says whether they left, were kicked or closed
            # their DMs: moderators could test suspects with it. So they learn nothing; the message waits.
            if delivered is False:
                async with self.bot.sessions() as session, session.begin():
                    await repo.set_event_data(session, event_id, {"undelivered": True})
            delivered = None
        await self.post_in_case(case, member.guild, self.action_line(case, member, action, text, delivered))
        if not on_summary:
            await interaction.followup.send(f"Done: case #{case.number} is now "
                                            f"{logic.STATUS_LABELS[case.status].lower()}.", ephemeral=True)

    def action_line(self, case: RepairCase, member: discord.Member, action: Action, text: str | None,
                    delivered: bool | None) -> str:
        who = member.mention
        text = logic.plain(text) if text else text
        status = logic.STATUS_LABELS[case.status]
        if action is Action.ACKNOWLEDGE:
            line = f"✅ {who} acknowledged case #{case.number}."
        elif action is Action.ASSIGN:
            line = f"🙋 {who} took on case #{case.number} (now: {status})."
        elif action is Action.REPLY:
            line = f"↩️ {who} replied to the requester, signed “the moderators”:\n>>> {text}"
        elif action is Action.NOTE:
            line = f"📝 Note from {who}:\n>>> {text}"
        elif action is Action.CLOSE:
            line = f"🔒 {who} closed case #{case.number} as **{status}**. Resolution:\n>>> {text}"
        else:
            line = f"🔓 {who} reopened case #{case.number}."
        if delivered is False:
            line = ("⚠️ I couldn't reach the requester by direct message (their DMs may be closed); this is "
                    "saved in the case log.\n") + line
        return logic.clip(logic.defuse_mass_mentions(line), 2000)

    def requester_text(self, case: RepairCase, action: Action | str, text: str | None,
                       status: str | None = None) -> str | None:
        """What the requester is told at acknowledgement, reply, closing and reopening (None: nothing)."""
        n = case.number
        action = Action(action)
        # Shown as typed: a masked link from a moderator could take an anonymous requester to a page
        # that logs who they are.
        text = logic.plain(text) if text else text
        if action is Action.ACKNOWLEDGE:
            return (f"Your repair request (case #{n}) has been acknowledged by the moderators. Thank you for "
                    "trusting us with it. You'll hear from us here; you can also write to me any time and I'll "
                    f"pass it on.\n{SIGNATURE}")
        if action is Action.REPLY:
            return (f"**A message from the moderators about your repair request (case #{n}):**\n\n{text}\n\n"
                    f"{SIGNATURE}\n_To answer, reply to this message (or just write to me here)._")
        if action is Action.CLOSE:
            closing = "resolved" if (status or case.status) == Status.RESOLVED else "closed"
            return (f"Your repair request (case #{n}) has been {closing} by the moderators.\n\n**What was "
                    f"done:**\n{text}\n\nIf something still isn't right, you can ask for repair again with "
                    f"/repair request.\n{SIGNATURE}\n\n{self.bot.content.repair.resource}")
        if action is Action.REOPEN:
            return f"Your repair request (case #{n}) has been reopened by the moderators.\n{SIGNATURE}"
        return None

    async def tell_requester(self, case: RepairCase, action: Action, text: str | None) -> bool | None:
        """DM the requester at acknowledgement, reply, closing and reopening. None: nothing to send."""
        body = self.requester_text(case, action, text)
        if body is None:
            return None
        return await self.dm_requester(case, body)

    async def waiting_for(self, user_id: int) -> list[tuple[RepairCase, list[int], list[str]]]:
        """Per case: the IDs and texts of messages to this requester that couldn't be delivered yet."""
        indexes = [self.index(g.id, user_id) for g in self.bot.guilds]
        async with self.bot.sessions() as session:
            waiting = await repo.undelivered_for(session, indexes)
        out = []
        for case, events in waiting:
            bodies = [b for e in events if (b := self.requester_text(
                case, e.kind, self.dec(e.body_enc), (e.data or {}).get("status"))) is not None]
            out.append((case, [e.id for e in events], bodies))
        return out

    async def mark_delivered(self, event_ids: list[int]) -> None:
        async with self.bot.sessions() as session, session.begin():
            for event_id in event_ids:
                await repo.set_event_data(session, event_id, {"undelivered": False})

    async def deliver_waiting(self, user_id: int) -> int:
        """Messages to an anonymous requester that couldn't be delivered wait in the case log (the
        moderators are never told, since deliverability would identify them); they go out the next
        time the requester writes to me, or shows them with /repair mine. Returns how many went out."""
        delivered = 0
        for case, event_ids, bodies in await self.waiting_for(user_id):
            try:
                user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
                await user.send(texts.WAITING_INTRO.format(count=len(bodies), number=case.number),
                                allowed_mentions=NO_MENTIONS)
                for body in bodies:
                    await user.send(logic.clip(body, 2000), allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                continue
            await self.mark_delivered(event_ids)
            delivered += len(bodies)
        return delivered

    # --- /repair mine ------------------------------------------------------------------------------

    @repair.command(name="mine", description="See your repair requests and any messages waiting for you")
    async def mine(self, interaction: discord.Interaction) -> None:
        await self.guarded(interaction, "/repair mine", self.show_mine(interaction))

    async def show_mine(self, interaction: discord.Interaction) -> None:
        """Only the person sees this. Messages that couldn't reach them by DM are shown here too."""
        user_id = interaction.user.id
        indexes = [self.index(g.id, user_id) for g in self.bot.guilds]
        async with self.bot.sessions() as session:
            cases = await repo.cases_for(session, indexes)
        waiting = await self.waiting_for(user_id)
        if not cases:
            await interaction.response.send_message(texts.MINE_NONE, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        lines = [texts.MINE_TITLE]
        for case in cases[-20:]:
            guild = self.bot.get_guild(case.guild_id)
            lines.append(texts.MINE_LINE.format(
                number=case.number, server=logic.plain(guild.name) if guild else texts.MINE_UNKNOWN_SERVER,
                status=logic.STATUS_LABELS.get(case.status, case.status),
                anonymous=texts.MINE_ANONYMOUS if case.anonymous else "",
                filed=logic.discord_time(case.created_at)))
        if waiting:
            lines += ["", texts.MINE_WAITING.format(count=sum(len(b) for _, _, b in waiting))]
        await interaction.response.send_message(logic.clip("\n".join(lines), 2000), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
        for _case, event_ids, bodies in waiting:
            for body in bodies:
                await interaction.followup.send(logic.clip(body, 2000), ephemeral=True, allowed_mentions=NO_MENTIONS)
            await self.mark_delivered(event_ids)

    async def dm_requester(self, case: RepairCase, body: str) -> bool:
        user_id = self.requester_id(case)
        if user_id is None:
            return False
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(logic.clip(body, 2000), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            # No case ID here: whether an anonymous requester can be reached must not be readable
            # by whoever reads the logs either (often a moderator).
            log.info("repair: a direct message to a requester could not be delivered")
            return False
        return True

    async def case_channel(self, case: RepairCase,
                           guild: discord.Guild) -> discord.Thread | discord.TextChannel | None:
        if case.thread_id is None:
            return None
        channel = guild.get_channel_or_thread(case.thread_id)
        if channel is None:
            try:
                fetched = await self.bot.fetch_channel(case.thread_id)
            except discord.HTTPException:
                return None
            channel = fetched if isinstance(fetched, (discord.Thread, discord.TextChannel)) else None
        return channel if isinstance(channel, (discord.Thread, discord.TextChannel)) else None

    async def post_in_case(self, case: RepairCase, guild: discord.Guild, text: str,
                           **kwargs: Any) -> discord.Message | None:
        channel = await self.case_channel(case, guild)
        if channel is None:
            return None
        kwargs.setdefault("allowed_mentions", NO_MENTIONS)
        try:
            return await channel.send(text, **kwargs)
        except discord.HTTPException as exc:
            log.warning("repair: could not post in the thread of case id %s (HTTP %s)", case.id, exc.status)
            return None

    async def refresh_summary(self, case: RepairCase, guild: discord.Guild) -> None:
        channel = await self.case_channel(case, guild)
        if channel is None or case.summary_message_id is None:
            return
        try:
            await channel.get_partial_message(case.summary_message_id).edit(
                embed=views.summary_embed(self.case_view(case)), view=views.case_buttons(case.id),
                allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("repair: could not update the summary of case id %s (HTTP %s)", case.id, exc.status)

    # --- DM relay (bot.dm_router decides whether a DM is for a case) ---------------------------------

    async def open_cases_of(self, user_id: int) -> list[RepairCase]:
        indexes = [self.index(g.id, user_id) for g in self.bot.guilds]
        async with self.bot.sessions() as session:
            return await repo.open_cases_for(session, indexes)

    async def dm_destinations(self, message: discord.Message) -> list[DmDestination]:
        cases = await self.open_cases_of(message.author.id)
        if not cases:
            return []
        if not message.content.strip():
            # Nothing to pass on (e.g. only a picture): one answer that says so, whatever the case.
            return [DmDestination(f"{DM_KEY}:0", "The moderators (a case)")]
        replied = await referenced_case_numbers(message)
        found = []
        for case in cases:
            guild = self.bot.get_guild(case.guild_id)
            found.append(DmDestination(
                f"{DM_KEY}:{case.id}", logic.clip(f"Case #{case.number}" + (f" — {guild.name}" if guild else ""), 100),
                f"Filed {case.created_at:%Y-%m-%d}" + (" · anonymous" if case.anonymous else ""),
                replied_to=case.number in replied))
        return found

    async def dm_seen(self, message: discord.Message) -> None:
        await self.deliver_waiting(message.author.id)

    async def deliver_dm(self, message: discord.Message, key: str) -> str | None:
        """Pass one DM on to the case it was routed to; never touches any other feature."""
        if not message.content.strip():
            return "I can only pass on text to the moderators. Please type your message."
        case_id = int(key.split(":", 1)[1])
        async with self.bot.sessions() as session:
            case = await repo.get(session, case_id)
        if case is None or case.requester_index != self.index(case.guild_id, message.author.id) \
                or not logic.is_open(case.status):
            raise NotFound("That case isn't open any more, so I can't pass messages on to it.")
        held = await self.relay(case, message.author.id, message.content)
        guild = self.bot.get_guild(case.guild_id)
        where = f"case #{case.number}" + (f" in {logic.plain(guild.name)}" if guild else "")
        if held:
            return texts.RELAY_HELD.format(where=where)
        return texts.RELAY_RECEIPT.format(where=where)

    async def on_relay_picked(self, interaction: discord.Interaction, message_id: int, case_id: int) -> None:
        """Pickers posted before the DM router: same checks, same single destination."""
        await self.bot.dm_router.on_pick(interaction, message_id, f"{DM_KEY}:{case_id}")

    async def relay(self, case: RepairCase, user_id: int, text: str) -> bool:
        """Store the message encrypted in the case log and post it in the case thread.

        Returns True when the message was held back (the requester wrote more than the relay
        limit allows): it is in the case log, and the moderators see one "(N more messages held)"
        line that is updated instead of a flood of messages."""
        now = self.bot.clock.now()
        text = logic.clip(text, 4000)
        index = case.requester_index or ""
        held = not self.relay_limits.allow(index, now)
        async with self.bot.sessions() as session, session.begin():
            fresh = await repo.get(session, case.id)
            assert fresh is not None
            event = await repo.add_event(session, fresh, kind="requester_message", at=now,
                                         actor_id=None if fresh.anonymous else user_id, body_enc=self.enc(text),
                                         data={"held": True} if held else None)
            event_id = event.id
        guild = self.bot.get_guild(case.guild_id)
        if guild is None:
            return held
        if held:
            await self.show_held(case, guild)
            return held
        self.held_notices.pop(case.id, None)
        header, embed = self.relay_message(case, user_id, text)
        posted = await self.post_in_case(case, guild, header, embed=embed)
        if posted is not None and not case.anonymous:
            # Remembered so an erasure can take the requester's name off this line later.
            async with self.bot.sessions() as session, session.begin():
                await repo.set_event_data(session, event_id, {"posted": [posted.channel.id, posted.id]})
        return held

    async def show_held(self, case: RepairCase, guild: discord.Guild) -> None:
        """One line per flood, updated with the count, instead of one message per held DM."""
        notice = self.held_notices.get(case.id)
        count = (notice[1] if notice else 0) + 1
        text = texts.HELD_NOTICE.format(count=count, s="" if count == 1 else "s")
        channel = await self.case_channel(case, guild)
        if channel is None:
            return
        try:
            if notice is not None:
                await channel.get_partial_message(notice[0]).edit(content=text)
                self.held_notices[case.id] = (notice[0], count)
            else:
                sent = await channel.send(text, allowed_mentions=NO_MENTIONS)
                self.held_notices[case.id] = (sent.id, count)
        except discord.HTTPException as exc:
            log.warning("repair: could not show held messages for case id %s (HTTP %s)", case.id, exc.status)

    def relay_message(self, case: RepairCase, user_id: int | None, text: str) -> tuple[str, discord.Embed]:
        who = "Anonymous requester" if case.anonymous or user_id is None else f"<@{user_id}>"
        # Clip after defusing: each defused '@everyone' grows by one character, and a 4,000-character
        # DM full of them went over Discord's 4,096 limit, so it never reached the case thread.
        embed = discord.Embed(description=logic.clip(logic.plain(text), 4096),
                              colour=discord.Colour.teal())
        embed.set_author(name="Message from the requester")
        return f"💬 {who} wrote (case #{case.number}):", embed

    # --- moderators' commands ------------------------------------------------------------------------

    @moderate.command(name="cases", description="List repair cases")
    @app_commands.describe(status="Which cases to list (default: open ones)")
    @app_commands.choices(status=STATUS_CHOICES)
    async def cases(self, interaction: discord.Interaction, status: str = "open") -> None:
        await self.guarded(interaction, "/mod-repair cases", self.list_cases(interaction, status))

    async def list_cases(self, interaction: discord.Interaction, status: str) -> None:
        if interaction.guild is None:
            raise BadInput("Please use /mod-repair cases inside the server.")
        member = self.bot.require_moderator(interaction)
        statuses: list[str] | None
        if status == "open":
            statuses = sorted(logic.OPEN_STATUSES)
        elif status == "all":
            statuses = None
        else:
            statuses = [status]
        async with self.bot.sessions() as session:
            found = await repo.list_cases(session, member.guild.id, statuses, limit=50)
        visible = [c for c in found if member.id not in set(c.excluded_moderator_ids or ())][:25]
        if not visible:
            await interaction.response.send_message("No cases match that.", ephemeral=True)
            return
        lines = [f"**Repair cases ({status.replace('_', ' ')})** — newest first"]
        for c in visible:
            where = f" · <#{c.thread_id}>" if c.thread_id else " · not routed yet"
            lines.append(f"**#{c.number}** · {logic.STATUS_LABELS[c.status]} · filed "
                         f"{logic.discord_time(c.created_at)}{' · anonymous' if c.anonymous else ''}{where}")
        await interaction.response.send_message(logic.clip("\n".join(lines), 2000), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @moderate.command(name="export", description="A text transcript of a case and its log")
    @app_commands.describe(case="The case number, e.g. 12")
    async def export(self, interaction: discord.Interaction, case: app_commands.Range[int, 1, 10**9]) -> None:
        await self.guarded(interaction, "/mod-repair export", self.export_case(interaction, case))

    async def export_case(self, interaction: discord.Interaction, number: int) -> None:
        if interaction.guild is None:
            raise BadInput("Please use /mod-repair export inside the server.")
        user = interaction.user
        # Permission before any lookup: "there is no case #N" would tell anyone how many cases exist.
        if not isinstance(user, discord.Member) or not self.may_review(user):
            raise NotAllowed(MODERATORS_ONLY)
        async with self.bot.sessions() as session:
            case = await repo.by_number(session, interaction.guild.id, number)
            if case is None:
                raise NotFound(f"There is no case #{number} in this server. /mod-repair cases lists them.")
            self.can_handle(user, case)
            events = await repo.events_of(session, case.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = interaction.guild

        def name(user_id: int | None) -> str:
            if user_id is None:
                return "Anonymous requester" if case.anonymous else "Former member"
            found = guild.get_member(user_id)
            return f"{found.display_name} ({user_id})" if found else f"user {user_id}"

        requester = "Anonymous requester" if case.anonymous else name(self.requester_id(case))
        items = []
        for event in events:
            who = name(event.actor_id)
            if event.kind == "routed":
                who = "the bot"
            items.append(logic.TranscriptEvent(event.created_at, who, event.kind, self.dec(event.body_enc)))
        view = self.case_view(case)
        text = logic.transcript(logic.TranscriptCase(
            number=case.number, status=case.status, requester=requester, created_at=case.created_at,
            what_happened=view.what_happened, who_involved=view.who_involved, what_would_help=view.what_would_help,
            content_warning=view.content_warning, resolution=view.resolution,
            assignee=name(case.assignee_id) if case.assignee_id else None), items)
        async with self.bot.sessions() as session, session.begin():
            await audit.record(session, guild.id, user.id, "repair.export", f"case:{case.id}",
                               at=self.bot.clock.now())
        await interaction.followup.send(
            f"Transcript of case #{case.number}. Please keep it confidential and delete it when you're done.",
            file=discord.File(io.BytesIO(text.encode()), filename=f"case-{case.number}.txt"), ephemeral=True)

    # --- background work -------------------------------------------------------------------------------

    jobs = due_jobs_loop("repair", minutes=1)

    @commands.Cog.listener()
    async def on_coalition_guild_ready(self, guild: discord.Guild) -> None:
        try:
            await self.router.route_pending([guild.id])
        except Exception:
            log.exception("repair: routing pending cases for guild %s failed", guild.id)

    async def run_due_jobs(self) -> None:
        """Route cases that are not routed yet, then send due acknowledgement reminders."""
        guild_ids = [g.id for g in self.bot.guilds]
        await self.router.route_pending(guild_ids)
        await self.send_due_reminders(guild_ids)

    async def send_due_reminders(self, guild_ids: list[int]) -> None:
        now = self.bot.clock.now()
        hours = self.bot.settings.repair.ack_reminder_hours
        async with self.bot.sessions() as session:
            waiting = await repo.awaiting_ack(session, guild_ids)
        for case in waiting:
            if not logic.ack_reminder_due(status=case.status, created_at=case.created_at,
                                          reminded_at=case.ack_reminded_at, routed=True, now=now, hours=hours):
                continue
            guild = self.bot.get_guild(case.guild_id)
            if guild is None:
                continue
            async with self.bot.sessions() as session, session.begin():
                fresh = await session.get(RepairCase, case.id, with_for_update=True)
                if fresh is None or fresh.ack_reminded_at is not None or fresh.status != Status.SUBMITTED:
                    continue
                fresh.ack_reminded_at = now
                await repo.add_event(session, fresh, kind="reminder", actor_id=None, at=now)
            wiring = self.bot.wiring_for(guild)
            role = wiring.alternate_reviewers_role if case.routed_to_alternates else wiring.moderator_role
            waited = max(1, int((now - case.created_at) / timedelta(hours=1)))
            text = (f"{role.mention + ' ' if role else ''}Reminder: case #{case.number} has been waiting "
                    f"{waited} hours for someone to acknowledge it. Please press **Acknowledge** on the summary "
                    "above when you pick it up, so the person who asked knows they've been heard.")
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=[role] if role else False)
            await self.post_in_case(case, guild, text, allowed_mentions=mentions)

