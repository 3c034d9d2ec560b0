"""Two bot processes, one PostgreSQL database, ``shard_count = 2``: each server is onboarded by its owner.

Setup: one emulated application (one token) in two servers whose ids Discord routes to shard 0
and shard 1; ``python -m bot`` twice, with ``shard_ids = [0]`` and ``[1]``, started at the same
moment against one EMPTY PostgreSQL database (both find it un-migrated). Process k reaches the
emulator as ``HOST_NAMES[k]``, so every REST call in the request log names its process.

Discord (and the emulator) send DM events and DM interactions to shard 0 only. So the clicks of a
newcomer of the shard-1 server are answered by process 0, which cannot see that server: it records
the "yes" and leaves the role grant owed; process 1's job applies it. These tests prove that split
end to end and that nothing is done twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.plaintext import plain
from cogs.onboarding import logic
from db.crypto import DataCipher
from db.models import DepartedMember, Membership, OnboardingProgress, RecordingException, RepairCase
from db.session import create_engine, create_session_factory
from tests.conftest import StandardGuild
from tests.databases import fresh_database_url
from tests.emulator import Emulator, ScriptedUser
from tests.emulator.rest import RequestRecord

from .conftest import BotProcess, RunBot
from .shard_support import build_shard_guild, host_of, shard_process
from .test_onboarding_flow import (
    OPEN_DM,
    PATCH_MEMBER,
    POST_MESSAGE,
    TOTAL,
    advance,
    first_step,
    newcomer,
    start_from_welcome,
    step_no,
    walk_to_question,
)

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
PER_GUILD = 3  # DM-path newcomers per server


@dataclass
class Cluster:
    emu: Emulator
    guilds: list[StandardGuild]  # guilds[k] is owned by shard k
    procs: list[BotProcess]
    database_url: str
    started_s: float


@pytest.fixture
async def cluster(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Cluster]:
    guilds = [build_shard_guild(emulator, f"IHRRC shard {k}", (k, 2)) for k in range(2)]
    assert guilds[0].bot is guilds[1].bot, "one application, one token"
    async with fresh_database_url("postgres", tmp_path) as url:
        key = {"BOT_DATA_KEY": DataCipher.generate_key().decode()}  # one key for every shard
        procs = [shard_process(guilds[k], tmp_path / f"shard{k}", url, k, 2, env=key) for k in range(2)]
        began = time.monotonic()
        try:
            # Both start at once against the empty database: both will try to migrate it.
            for proc in procs:
                await proc.start(wait=False)
            await asyncio.gather(*(proc.wait_ready() for proc in procs))
            yield Cluster(emulator, guilds, procs, url, time.monotonic() - began)
        finally:
            for proc in procs:
                with contextlib.suppress(AssertionError):
                    await proc.stop()


def requests_by(emu: Emulator, shard_id: int, route: str) -> list[RequestRecord]:
    return [r for r in emu.requests(route=route) if r.host == host_of(emu, shard_id)]


async def test_both_shards_start_cleanly_on_one_empty_database(cluster: Cluster) -> None:
    emu, guilds, procs = cluster.emu, cluster.guilds, cluster.procs
    print(f"two shard processes ready in {cluster.started_s:.1f}s")
    bot = guilds[0].bot
    sessions = {s.shard: s for s in emu.sessions(bot) if s.conn is not None}
    assert set(sessions) == {(0, 2), (1, 2)}, "one live gateway session per shard"
    for k in range(2):
        own, other = guilds[k].guild.id, guilds[1 - k].guild.id
        # the gateway gave each shard only its own server
        assert set(sessions[(k, 2)].guild_create_seq) == {own}
        # logged just after the command sync the emulator saw, so wait for the line
        await emu.wait_for(lambda p=procs[k], g=own: f"({g}) ready" in p.stderr,
                           description=f"shard {k}'s 'guild ready' log line")
        log = procs[k].stderr
        assert f"({other}) ready" not in log
        assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
        assert procs[k].running
        # each process set up (provisioned) only its own server
        assert guilds[k].guild.role("Member") is not None and guilds[k].guild.role("Newcomer") is not None
        provisioning = [r for r in emu.requests(method="POST") if r.path.startswith("/guilds/")]
        assert provisioning and {r.host for r in provisioning if f"/guilds/{own}/" in r.path} == {host_of(emu, k)}
    assert emu.count_429 == 0


async def onboard_by_dm(user: ScriptedUser, coi: list[str]) -> float:
    """Walk every step and answer yes; returns when the yes was acknowledged (monotonic)."""
    question = await walk_to_question(user, coi=coi)
    result = await user.click(question, "Yes")
    assert result.type == 7 and "now a member" in question.content
    return time.monotonic()


async def test_each_servers_newcomers_are_onboarded_once_by_the_owning_process(cluster: Cluster) -> None:
    emu, guilds, procs = cluster.emu, cluster.guilds, cluster.procs
    people: list[list[ScriptedUser]] = [[], []]
    for k, sg in enumerate(guilds):
        for i in range(PER_GUILD):
            people[k].append(await newcomer(emu, sg, f"Shard{k} Newcomer{i}"))
    closed = await newcomer(emu, guilds[1], "Shard1 Closed DMs", dms_open=False)

    # every newcomer walks the 20 DM steps at the same time; the shard-1 ones pick a COI too
    said_yes = await asyncio.gather(*(onboard_by_dm(u, ["Funders"] if k == 1 else ["None apply"])
                                      for k in range(2) for u in people[k]))
    yes_at = dict(zip([u.id for k in range(2) for u in people[k]], said_yes, strict=True))

    # closed DMs in the shard-1 server: the welcome channel's "Start here" button is a SERVER
    # interaction (shard 1), and nothing public names the person
    welcome = guilds[1].welcome
    assert welcome is not None
    last = await advance(closed, await start_from_welcome(emu, guilds[1], closed), TOTAL)
    assert not [m for m in welcome.messages() if closed.id in m.pinged_user_ids]
    await closed.click(last, "Yes")

    everyone = [(k, u) for k in range(2) for u in people[k]] + [(1, closed)]
    granted_at: dict[int, float] = {}

    def all_members() -> bool:
        for k, u in everyone:
            if u.id not in granted_at and u.has_role(guilds[k].guild, "Member"):
                granted_at[u.id] = time.monotonic()
        return len(granted_at) == len(everyone)

    # shard 1's DM-path grants are owed until process 1's job (every 5 s) applies them
    await emu.wait_for(all_members, timeout=30, interval=0.05, description="every newcomer's Member role")
    owed_delay = max(granted_at[u.id] - yes_at[u.id] for u in people[1])
    print(f"shard-1 owed grants applied within {owed_delay:.1f}s of the yes")

    for k, u in everyone:
        sg, other = guilds[k], guilds[1 - k]
        want = {"Member", "COI: Funders"} if (k == 1 and u is not closed) else {"Member"}
        assert set(u.roles(sg.guild)) == want, (u.name, u.roles(sg.guild))
        assert u.id not in other.guild.members
        mine = f"/members/{u.id}"
        # exactly ONE member update (Member + COI − Newcomer), made by the process owning the server
        patches = [r for r in emu.requests(route=PATCH_MEMBER) if r.path.endswith(mine)]
        assert len(patches) == 1 and 200 <= patches[0].status < 300, (u.name, [(p.host, p.status) for p in patches])
        assert patches[0].host == host_of(emu, k) and patches[0].path.startswith(f"/guilds/{sg.guild.id}/")
        if u is closed:
            dm = u.dm_channel(sg.bot)
            assert dm is None or not [m for m in dm.messages_list() if m.author.id != u.id]
            continue
        # exactly ONE first DM (open + send), sent by the owning process: nobody is onboarded twice
        opens = [r for r in emu.requests(route=OPEN_DM) if str(r.body.get("recipient_id")) == str(u.id)]
        dm = u.dm_channel(sg.bot)
        assert dm is not None
        sends = [r for r in emu.requests(route=POST_MESSAGE) if f"/channels/{dm.id}/" in r.path]
        assert [r.host for r in opens] == [host_of(emu, k)], (u.name, [r.host for r in opens])
        assert [r.host for r in sends] == [host_of(emu, k)], (u.name, [r.host for r in sends])
        bot_dms = [m for m in dm.messages_list() if m.author.id != u.id]
        assert len(bot_dms) == 1 and "now a member" in bot_dms[0].content  # the one message, edited

    # the DM clicks of BOTH servers reached shard 0 (as on Discord) and were answered by process 0;
    # the shard-1 server's own interaction (closed DMs) was answered by process 1
    dm_callbacks = [r for r in emu.interaction_records() if r.guild is None]
    server_callbacks = [r for r in emu.interaction_records() if r.guild is not None]
    # per DM newcomer: TOTAL - 1 advances, one COI pick, one "Yes"
    assert len(dm_callbacks) == 2 * PER_GUILD * (TOTAL + 1) and all(r.callback_type for r in dm_callbacks)
    assert {r.guild.id for r in server_callbacks if r.guild} == {guilds[1].guild.id}
    hosts = {r.path.split("/")[2]: r.host for r in emu.requests(route=CALLBACK)}
    assert {hosts[str(r.id)] for r in dm_callbacks} == {host_of(emu, 0)}
    assert {hosts[str(r.id)] for r in server_callbacks} == {host_of(emu, 1)}
    assert requests_by(emu, 0, PATCH_MEMBER) and requests_by(emu, 1, PATCH_MEMBER)
    assert all(f"/guilds/{guilds[0].guild.id}/" in r.path for r in requests_by(emu, 0, PATCH_MEMBER))
    assert all(f"/guilds/{guilds[1].guild.id}/" in r.path for r in requests_by(emu, 1, PATCH_MEMBER))

    # the shared database agrees: one membership per newcomer, each grant confirmed
    engine = create_engine(cluster.database_url)
    try:
        async with create_session_factory(engine)() as session:
            memberships = list((await session.execute(select(Membership))).scalars())
            progress = list((await session.execute(select(OnboardingProgress))).scalars())
    finally:
        await engine.dispose()
    expected = sorted((guilds[k].guild.id, u.id) for k, u in everyone)
    assert sorted((m.guild_id, m.user_id) for m in memberships) == expected
    assert all(m.role_granted_at is not None for m in memberships)
    assert sorted((p.guild_id, p.user_id) for p in progress if p.status == logic.COMPLETED) == expected

    # each server's mod-log gets one batched welcome note for its own newcomers, from its own process
    for k, sg in enumerate(guilds):
        assert sg.mod_log is not None
        channel = sg.mod_log
        await emu.wait_for(lambda c=channel: [m for m in c.messages() if "new members" in m.content], timeout=30,
                           description=f"shard {k}'s batched welcome note")
        notes = [m for m in channel.messages() if "new members" in m.content]
        assert {uid for n in notes for uid in n.mentioned_user_ids} == {u.id for kk, u in everyone if kk == k}
        posts = [r for r in emu.requests(route=POST_MESSAGE) if f"/channels/{channel.id}/" in r.path]
        assert {r.host for r in posts} == {host_of(emu, k)}

    assert emu.count_429 == 0
    for proc in procs:
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


async def test_a_dm_question_about_another_shards_server_reaches_its_moderators_and_back(cluster: Cluster) -> None:
    """"I have a question" in a DM is handled by process 0 (DM interactions go to shard 0) even for
    a newcomer of the shard-1 server; the moderators of THAT server must get it, and their reply
    (a server interaction, handled by process 1) must reach the newcomer."""
    emu, sg = cluster.emu, cluster.guilds[1]
    assert sg.moderators is not None
    moderators = sg.moderators
    quinn = await newcomer(emu, sg, "Quinn Shard1")
    msg = await advance(quinn, await first_step(quinn), 3)
    opened = await quinn.click(msg, "I have a question")
    assert opened.modal is not None
    text = "What does PLE mean? @everyone I want to be sure."
    submitted = await opened.modal.submit({"Your question": text})
    assert submitted.type == 7 and step_no(msg) == 3 and "went privately to the moderators" in msg.content
    posted = await emu.wait_for(lambda: next((m for m in moderators.messages() if m.buttons), None),
                                description="the question in the shard-1 server's #moderators")
    assert plain(text) in posted.content and not posted.pings_anyone  # shown as typed (bot.plaintext)
    assert not [m for m in quinn.dm_messages() if "couldn't reach the moderators" in m.content]

    reply = await sg.moderator.click(posted, "Reply")
    assert reply.modal is not None
    before = quinn.last_dm()
    answered = await reply.modal.submit({"Your answer": "PLE means people with lived/living experience."})
    assert answered.type == 6
    dm = await quinn.wait_dm(lambda m: "lived/living experience" in m.content, after=before)
    assert "answered your onboarding question" in dm.content
    await emu.wait_for(lambda: "Answered by" in posted.content, description="question marked answered")
    for proc in cluster.procs:
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


async def test_a_shard_process_leaves_other_shards_stored_work_to_their_owner(emulator: Emulator,
                                                                              run_bot: RunBot) -> None:
    """Regression: the privacy purge and the recording-exception expiry used to act on EVERY server's
    rows. A process that cannot see a server deleted the rows but could not do the Discord side
    (delete the purged case's moderator thread, announce the end of recording and remove the
    recording bot) — and the owning process then found nothing left to do."""
    mine, theirs = (build_shard_guild(emulator, f"IHRRC shard {k}", (k, 2)) for k in range(2))
    handle = await run_bot(mine, config={"discord": {"shard_count": 2, "shard_ids": [0]}})
    bot = handle.bot
    assert bot.owns_guild(mine.guild.id) and not bot.owns_guild(theirs.guild.id)
    assert bot.get_guild(theirs.guild.id) is None
    long_ago = bot.clock.now() - timedelta(days=4000)
    async with bot.sessions() as session, session.begin():
        for sg in (mine, theirs):
            assert sg.waiting_room is not None
            session.add(RecordingException(guild_id=sg.guild.id, channel_id=sg.waiting_room.id,
                                           reason_enc=bot.cipher.encrypt("captions"), granted_by=sg.moderator.id,
                                           starts_at=long_ago, expires_at=long_ago + timedelta(hours=1)))
            session.add(DepartedMember(guild_id=sg.guild.id, user_id=sg.owner.id, left_at=long_ago))
            session.add(RepairCase(guild_id=sg.guild.id, number=1, what_happened_enc=bot.cipher.encrypt("x"),
                                   status="closed", created_at=long_ago, closed_at=long_ago))

    await bot.get_cog("ConfidentialCog").expire_exceptions()
    await bot.get_cog("PrivacyCog").run_due_jobs()

    async with bot.sessions() as session:
        left = {model.__name__: sorted(row.guild_id for row in (await session.execute(select(model))).scalars())
                for model in (RecordingException, DepartedMember, RepairCase)}
    assert left == {"RecordingException": [theirs.guild.id], "DepartedMember": [theirs.guild.id],
                    "RepairCase": [theirs.guild.id]}, "own rows handled, the other shard's rows left to it"
