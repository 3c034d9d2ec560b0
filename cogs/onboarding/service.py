"""Onboarding's use cases: plain values in (guild, user, action, step, text), plain results out.

No discord here: the service owns the sessions, the clock, the content and the cipher, decides
with `logic`, saves through the repository (or the group commit of `flows`), and returns a
`Screen` (what to show, as data) that `views.render` turns into a message. DynamicItems, commands,
listeners and jobs call it; Discord work (sending, roles) stays in the cog.

The hot path: a plain move (next, back, not yet, back to the question) is decided from the copy in
memory (`flows.FlowCache`, its invariants written down there) and saved with the next group
commit; anything else takes the full path, which reads the row again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import i18n
from bot.clock import Clock
from bot.content import Content, donation_line
from bot.i18n import speaking, t, t_server
from bot.locks import KeyedLocks
from bot.services import ServiceKey
from cogs.onboarding import logic, texts
from cogs.onboarding.flows import FlowCache
from db.models import Membership, OnboardingProgress
from db.repositories import audit, coi_tags, guild_state
from db.repositories import onboarding as repo

ScreenKind = Literal["step", "declined", "done"]


@dataclass(frozen=True, slots=True)
class CoiChoice:
    key: str
    label: str
    picked: bool


@dataclass(frozen=True, slots=True)
class Screen:
    """One message of the flow, as data: its text and which buttons go under it."""

    text: str
    guild_id: int = 0
    kind: ScreenKind = "done"  # "done": text only, no buttons
    step: int = 0
    count: int = 0
    intro: bool = False
    # The COI pick under this step (None: the step offers none); `none_picked`: "None apply" chosen.
    coi: tuple[CoiChoice, ...] | None = None
    none_picked: bool = False
    # On the first step, the languages a person can switch to ("English" / "Español"); (): none offered.
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Grant:
    """The member role (and these COI roles) to give after a yes; `reaffirm`: no welcome note."""

    coi_keys: tuple[str, ...] = ()
    reaffirm: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    screen: Screen
    grant: Grant | None = None
    held: bool = False  # said yes, but moderators removed their member role earlier: not given back
    guild_id: int = 0


@dataclass(frozen=True, slots=True)
class Asked:
    """A saved question: what to show the newcomer and what the moderators' post needs."""

    screen: Screen
    question_id: int
    where: str = ""  # "step 3 of 19: heading", or "" without a flow


@dataclass(frozen=True, slots=True)
class Status:
    """What `/mod-onboarding status` shows (times stay datetimes: the view formats them)."""

    accepted_at: datetime | None = None
    accepted_version: str = ""
    reaffirm_requested: str | None = None
    flow_status: str | None = None
    reaffirm: bool = False
    step: int = 0
    count: int = 0
    heading: str = ""
    started_at: datetime | None = None
    updated_at: datetime | None = None
    surface: str = ""
    declined: int = 0
    reminded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Allowed:
    lifted: bool
    said_yes: bool = False


class OnboardingService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], content: Content, clock: Clock,
                 flows: FlowCache | None = None) -> None:
        self.sessions = sessions
        self.content = content
        self.clock = clock
        self.flows = flows or FlowCache(sessions)
        # The same for everyone who speaks a language: built once. Every language has the same steps
        # (logic.build_languages), so a flow's step number means the same place in each.
        self.steps_by_language = logic.build_languages(content)
        # A leave and a join of one person come in that order, each in its own task: taken in turn,
        # so the join's fresh flow is never deleted by the leave that came before it.
        self.comings_and_goings: KeyedLocks[tuple[int, int]] = KeyedLocks()

    # --- screens ---------------------------------------------------------------------------

    @property
    def full_steps(self) -> list[logic.Step]:
        """The full flow in the current person's language."""
        return self.full_steps_in(i18n.current())

    def full_steps_in(self, language: str) -> list[logic.Step]:
        return self.steps_by_language.get(language) or self.steps_by_language[i18n.SOURCE_LANGUAGE]

    @property
    def localized(self) -> Content:
        """The content in the current person's language."""
        return self.content.localized()

    def steps(self, row: OnboardingProgress, membership: Membership | None,
              language: str | None = None) -> list[logic.Step]:
        full = self.full_steps_in(language or i18n.current())
        if not row.reaffirm_from_version:
            return full
        return logic.changed_steps(full, membership.accepted_step_hashes if membership else None)

    def screen(self, guild_id: int, flow: logic.Flow, steps: list[logic.Step], note: str = "") -> Screen:
        if flow.status == logic.COMPLETED:
            return Screen(self.completed_text(bool(flow.reaffirm_from_version)), guild_id)
        if flow.status == logic.DECLINED:
            return Screen(self.declined_text(typed=False), guild_id, "declined", len(steps) - 1, len(steps))
        index = logic.clamp_step(flow.step_index, len(steps))
        text = logic.render_step(steps, index, note=note,
                                 reaffirm_version=self.content.version if flow.reaffirm_from_version else "",
                                 coi_labels=self._coi_labels(flow.coi_selection))
        coi = self._coi_choices(flow.coi_selection) if steps[index].offers_coi else None
        intro = steps[index].kind == "intro"
        offered = tuple(self.content.languages) if intro and len(self.content.languages) > 1 else ()
        return Screen(text, guild_id, "step", index, len(steps), intro, coi,
                      flow.coi_selection is not None and not flow.coi_selection, offered)

    def screen_of(self, row: OnboardingProgress, steps: list[logic.Step], note: str = "") -> Screen:
        return self.screen(row.guild_id, flow_of(row), steps, note)

    def _coi_choices(self, picked: Sequence[str] | None) -> tuple[CoiChoice, ...]:
        chosen = set(picked or ())
        return tuple(CoiChoice(c.key, c.display, c.key in chosen) for c in self.localized.coi_categories[:24])

    def _coi_labels(self, keys: Sequence[str] | None) -> list[str] | None:
        if keys is None:
            return None
        return [c.display for c in (self.localized.coi_category(k) for k in keys) if c is not None]

    def completed_text(self, reaffirm: bool = False) -> str:
        name = self.localized.community.name
        if reaffirm:
            return t(texts.REAFFIRMED, version=self.content.version, name=name)
        text = t(texts.COMPLETED, name=name, next_steps=t(texts.NEXT_STEPS))
        donation = donation_line(self.localized, t(texts.DONATION), t(texts.DONATION_WITH_LINK))
        return f"{text}\n\n{donation}" if donation else text

    def declined_text(self, typed: bool) -> str:
        return t(texts.DECLINED_TYPED if typed else texts.DECLINED, email=self.localized.community.contact_email)

    # --- starting a flow ------------------------------------------------------------------------

    async def join(self, guild_id: int, user_id: int) -> Screen:
        """Someone joined: a fresh flow (a returning person starts over), its first message not sent yet."""
        # Rows are locked in one order everywhere, the flow before the membership (as `left` does), so a
        # leave and a join racing on PostgreSQL can't deadlock.
        async with self.comings_and_goings.hold((guild_id, user_id)), self.sessions() as session, session.begin():
            row = await repo.start_progress(session, guild_id, user_id, content_version=self.content.version,
                                            now=self.clock.now(), surface=logic.SURFACE_PENDING)
            await repo.delete_membership(session, guild_id, user_id)
            return self.screen_of(row, self.full_steps)

    async def restart(self, guild_id: int, user_id: int, moderator_id: int | None) -> Screen:
        """From step 1 again (a moderator's restart, or [gate] enforce): the first screen to send."""
        async with self.sessions() as session, session.begin():
            row = await repo.start_progress(session, guild_id, user_id, content_version=self.content.version,
                                            now=self.clock.now())
            await audit.record(session, guild_id, moderator_id, "onboarding.restart", f"user:{user_id}")
            return self.screen_of(row, self.full_steps)

    async def undelivered_screen(self, guild_id: int, user_id: int) -> Screen | None:
        """The first screen of a flow whose first message was never delivered (None: nothing owed)."""
        async with self.sessions() as session:
            row = await repo.get_progress(session, guild_id, user_id)
            if row is None or row.surface != logic.SURFACE_PENDING:
                return None
            return self.screen_of(row, self.steps(row, None))

    async def stranded(self, guild_id: int, started_before: datetime) -> list[int]:
        async with self.sessions() as session:
            return [row.user_id for row in await repo.undelivered(session, guild_id, started_before)]

    async def delivered(self, guild_id: int, user_id: int, surface: str) -> None:
        """Where the first message went; the flow as saved is kept, so the first click needs no read."""
        async with self.sessions() as session, session.begin():
            saved = await repo.set_surface(session, guild_id, user_id, surface)
        self.remember((guild_id, user_id), saved)

    async def resume(self, guild_id: int, user_id: int, holds_member_role: bool) -> Screen | None:
        """This person's flow (begun now if they have none) in messages only they see; None: already a member."""
        for attempt in range(2):
            try:
                async with self.sessions() as session, session.begin():
                    row = await repo.get_progress(session, guild_id, user_id, for_update=True)
                    membership = await repo.get_membership(session, guild_id, user_id)
                    if row is None or row.status == logic.COMPLETED:
                        if holds_member_role or (membership is not None
                                                 and membership.content_version == self.content.version):
                            return None
                        row = await repo.start_progress(session, guild_id, user_id,
                                                        content_version=self.content.version, now=self.clock.now(),
                                                        surface=logic.SURFACE_EPHEMERAL)
                    else:
                        repo.set_surface_of(row, logic.SURFACE_EPHEMERAL)
                    return self.screen_of(row, self.steps(row, membership))
            except IntegrityError:
                # The join handler created this person's flow at the same moment (a click on "Start
                # here" right after joining): read theirs instead on the second pass.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def current_screen(self, guild_id: int, user_id: int, note: str = "") -> Screen:
        """This person's flow where it stands, in the current language (they just picked one): nothing
        moves and nothing is saved."""
        key = (guild_id, user_id)
        flow = self.flows.get(key)
        if flow is not None:
            return self.screen(guild_id, flow, self.full_steps, note)
        async with self.sessions() as session:
            row = await repo.get_progress(session, guild_id, user_id)
            if row is None:
                return Screen(t(texts.ENDED))
            membership = await repo.get_membership(session, guild_id, user_id) if row.reaffirm_from_version \
                else None
            screen = self.screen_of(row, self.steps(row, membership), note)
        self.remember(key, row)
        return screen

    async def catch_up(self, guild_id: int, present: Sequence[tuple[int, datetime | None]], margin: Any) -> list[int]:
        """After a (re)start: flows for people (id, joined_at) who joined while the bot was away.
        A server seen for the first time gets none: nobody already there is messaged."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            seen = await guild_state.seen(session, guild_id)
            await guild_state.touch(session, guild_id, now)
            known = await repo.known_user_ids(session, guild_id)
            if seen is None:
                return []
            first_seen, last_seen = seen
            since = max(first_seen, last_seen - margin)
            missed = [uid for uid, joined in present if uid not in known and joined is not None and joined >= since]
            for user_id in missed:
                await repo.start_progress(session, guild_id, user_id, content_version=self.content.version,
                                          now=now, surface=logic.SURFACE_PENDING)
            return missed

    async def touch(self, guild_ids: Sequence[int], now: datetime) -> None:
        async with self.sessions() as session, session.begin():
            for guild_id in guild_ids:
                await guild_state.touch(session, guild_id, now)

    async def due_reminders(self, hours: float, served: Any) -> list[tuple[int, int]]:
        """Stalled flows owed their one reminder, in servers `served(guild_id)`; marked first, so never
        more than one, even after a crash."""
        now = self.clock.now()
        due: list[tuple[int, int]] = []
        async with self.sessions() as session, session.begin():
            for row in await repo.stalled_unreminded(session, now - timedelta(hours=hours)):
                if served(row.guild_id) and logic.reminder_due(row.status, row.updated_at, row.reminded_at, now, hours):
                    repo.mark_reminded(row, now)
                    due.append((row.guild_id, row.user_id))
        return due

    async def owed_grants(self, guild_ids: Sequence[int], attempted_before: datetime,
                          busy: Any) -> list[tuple[int, int, Grant]]:
        """Role grants a crash or another shard left owed (skipping `busy((guild, user))`), marked attempted."""
        now = self.clock.now()
        due = []
        async with self.sessions() as session, session.begin():
            for row in await repo.pending_grants(session, guild_ids, attempted_before):
                if busy((row.guild_id, row.user_id)):
                    continue
                progress = await repo.get_progress(session, row.guild_id, row.user_id)
                keys = tuple(progress.coi_selection or []) if progress is not None else ()
                due.append((row.guild_id, row.user_id, Grant(keys)))
                await repo.mark_grant(session, row.guild_id, row.user_id, attempted_at=now)
        return due

    async def granted(self, guild_id: int, user_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.mark_grant(session, guild_id, user_id, granted_at=self.clock.now())

    async def left(self, guild_id: int, user_id: int) -> None:
        self.flows.forget((guild_id, user_id))
        async with self.comings_and_goings.hold((guild_id, user_id)), self.sessions() as session, session.begin():
            await repo.delete_progress(session, guild_id, user_id)
            await repo.delete_membership(session, guild_id, user_id)

    async def is_member(self, guild_id: int, user_id: int, holds_member_role: bool) -> bool:
        """A member: holds the member role, or has a recorded yes (whose role may still be owed)."""
        return holds_member_role or await self.said_yes(guild_id, user_id)

    async def step_back(self, guild_id: int, user_id: int) -> None:
        """They chose to step back (their roles are already off): their yes and any flow are forgotten, so
        the member-role gate and a return treat them like anyone who hasn't said yes — a return goes
        through the onboarding again. Their COI tags go with the COI roles (tags and roles say the same
        thing; a waiting room reads the tags). A moderator's hold, if any, stays (it is theirs to lift)."""
        self.flows.forget((guild_id, user_id))
        async with self.comings_and_goings.hold((guild_id, user_id)), self.sessions() as session, session.begin():
            await repo.delete_progress(session, guild_id, user_id)  # the flow before the membership, as `left`
            await repo.delete_membership(session, guild_id, user_id)
            await coi_tags.set_tags(session, guild_id, user_id, ())

    async def hold_role(self, guild_id: int, user_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.hold_member_role(session, guild_id, user_id, self.clock.now())

    async def said_yes(self, guild_id: int, user_id: int) -> bool:
        async with self.sessions() as session:
            return await repo.get_membership(session, guild_id, user_id) is not None

    # --- moderators ---------------------------------------------------------------------------

    async def allow(self, guild_id: int, user_id: int, moderator_id: int) -> Allowed:
        async with self.sessions() as session, session.begin():
            lifted = await repo.release_member_role(session, guild_id, user_id)
            membership = await repo.get_membership(session, guild_id, user_id)
            said_yes = membership is not None and membership.content_version == self.content.version
            if lifted:
                await audit.record(session, guild_id, moderator_id, "onboarding.allow", f"user:{user_id}")
        return Allowed(lifted, said_yes)

    async def status(self, guild_id: int, user_id: int) -> Status:
        async with self.sessions() as session:
            row = await repo.get_progress(session, guild_id, user_id)
            membership = await repo.get_membership(session, guild_id, user_id)
        out = Status()
        if membership is not None:
            out = replace(out, accepted_at=membership.accepted_at, accepted_version=membership.content_version,
                          reaffirm_requested=membership.reaffirm_requested_version)
        if row is not None:
            steps = self.steps(row, membership, i18n.server_language())  # for moderators
            index = logic.clamp_step(row.step_index, len(steps))
            out = replace(out, flow_status=row.status, reaffirm=bool(row.reaffirm_from_version), step=index + 1,
                          count=len(steps), heading=steps[index].heading, started_at=row.started_at,
                          updated_at=row.updated_at, surface=row.surface, declined=row.declined_count,
                          reminded_at=row.reminded_at)
        return out

    async def stats(self, guild_id: int, stalled_after_days: float) -> str:
        async with self.sessions() as session:
            rows = await repo.progress_in_guild(session, guild_id)
            members = await repo.memberships_in_guild(session, guild_id)
        facts = [logic.ProgressFacts(r.status, r.updated_at, r.declined_count, bool(r.reaffirm_from_version))
                 for r in rows]
        stats = logic.compute_stats(facts, [(m.content_version, m.reaffirm_requested_version) for m in members],
                                    self.content.version, self.clock.now(), stalled_after_days)
        return logic.render_stats(stats, self.content.version, stalled_after_days)

    async def reaffirm(self, guild_id: int, moderator_id: int, present: Any,
                       language_of: Any = None) -> list[tuple[int, Screen]]:
        """Ask members on an older version (those `present(user_id)`) to confirm the current one; each
        one's first screen in their language (`language_of(user_id)`)."""
        version, now = self.content.version, self.clock.now()
        asked = []
        async with self.sessions() as session, session.begin():
            for membership in await repo.outdated_memberships(session, guild_id, version):
                if not present(membership.user_id):
                    continue
                repo.request_reaffirm(membership, version)
                row = await repo.start_progress(session, guild_id, membership.user_id, content_version=version,
                                                now=now, reaffirm_from_version=membership.content_version)
                with speaking(language_of(membership.user_id) if language_of else None):
                    asked.append((membership.user_id, self.screen_of(row, self.steps(row, membership))))
            await audit.record(session, guild_id, moderator_id, "onboarding.reaffirm", f"version:{version}")
        return asked

    # --- a click on a step -----------------------------------------------------------------

    async def click(self, guild_id: int, user_id: int, action: str, clicked: int, grantable: bool) -> Result:
        """Next, back, not yet, back to the question, or yes. `grantable`: this process can give
        the role right after (else the owning shard's job does, at once)."""
        now = self.clock.now()
        key = (guild_id, user_id)
        screen = await self._click_from_memory(key, action, clicked, now)
        if screen is not None:
            return Result(screen, guild_id=guild_id)
        async with self.sessions() as session, session.begin():  # the full path: read, decide, save
            row = await repo.get_progress(session, guild_id, user_id, for_update=True)
            if row is None:
                result = Result(Screen(t(texts.ENDED)))
            else:
                # The membership matters only to a re-confirmation; skip the query on the hot path.
                membership = await repo.get_membership(session, guild_id, user_id) if row.reaffirm_from_version \
                    else None
                result = await self._decide(session, row, self.steps(row, membership), action, clicked, now,
                                            grantable)
        self.remember(key, row)
        return result

    async def _click_from_memory(self, key: tuple[int, int], action: str, clicked: int,
                                 now: datetime) -> Screen | None:
        """A plain move decided from the copy in memory and saved with the next group commit;
        None sends the click the full way."""
        flow = self.flows.get(key)
        if flow is None:
            return None
        moved = logic.click_move(flow, action, clicked, len(self.full_steps))
        if moved is None or not await self.flows.save(key, flow, moved, now):
            return None
        return self.screen(key[0], moved, self.full_steps)

    def remember(self, key: tuple[int, int], row: OnboardingProgress | repo.FlowRow | None) -> None:
        """Keep a copy of a flow the next click can move from memory: the full flow, still open."""
        if (row is not None and row.status in (logic.IN_PROGRESS, logic.DECLINED) and not row.reaffirm_from_version
                and row.content_version == self.content.version):
            self.flows.remember(key, flow_of(row))
        else:
            self.flows.forget(key)

    async def _decide(self, session: AsyncSession, row: OnboardingProgress, steps: list[logic.Step], action: str,
                      clicked: int, now: datetime, grantable: bool) -> Result:
        last = len(steps) - 1
        if row.status == logic.COMPLETED:
            return Result(self.screen_of(row, steps), guild_id=row.guild_id)
        content_version = self.content.version if row.reaffirm_from_version == "" else row.content_version
        moved = logic.click_move(flow_of(row), action, clicked, len(steps))
        if moved is not None:
            repo.move(row, moved.status, moved.step_index, moved.declined_count, now,
                            content_version=content_version)
            return Result(self.screen_of(row, steps), guild_id=row.guild_id)
        if content_version != row.content_version or row.step_index != logic.clamp_step(row.step_index, len(steps)):
            repo.move(row, row.status, logic.clamp_step(row.step_index, len(steps)),
                            row.declined_count, row.updated_at, content_version=content_version)
        if (action == "yes" and row.step_index == last and clicked == last
                and row.status in (logic.IN_PROGRESS, logic.DECLINED)):
            return await self._complete(session, row, steps, now, grantable)
        return Result(self.screen_of(row, steps), guild_id=row.guild_id)  # stale or double click: the saved step

    async def _complete(self, session: AsyncSession, row: OnboardingProgress, steps: list[logic.Step], now: datetime,
                        grantable: bool) -> Result:
        reaffirm = bool(row.reaffirm_from_version)
        picked = tuple(row.coi_selection or ())
        guild_id, user_id = row.guild_id, row.user_id
        repo.complete(row, now)
        await repo.record_membership(session, guild_id, user_id, content_version=self.content.version,
                                     step_hashes=logic.step_hashes(steps), now=now,
                                     grant_attempted_at=now if grantable else None)
        if await repo.member_role_held(session, guild_id, user_id):
            # Their yes is saved, but moderators took the role away: only a moderator gives it back.
            await repo.mark_grant(session, guild_id, user_id, granted_at=now)  # nothing owed
            return Result(Screen(t(texts.ROLE_HELD)), held=True, guild_id=guild_id)
        if row.coi_selection is not None:
            current = await coi_tags.tags_of(session, guild_id, user_id)
            keys = current | set(picked) if reaffirm else set(picked)
            await coi_tags.set_tags(session, guild_id, user_id, keys, at=now)
        return Result(Screen(self.completed_text(reaffirm)), Grant(picked, reaffirm), guild_id=guild_id)

    async def pick_coi(self, guild_id: int, user_id: int, clicked: int, values: Sequence[str]) -> Screen:
        async with self.sessions() as session, session.begin():
            row = await repo.get_progress(session, guild_id, user_id, for_update=True)
            if row is None:
                screen = Screen(t(texts.ENDED))
            else:
                membership = await repo.get_membership(session, guild_id, user_id)
                steps = self.steps(row, membership)
                note = ""
                if (row.status == logic.IN_PROGRESS and row.step_index == clicked
                        and steps[logic.clamp_step(clicked, len(steps))].offers_coi):
                    keys = [c.key for c in self.content.coi_categories]
                    repo.set_coi_pick(row, logic.normalise_coi_pick(values, keys), self.clock.now())
                    note = t(texts.COI_SAVED)
                screen = self.screen_of(row, steps, note)
        self.remember((guild_id, user_id), row)
        return screen

    # --- a typed answer in a DM --------------------------------------------------------------

    async def waiting_for_typed_answer(self, session: AsyncSession, user_id: int) -> list[OnboardingProgress]:
        """This person's flows that wait at the commitment question (where a typed "yes" counts)."""
        rows = await repo.at_step_for_user(session, user_id, [logic.IN_PROGRESS, logic.DECLINED])
        waiting = []
        for row in rows:
            membership = await repo.get_membership(session, row.guild_id, row.user_id)
            if row.step_index == len(self.steps(row, membership)) - 1:
                waiting.append(row)
        return waiting

    async def awaits_typed_answer(self, user_id: int) -> bool:
        async with self.sessions() as session:
            return bool(await self.waiting_for_typed_answer(session, user_id))

    async def typed_answer(self, user_id: int, text: str | None, grantable: Any) -> Result | None:
        """A typed answer to the commitment question (the text is only checked: never stored, never
        logged). `grantable(guild_id)`: this process can give the role right after. None: nothing waits."""
        answer_is_yes = logic.is_clear_yes(text)
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            for row in await self.waiting_for_typed_answer(session, user_id):
                membership = await repo.get_membership(session, row.guild_id, row.user_id)
                steps = self.steps(row, membership)
                locked = await repo.get_progress(session, row.guild_id, row.user_id, for_update=True)
                if locked is None or locked.status == logic.COMPLETED:
                    continue
                if answer_is_yes:
                    return await self._complete(session, locked, steps, now, grantable(row.guild_id))
                repo.move(locked, logic.DECLINED, locked.step_index, locked.declined_count + 1, now)
                return Result(Screen(self.declined_text(typed=True)), guild_id=row.guild_id)
        return None

    # --- questions to the moderators -----------------------------------------------------------

    async def question_text(self, question_id: int, guild_id: int) -> tuple[int, bytes] | None:
        """(asker, encrypted text) of a question in this server; None: gone (they may have left)."""
        async with self.sessions() as session:
            question = await repo.get_question(session, question_id)
            if question is None or question.guild_id != guild_id:
                return None
            return question.user_id, question.question_enc

    async def answered(self, guild_id: int, question_id: int, moderator_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.mark_answered(session, question_id, moderator_id, self.clock.now())
            await audit.record(session, guild_id, moderator_id, "onboarding.question_answered",
                               f"question:{question_id}")

    async def set_question_post(self, question_id: int, channel_id: int, message_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_question_post(session, question_id, channel_id, message_id)

    async def question_refusal(self, guild_id: int, user_id: int, max_open: int, cooldown_seconds: float) -> str:
        """Why this person can't ask another question now ("" when they can). Being in the server is
        the caller's check (it may need Discord): done before this, outside any transaction."""
        async with self.sessions() as session:
            open_count, last_asked = await repo.question_load(session, guild_id, user_id)
        return logic.question_refusal(open_count, last_asked, self.clock.now(), max_open, cooldown_seconds)

    async def ask(self, guild_id: int, user_id: int, step: int, encrypted: bytes) -> Asked:
        """Save a question (already encrypted) and say where in the flow it was asked."""
        async with self.sessions() as session, session.begin():
            row = await repo.get_progress(session, guild_id, user_id)
            question = await repo.add_question(session, guild_id, user_id, row.step_index if row else step,
                                               encrypted, self.clock.now())
            if row is None:
                return Asked(Screen(t(texts.QUESTION_SENT)), question.id)
            membership = await repo.get_membership(session, guild_id, user_id)
            steps = self.steps(row, membership)
            index = logic.clamp_step(row.step_index, len(steps))
            # Where they are, for the moderators' post: in the server's language (the steps are aligned).
            heading = self.steps(row, membership, i18n.server_language())[index].heading
            where = t_server(texts.QUESTION_WHERE, step=index + 1, count=len(steps), heading=heading)
            return Asked(self.screen_of(row, steps, t(texts.QUESTION_SENT)), question.id, where)


def flow_of(row: OnboardingProgress | repo.FlowRow) -> logic.Flow:
    selection = tuple(row.coi_selection) if row.coi_selection is not None else None
    return logic.Flow(row.status, row.step_index, row.declined_count, selection, row.reaffirm_from_version,
                      row.revision)


ONBOARDING = ServiceKey("onboarding", OnboardingService)
