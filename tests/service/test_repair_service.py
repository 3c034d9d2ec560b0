"""The repair service on a real database, without Discord: filing, each case transition and its side
effects, relay and its limit, waiting messages, lists, exports and reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.errors import BadInput, Conflict, NotAllowed, NotFound
from bot.settings import RepairSection
from cogs.repair import texts
from cogs.repair.logic import Action, CaseSummary, Filing, Status
from cogs.repair.service import Filed, Letter, Refused, RepairService, Reviewer, Source
from db.crypto import DataCipher
from db.models import AuditEntry
from db.repositories import repair as repo

# Snowflake-sized IDs: a short one like 11 also appears in a timestamp ("11:46") the export prints.
G, ALEX, MOD, OTHER_MOD, STRANGER = 1, 400_000_000_000_011, 99, 98, 12
SUMMARY, PLACE = 5000, 6000

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def service(sessions: Sessions, clock: Clock, cipher: DataCipher) -> RepairService:
    settings = RepairSection(max_open_per_member=2, cooldown_minutes=10, relay_per_minute=2, relay_per_hour=20)
    return RepairService(sessions=sessions, cipher=cipher, clock=clock, settings=settings, resource="RESOURCE")


def moderator(user_id: int = MOD) -> Reviewer:
    return Reviewer(user_id, G, is_moderator=True, is_alternate=False)


ON_SUMMARY = Source(SUMMARY, PLACE)


async def filed(service: RepairService, *, anonymous: bool = False, excluded: tuple[int, ...] = (),
                user_id: int = ALEX, routed: bool = True) -> Filed:
    result = await service.file(G, user_id, Filing(G, anonymous, excluded), {"what": "It happened.", "who": None,
                                                                               "help": "Talk", "cw": None})
    assert isinstance(result, Filed)
    if routed:
        await service.set_place(result.case_id, PLACE, alternates=False, kind="thread", audience="moderators")
        await service.set_summary_message(result.case_id, SUMMARY)
    return result


async def test_filing_saves_encrypted_and_keeps_the_limits(service: RepairService, sessions: Sessions,
                                                           clock: Clock) -> None:
    first = await filed(service, anonymous=True)
    assert (first.number, first.anonymous) == (1, True)
    async with sessions() as session:
        case = await repo.get(session, first.case_id)
    assert case is not None and b"It happened." not in case.what_happened_enc and case.status == Status.SUBMITTED
    again = await service.file(G, ALEX, Filing(G), {"what": "Again"})
    assert isinstance(again, Refused) and "pause" in again.reason and "nothing is lost" in again.reason
    with pytest.raises(Conflict):
        await service.check_may_file(G, ALEX)
    clock.advance(timedelta(minutes=11))
    await filed(service)
    clock.advance(timedelta(minutes=11))
    third = await service.file(G, ALEX, Filing(G), {"what": "Third"})
    assert isinstance(third, Refused) and "open repair requests" in third.reason
    assert await service.file(G, STRANGER, Filing(G), {"what": None}) == Refused(texts.WHAT_MISSING)


async def test_acknowledge_tells_the_requester_and_is_audited(service: RepairService, sessions: Sessions) -> None:
    case = await filed(service)
    done = await service.act(case.case_id, moderator(), ON_SUMMARY, Action.ACKNOWLEDGE)
    assert done.case.status == Status.ACKNOWLEDGED and done.on_summary
    assert done.requester_id == ALEX and done.to_requester == Letter("ack", case.number, None, "RESOURCE")
    async with sessions() as session:
        actions = [a.action for a in (await session.execute(AuditEntry.__table__.select())).all()]
    assert actions == ["repair.ack"]
    with pytest.raises(Conflict, match="already been acknowledged"):
        await service.act(case.case_id, moderator(), ON_SUMMARY, Action.ACKNOWLEDGE)


async def test_a_click_before_the_summary_id_is_saved_renders_in_place(service: RepairService) -> None:
    """A moderator may click the summary a moment before its ID is saved (the click came from the case's
    own place): the click re-renders that message in place, as any click on the summary does (before:
    nothing re-rendered it, and it kept saying "Submitted" — seen on PostgreSQL in CI)."""
    case = await filed(service, routed=False)
    await service.set_place(case.case_id, PLACE, alternates=False, kind="channel", audience="moderators")
    done = await service.act(case.case_id, moderator(), Source(SUMMARY, PLACE), Action.ACKNOWLEDGE)
    assert done.case.status == Status.ACKNOWLEDGED and done.on_summary
    with pytest.raises(NotAllowed, match="buttons don't belong"):  # not from another place
        await service.act(case.case_id, moderator(), Source(SUMMARY, PLACE + 1), Action.ASSIGN)


async def test_close_and_reopen_carry_their_side_effects(service: RepairService) -> None:
    case = await filed(service)
    with pytest.raises(BadInput):
        await service.act(case.case_id, moderator(), ON_SUMMARY, Action.CLOSE, text="   ")
    closed = await service.act(case.case_id, moderator(), ON_SUMMARY, Action.CLOSE, text="We met.",
                               outcome=Status.CLOSED)
    assert closed.case.status == Status.CLOSED and closed.case.resolution == "We met."
    assert closed.to_requester == Letter("closed", case.number, "We met.", "RESOURCE")
    note = await service.act(case.case_id, moderator(), ON_SUMMARY, Action.NOTE, text="for us only")
    assert note.to_requester is None and note.requester_id is None
    reopened = await service.act(case.case_id, moderator(), ON_SUMMARY, Action.REOPEN)
    assert reopened.case.status == Status.REOPENED


async def test_who_may_act(service: RepairService) -> None:
    case = await filed(service, excluded=(OTHER_MOD,))
    member = Reviewer(STRANGER, G, is_moderator=False, is_alternate=False)
    with pytest.raises(NotAllowed):
        await service.act(case.case_id, member, ON_SUMMARY, Action.ACKNOWLEDGE)
    with pytest.raises(NotAllowed, match="asked that you not handle it"):
        await service.act(case.case_id, moderator(OTHER_MOD), ON_SUMMARY, Action.ACKNOWLEDGE)
    with pytest.raises(NotAllowed, match="buttons don't belong"):
        await service.act(case.case_id, moderator(), Source(SUMMARY + 1, PLACE + 1), Action.ACKNOWLEDGE)
    with pytest.raises(NotFound):
        await service.act(case.case_id, Reviewer(MOD, G + 1, True, False), ON_SUMMARY, Action.ACKNOWLEDGE)
    alternate = Reviewer(OTHER_MOD + 1, G, is_moderator=False, is_alternate=True)
    with pytest.raises(NotAllowed):  # an alternate reviewer sees only the cases routed to them
        await service.open_form(case.case_id, alternate, ON_SUMMARY, Action.REPLY)
    own = await filed(service, user_id=MOD)
    with pytest.raises(NotAllowed, match="You filed this case"):
        await service.act(own.case_id, moderator(), ON_SUMMARY, Action.ACKNOWLEDGE)


async def test_an_unreachable_anonymous_requester_gets_the_message_later(service: RepairService) -> None:
    case = await filed(service, anonymous=True)
    done = await service.act(case.case_id, moderator(), ON_SUMMARY, Action.REPLY, text="How are you?")
    assert done.requester_id == ALEX, "the sealed link is opened only to send the DM"
    assert await service.dm_outcome(done, delivered=False) is None, "moderators learn nothing"
    (waiting,) = await service.waiting(ALEX, [G])
    assert waiting.number == case.number
    assert waiting.letters == [Letter("reply", case.number, "How are you?", "RESOURCE")]
    await service.mark_delivered(waiting.event_ids)
    assert await service.waiting(ALEX, [G]) == []
    named = await filed(service, user_id=STRANGER)
    done = await service.act(named.case_id, moderator(), ON_SUMMARY, Action.ACKNOWLEDGE)
    assert await service.dm_outcome(done, delivered=False) is False, "a named case says so in its place"


async def test_relay_holds_a_flood_and_refuses_closed_cases(service: RepairService, sessions: Sessions) -> None:
    case = await filed(service, anonymous=True)
    (found,) = await service.open_cases(ALEX, [G])
    assert found.case_id == case.case_id
    held = [(await service.relay(case.case_id, ALEX, f"message {i}")).held for i in range(3)]
    assert held == [False, False, True]
    async with sessions() as session:
        events = [e for e in await repo.events_of(session, case.case_id) if e.kind == "requester_message"]
    assert len(events) == 3 and all(e.actor_id is None for e in events), "kept, and anonymous"
    with pytest.raises(NotFound):  # someone else writing to this case
        await service.relay(case.case_id, STRANGER, "hello")
    await service.act(case.case_id, moderator(), ON_SUMMARY, Action.CLOSE, text="done")
    with pytest.raises(NotFound, match="isn't open any more"):
        await service.relay(case.case_id, ALEX, "one more")


async def test_lists_and_export_keep_excluded_moderators_out(service: RepairService, sessions: Sessions) -> None:
    case = await filed(service, anonymous=True, excluded=(OTHER_MOD,))
    assert [c.number for c in await service.list_cases(moderator(), "open")] == [case.number]
    assert await service.list_cases(moderator(OTHER_MOD), "all") == []
    number, text = await service.export(moderator(), case.number, lambda uid: "Morgan" if uid == MOD else None)
    assert number == case.number and "Anonymous requester" in text and str(ALEX) not in text
    with pytest.raises(NotAllowed):
        await service.export(moderator(OTHER_MOD), case.number, lambda uid: None)
    with pytest.raises(NotFound):
        await service.export(moderator(), 77, lambda uid: None)
    assert [c.number for c in await service.mine(ALEX, [G])] == [case.number]


async def test_one_reminder_after_the_deadline(service: RepairService, clock: Clock) -> None:
    case = await filed(service)
    assert await service.due_reminders([G]) == []
    clock.advance(timedelta(hours=49))
    (reminder,) = await service.due_reminders([G])
    assert (reminder.case_id, reminder.hours) == (case.case_id, 49)
    assert await service.due_reminders([G]) == []


async def test_refresh_summaries_shows_each_case_on_the_board(service: RepairService) -> None:
    shown: list[CaseSummary] = []

    class Board:
        async def show_summary(self, case: CaseSummary) -> None:
            shown.append(case)

    case = await filed(service)
    await service.refresh_summaries([case.case_id])  # no board yet: nothing to do, no error
    service.board = Board()
    await service.refresh_summaries([case.case_id, 12345])
    assert [(c.case_id, c.requester_id, c.summary_message_id) for c in shown] == [(case.case_id, ALEX, SUMMARY)]


async def test_routing_records(service: RepairService, sessions: Sessions) -> None:
    case = await filed(service, routed=False)
    assert await service.unrouted([G]) == [case.case_id]
    claimed = await service.claim_routing(case.case_id, "boot-a")
    assert claimed is not None and await service.claim_routing(case.case_id, "boot-a") is None
    await service.set_route_blocked(case.case_id, "no_alternates")
    assert await service.route_blocked_reason(case.case_id) == "no_alternates"
    await service.relay(case.case_id, ALEX, "early words")
    await service.set_place(case.case_id, PLACE, alternates=False, kind="thread", audience="moderators")
    (early,) = await service.early_messages(case.case_id)
    assert early.text == "early words"
    await service.set_summary_message(case.case_id, SUMMARY)
    await service.release_routing(case.case_id, "boot-a")
    assert await service.unrouted([G]) == [] and await service.route_blocked_reason(case.case_id) is None
    async with sessions() as session:
        kinds = [e.kind for e in await repo.events_of(session, case.case_id)]
    assert kinds == ["filed", "requester_message", "routed"]
