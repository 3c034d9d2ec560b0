"""Onboarding end to end: the real bot (in-process) against the emulator.

Helpers here are reused by the other test_onboarding_* files.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.content import load_content
from bot.plaintext import plain
from cogs.onboarding import logic
from db.models import Membership, OnboardingProgress, OnboardingQuestion
from tests.conftest import StandardGuild
from tests.emulator import Emulator, Message, ScriptedUser

from .conftest import InProcessBot

CONTENT = load_content()
TOTAL = len(logic.build_steps(CONTENT))  # 20 with the default content
COI_STEP = next(i for i, s in enumerate(logic.build_steps(CONTENT)) if s.offers_coi)
OPEN_DM = "POST /users/@me/channels"
POST_MESSAGE = "POST /channels/{channel_id}/messages"
PATCH_MEMBER = "PATCH /guilds/{guild_id}/members/{user_id}"


def step_no(msg: Message) -> int:
    found = re.search(r"Step (\d+) of (\d+)", msg.content)
    assert found, f"no 'Step k of N' in {msg.content[:200]!r}"
    return int(found.group(1))


def total_of(msg: Message) -> int:
    found = re.search(r"Step \d+ of (\d+)", msg.content)
    assert found
    return int(found.group(1))


async def first_step(user: ScriptedUser) -> Message:
    return await user.wait_dm(lambda m: bool(m.buttons) and "Step 1 of" in m.content, timeout=15)


async def advance(user: ScriptedUser, msg: Message, until: int, *, coi: list[str] | None = None) -> Message:
    """Click "I understand and agree" (or "Let's begin") until the message shows step `until` (1-based).
    At the COI step pick `coi` first when given. Returns the (same, edited) message."""
    while step_no(msg) < until:
        current = step_no(msg)
        if coi is not None and current == COI_STEP + 1:
            picked = await user.select(msg, coi)
            assert picked.type == 7
        label = "Let's begin" if current == 1 else "I understand and agree"
        result = await user.click(msg, label)
        assert result.type == 7, "every step advance edits the same message"
        assert result.message is not None
        msg = result.message
        assert step_no(msg) == current + 1
    return msg


async def walk_to_question(user: ScriptedUser, *, coi: list[str] | None = None) -> Message:
    msg = await first_step(user)
    return await advance(user, msg, TOTAL, coi=coi)


START_HERE = "Start here: read our agreements"


async def start_here_message(emulator: Emulator, sg: StandardGuild) -> Message:
    """The one "Start here" message the bot keeps in the welcome channel."""
    assert sg.welcome is not None
    welcome = sg.welcome

    def found() -> list[Message]:
        return [m for m in welcome.messages() if m.buttons]
    posts = await emulator.wait_for(found, description="the Start here message")
    assert len(posts) == 1 and posts[0].button(START_HERE)
    return posts[0]


async def start_from_welcome(emulator: Emulator, sg: StandardGuild, user: ScriptedUser) -> Message:
    """Press "Start here" in the welcome channel: the steps open in a message only `user` sees."""
    opened = await user.click(await start_here_message(emulator, sg), START_HERE)
    assert opened.ephemeral and opened.message is not None and opened.message.ephemeral_for == user.id
    return opened.message


def member_role_names(user: ScriptedUser, sg: StandardGuild) -> set[str]:
    return set(user.roles(sg.guild))


async def newcomer(emulator: Emulator, sg: StandardGuild, name: str, *, dms_open: bool = True,
                   with_newcomer_role: bool = True, locale: str = "en-US") -> ScriptedUser:
    user = emulator.create_user(name, dms_open=dms_open, locale=locale)
    roles: list[Any] = [sg.guild.role("Newcomer")] if with_newcomer_role else []
    await user.join(sg.guild, roles=roles)
    return user


async def db_rows(bot: InProcessBot, model: Any, **where: Any) -> list[Any]:
    async with bot.bot.sessions() as session:
        query = select(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return list((await session.execute(query)).scalars())


async def wait_db(fetch: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], what: str,
                  timeout: float = 10.0) -> Any:  # noqa: ASYNC109
    """Poll a database query until `done(result)` (the database has no event to wait on)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await fetch()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_join_every_step_yes_grants_member_and_removes_newcomer(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    nia = await newcomer(emulator, sg, "Nia")
    assert member_role_names(nia, sg) == {"Newcomer"}  # the bot adds no role at join
    msg = await first_step(nia)
    assert f"Step 1 of {TOTAL}" in msg.content
    assert CONTENT.community.name in msg.content and "free" in msg.content.lower()
    # the step's own buttons, then the languages, each named in itself (issue 16)
    assert [b["label"] for b in msg.buttons] == ["Let's begin", "I have a question", "English", "Español"]

    seen: list[str] = [msg.content]
    while step_no(msg) < TOTAL:
        # progress appears once, in words: no bar, no "(1 of 4)" inside the heading
        assert len(re.findall(r"\bStep \d+ of \d+", msg.content)) == 1 and not re.search(r"\(\d+ of \d+\)", msg.content)
        assert not {"▓", "░"} & set(msg.content)
        if step_no(msg) == COI_STEP + 1:
            assert "Funders" in msg.content and "pick them below" in msg.content
            options = {o["label"] for o in msg.selects[0]["options"]}
            assert {"Funders", "Law enforcement", "None apply"} <= options
            picked = await nia.select(msg, ["Funders"])
            assert "Your pick: **Funders**" in picked.message.content  # type: ignore[union-attr]
        result = await nia.click(msg, "Let's begin" if step_no(msg) == 1 else "I understand and agree")
        assert result.type == 7 and result.message is msg
        seen.append(msg.content)
        if step_no(msg) > 2:
            assert "Back" in [b["label"] for b in msg.buttons]
    # every value, agreement and action item was shown whole (values share a screen)
    for item in [*CONTENT.values.items, *CONTENT.agreements.items]:
        assert any(item in text for text in seen), item
    assert sum(CONTENT.values.items[0] in text for text in seen) == 1
    # acronyms are explained where they first appear, not only after the last step
    values_screen = next(text for text in seen if CONTENT.values.items[0] in text)
    assert "**PLE**: People with lived/living experience/expertise" in values_screen
    for section in CONTENT.actions.sections:
        assert any(section.title in text for text in seen)
    question = msg
    assert CONTENT.commitment.question in question.content
    for value in CONTENT.commitment.core_values:
        assert value in question.content
    assert {"Yes", "Not yet / I have questions"} <= {b["label"] for b in question.buttons}

    result = await nia.click(question, "Yes")
    assert result.type == 7
    assert "you are now a member" in question.content
    for command in ("/coi tag", "/repair request", "/acronym lookup"):
        assert command in question.content
    assert question.buttons == []
    await emulator.wait_for(lambda: nia.has_role(sg.guild, "Member"), description="member role")
    assert member_role_names(nia, sg) == {"Member", "COI: Funders"}

    (membership,) = await db_rows(bot_in_process, Membership, user_id=nia.id)
    assert membership.content_version == CONTENT.version and membership.accepted_step_hashes
    from db.repositories import coi_tags
    async with bot_in_process.bot.sessions() as session:
        assert await coi_tags.tags_of(session, sg.guild.id, nia.id) == {"funders"}


async def test_back_and_stale_double_clicks_re_render_the_saved_step(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    sam = await newcomer(emulator, sg, "Sam")
    msg = await advance(sam, await first_step(sam), 4)
    back = await sam.click(msg, "Back")
    assert back.type == 7 and step_no(msg) == 3
    # A second message showing the same flow (here: /onboarding start in the server, ephemeral).
    other = await sam.slash(sg.guild, "onboarding start")
    assert other.ephemeral and other.message is not None and step_no(other.message) == 3
    await sam.click(msg, "I understand and agree")  # DM message: 3 -> 4
    assert step_no(msg) == 4
    stale = await sam.click(other.message, "I understand and agree")  # stale: still says step 3
    assert stale.type == 7 and step_no(other.message) == 4, "a stale click shows the saved step, no skip"
    (row,) = await db_rows(bot_in_process, OnboardingProgress, user_id=sam.id)
    assert row.step_index == 3


async def test_not_yet_and_every_non_yes_answer_grant_nothing(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    kai = await newcomer(emulator, sg, "Kai")
    # typed text before the commitment step is not an answer: no reply, nothing stored
    await kai.send_dm(sg.bot, "yes")
    question = await walk_to_question(kai)
    assert not [m for m in kai.dm_messages() if m.author.id != kai.id and "clear" in m.content and m is not question]

    result = await kai.click(question, "Not yet / I have questions")
    assert result.type == 7
    assert CONTENT.community.contact_email in question.content and "I have a question" in question.content
    assert {b["label"] for b in question.buttons} == {"Back to the question", "I have a question"}
    assert not kai.has_role(sg.guild, "Member")

    await kai.click(question, "Back to the question")
    assert step_no(question) == TOTAL
    for answer in ["maybe", "yes but…", "no", "not yet", "y", "sure?", "I guess", "idk"]:
        before = kai.last_dm()
        await kai.send_dm(sg.bot, answer)
        reply = await kai.wait_dm(lambda m, b=before: "clear" in m.content, after=before)
        assert CONTENT.community.contact_email in reply.content
        assert "yes" in reply.content
        assert not kai.has_role(sg.guild, "Member")
    assert member_role_names(kai, sg) == {"Newcomer"}
    (row,) = await db_rows(bot_in_process, OnboardingProgress, user_id=kai.id)
    assert row.declined_count == 9 and row.status == logic.DECLINED

    stats = await sg.moderator.slash(sg.guild, "mod-onboarding stats", in_channel=sg.moderators)
    assert "Declined (\"not yet\"): 1" in stats.text and "Completed: 0" in stats.text

    # after a typed "no", the question's own Back button still works (and leaves "declined")
    await kai.click(question, "Back")
    assert step_no(question) == TOTAL - 1
    await kai.click(question, "I understand and agree")
    assert step_no(question) == TOTAL
    before = kai.last_dm()
    await kai.send_dm(sg.bot, "Yes, I am committed!")
    done = await kai.wait_dm(lambda m: "now a member" in m.content, after=before)
    assert "/coi tag" in done.content
    await emulator.wait_for(lambda: kai.has_role(sg.guild, "Member"), description="member role after typed yes")
    assert not kai.has_role(sg.guild, "Newcomer")


async def test_a_typed_answer_in_spanish(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    """Issue 16, item 3: "sí pero…" or "creo que sí" is not a clear yes; "¡Sí, me comprometo!" is."""
    sg = standard_guild
    lu = await newcomer(emulator, sg, "Lu")
    await walk_to_question(lu)
    for answer in ["sí pero…", "creo que sí", "tal vez", "no sé"]:
        before = lu.last_dm()
        await lu.send_dm(sg.bot, answer)
        await lu.wait_dm(lambda m: "clear" in m.content, after=before)
        assert not lu.has_role(sg.guild, "Member")
    before = lu.last_dm()
    await lu.send_dm(sg.bot, "¡Sí, me comprometo!")
    await lu.wait_dm(lambda m: "now a member" in m.content, after=before)
    await emulator.wait_for(lambda: lu.has_role(sg.guild, "Member"), description="member role after a typed sí")


async def test_rest_budget_three_calls_per_newcomer_and_batched_mod_log(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    bot = bot_in_process.bot
    await start_here_message(emulator, sg)  # the bot's own start-up work is done
    start = len(emulator.request_log)
    people = [await newcomer(emulator, sg, f"Wave {i}") for i in range(3)]
    questions = [await walk_to_question(p, coi=["Lobbyists"] if i == 0 else None) for i, p in enumerate(people)]
    for person, question in zip(people, questions, strict=True):
        await person.click(question, "Yes")
    for person in people:
        await emulator.wait_for(lambda p=person: p.has_role(sg.guild, "Member"), description="member role")

    limited = [r for r in emulator.request_log if not r.exempt and r.bot_id == sg.bot.id]
    for person in people:
        dm = person.dm_channel(sg.bot)
        assert dm is not None
        mine = [r for r in limited if (r.route == OPEN_DM and str(r.body.get("recipient_id")) == str(person.id))
                or str(dm.id) in r.path or f"/members/{person.id}" in r.path]
        assert [r.route for r in mine] == [OPEN_DM, POST_MESSAGE, PATCH_MEMBER], [r.route for r in mine]
        (patch,) = [r for r in mine if r.route == PATCH_MEMBER]
        assert "roles" in patch.body
    # everything else since the wave started: only exempt interaction callbacks (and no mod-log yet)
    assert sg.mod_log is not None
    mod_log_posts = [r for r in emulator.request_log if r.route == POST_MESSAGE and str(sg.mod_log.id) in r.path]
    assert mod_log_posts == []
    wave = emulator.request_log[start:]
    # the whole wave (3 joins, 3 x 20 steps, 3 yeses) cost exactly 3 rate-limited calls per newcomer
    assert [r.route for r in wave if not r.exempt].count(PATCH_MEMBER) == 3
    assert sum(1 for r in wave if not r.exempt) == 3 * 3, [(r.method, r.path, r.status) for r in wave if not r.exempt]
    assert sum(1 for r in wave if r.exempt) >= 3 * TOTAL

    bot.clock.advance(timedelta(seconds=logic.MODLOG_BATCH_SECONDS + 1))
    await bot.get_cog("Onboarding").run_due_jobs()
    await emulator.wait_for(lambda: sg.mod_log.messages(), description="the batched mod-log note")
    notes = [m for m in sg.mod_log.messages() if "Welcome to our new members" in m.content]
    assert len(notes) == 1, "one mod-log post for the whole wave"
    assert set(notes[0].mentioned_user_ids) == {p.id for p in people}
    assert not notes[0].pings_anyone
    assert "<@" in notes[0].content


async def test_closed_dms_onboard_through_start_here_with_nothing_public(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    assert sg.welcome is not None
    post = await start_here_message(emulator, sg)
    assert "only you can see them" in post.content and not post.pings_anyone
    shy = await newcomer(emulator, sg, "Shy", dms_open=False)
    await bot_in_process.bot.get_cog("Onboarding").run_due_jobs()  # nothing owed is posted later either
    assert [m.id for m in sg.welcome.messages()] == [post.id], "nothing public is said about Shy"

    step = await start_from_welcome(emulator, sg, shy)
    assert f"Step 1 of {TOTAL}" in step.content
    bystander = await newcomer(emulator, sg, "Bystander", with_newcomer_role=False)
    theirs = await start_from_welcome(emulator, sg, bystander)  # the same button serves anyone, privately
    assert theirs is not step and f"Step 1 of {TOTAL}" in theirs.content
    step = await advance(shy, step, TOTAL)
    assert step.ephemeral_for == shy.id
    await shy.click(step, "Yes")
    assert "now a member" in step.content
    await emulator.wait_for(lambda: shy.has_role(sg.guild, "Member"), description="member role")
    assert not shy.has_role(sg.guild, "Newcomer")
    assert not bystander.has_role(sg.guild, "Member")
    assert shy.dm_messages() == []
    # Nothing public anywhere mentions Shy, their name, or anyone's direct messages.
    for channel in (sg.welcome, sg.general):
        for message in channel.messages():
            assert shy.mention not in message.text and "Shy" not in message.text
            assert "DMs are closed" not in message.text and "direct messages are closed" not in message.text
    already = await shy.click(post, START_HERE)
    assert already.ephemeral and "already a member" in already.text


async def test_start_here_is_kept_one_and_current(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    assert sg.welcome is not None
    post = await start_here_message(emulator, sg)
    from db.repositories import guild_state
    from tests.e2e.test_confidential_voice import eventually

    async def stored(message_id: int) -> bool:
        # The bot stores the ID just after Discord answered the post: wait for that write.
        async with bot_in_process.bot.sessions() as session:
            return await guild_state.start_here_message(session, sg.guild.id) == message_id

    await eventually(lambda: stored(post.id), "the Start here message's ID stored")
    await bot_in_process.restart()  # kept: edited in place, not posted again
    await emulator.wait_for(lambda: emulator.requests("PATCH", "PATCH /channels/{channel_id}/messages/{message_id}",
                                                      path_contains=str(post.id), status=200),
                            description="the Start here message brought up to date")
    assert [m.id for m in sg.welcome.messages() if m.buttons] == [post.id]
    emulator.world.delete_message(post)  # a moderator deletes it
    again = await emulator.wait_for(lambda: [m for m in sg.welcome.messages() if m.buttons],
                                    description="the Start here message, put back")
    assert len(again) == 1 and again[0].id != post.id
    await eventually(lambda: stored(again[0].id), "the new Start here message's ID stored")


async def test_question_reaches_moderators_and_the_reply_reaches_the_newcomer(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    assert sg.moderators is not None
    quinn = await newcomer(emulator, sg, "Quinn")
    msg = await advance(quinn, await first_step(quinn), 3)
    opened = await quinn.click(msg, "I have a question")
    assert opened.modal is not None
    text = "What does PLE mean? @everyone <@&1> I want to be sure."
    submitted = await opened.modal.submit({"Your question": text})
    assert submitted.type == 7 and step_no(msg) == 3, "the newcomer stays on their step"
    assert "went privately to the moderators" in msg.content

    await emulator.wait_for(lambda: [m for m in sg.moderators.messages() if m.buttons], description="question")
    (posted,) = [m for m in sg.moderators.messages() if m.buttons]
    assert plain(text) in posted.content and quinn.mention in posted.content and "step 3 of" in posted.content
    assert not posted.pings_anyone
    (row,) = await db_rows(bot_in_process, OnboardingQuestion, user_id=quinn.id)
    assert text.encode() not in row.question_enc and row.step_index == 2

    outsider = await newcomer(emulator, sg, "Outsider", with_newcomer_role=False)
    refused = await outsider.click(posted, "Reply")
    assert refused.ephemeral and refused.modal is None

    reply = await sg.moderator.click(posted, "Reply")
    assert reply.modal is not None
    before = quinn.last_dm()
    answered = await reply.modal.submit({"Your answer": "PLE means people with lived/living experience."})
    assert answered.type == 6
    dm = await quinn.wait_dm(lambda m: "lived/living experience" in m.content, after=before)
    assert "answered your onboarding question" in dm.content and not dm.pings_anyone
    await emulator.wait_for(lambda: "Answered by" in posted.content, description="question marked answered")
    assert posted.buttons == []
    (row,) = await db_rows(bot_in_process, OnboardingQuestion, user_id=quinn.id)
    assert row.answered_by == sg.moderator.id
    await advance(quinn, msg, 4)  # still on the same step, and can go on


async def test_leaving_deletes_progress_and_returning_starts_fresh(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    lee = await newcomer(emulator, sg, "Lee")
    old = await advance(lee, await first_step(lee), 5)
    await lee.leave(sg.guild)
    await emulator.wait_for(lambda: not lee.has_role(sg.guild, "Newcomer"), description="left")

    await wait_db(lambda: db_rows(bot_in_process, OnboardingProgress, user_id=lee.id), lambda rows: rows == [],
                  "progress deleted after leaving")
    ended = await lee.click(old, "I understand and agree")
    assert "no longer active" in old.content and ended.type == 7

    before = lee.last_dm()
    await lee.join(sg.guild)
    fresh = await lee.wait_dm(lambda m: "Step 1 of" in m.content, after=before)
    assert step_no(fresh) == 1


async def test_one_reminder_for_a_stalled_flow(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    bot = bot_in_process.bot
    rae = await newcomer(emulator, sg, "Rae")
    await advance(rae, await first_step(rae), 2)
    cog = bot.get_cog("Onboarding")
    bot.clock.advance(timedelta(hours=47))
    await cog.run_due_jobs()
    assert not [m for m in rae.dm_messages() if "gentle reminder" in m.content]
    bot.clock.advance(timedelta(hours=2))
    await cog.run_due_jobs()
    await rae.wait_dm(lambda m: "gentle reminder" in m.content)
    bot.clock.advance(timedelta(days=30))
    await cog.run_due_jobs()
    await cog.run_due_jobs()
    assert len([m for m in rae.dm_messages() if "gentle reminder" in m.content]) == 1
    stats = await sg.moderator.slash(sg.guild, "mod-onboarding stats", in_channel=sg.moderators)
    assert "Stalled more than 7 days: 1" in stats.text


async def test_moderator_commands_and_refusals(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    mo = await newcomer(emulator, sg, "Mo")
    await advance(mo, await first_step(mo), 6)
    status = await sg.moderator.slash(sg.guild, "mod-onboarding status", in_channel=sg.moderators, member=mo)
    assert status.ephemeral and f"step 6 of {TOTAL}" in status.text and not status.message.pings_anyone  # type: ignore[union-attr]

    for command, options in [("mod-onboarding status", {"member": mo}), ("mod-onboarding stats", {}),
                             ("mod-onboarding restart", {"member": mo}), ("mod-onboarding reaffirm", {})]:
        refused = await mo.slash(sg.guild, command, in_channel=sg.general, **options)
        assert refused.ephemeral and "Only moderators" in refused.text, command

    before = mo.last_dm()
    restarted = await sg.moderator.slash(sg.guild, "mod-onboarding restart", in_channel=sg.moderators, member=mo)
    await restarted.wait_message(lambda m: "restarted" in m.content)
    again = await mo.wait_dm(lambda m: "Step 1 of" in m.content, after=before)
    assert step_no(again) == 1

    # someone who is already a member is not asked again
    member_role = sg.guild.role("Member")
    vet = emulator.create_user("Vet")
    await vet.join(sg.guild, roles=[member_role])
    already = await vet.slash(sg.guild, "onboarding start", in_channel=sg.general)
    assert "already a member" in already.text
