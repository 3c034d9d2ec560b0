"""The onboarding hot path end to end: after a flow's first click, clicks are decided from
the copy in memory (no read of the database) and saved by compare-and-set, so a change
made by anyone else — another shard process, a moderator's restart — is never overwritten."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, update

from db.models import OnboardingProgress
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import InProcessBot
from .test_onboarding_flow import TOTAL, advance, db_rows, first_step, newcomer, step_no


@asynccontextmanager
async def table_statements(bot: InProcessBot, table: str) -> AsyncIterator[list[str]]:
    """Every SQL statement the bot runs against `table` while the block runs. On SQLite, as
    SQLite itself sees them (the group commit runs its statement on the driver directly)."""
    seen: list[str] = []
    engine = bot.bot.sessions.kw["bind"]

    def record(statement: str) -> None:
        if f" {table}" in statement:
            seen.append(" ".join(statement.split()))

    if engine.dialect.name == "sqlite":
        # The writer has ONE connection (db/session.py): trace it, through aiosqlite's public API.
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            await driver.set_trace_callback(record)
        try:
            yield seen
        finally:
            async with engine.connect() as connection:
                await (await connection.get_raw_connection()).driver_connection.set_trace_callback(None)
        return

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        record(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


def verbs(statements: list[str]) -> list[str]:
    """The verb of each statement ("WITH m(...) UPDATE ..." is an UPDATE)."""
    return [("UPDATE" if " UPDATE " in s.upper() else s.split()[0].upper()) if s.upper().startswith("WITH")
            else s.split()[0].upper() for s in statements]


async def test_a_walk_reads_the_flow_once_and_then_only_saves(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    ana = await newcomer(emulator, standard_guild, "Ana")
    msg = await first_step(ana)
    cog = bot_in_process.bot.get_cog("Onboarding")
    key = (standard_guild.guild.id, ana.id)
    # Marking the first DM delivered hands the saved flow to memory.
    await emulator.wait_for(lambda: cog.flows.get(key) is not None, description="the flow in memory")
    # The feature's background jobs (reminders, stranded DMs, the start-up catch-up) read this table on
    # their own schedule; on a slow machine a tick lands inside the walk. Stop them: this counts clicks.
    cog.jobs.cancel()
    await emulator.wait_for(lambda: not cog.jobs.is_running(), description="the background jobs stopped")
    async with table_statements(bot_in_process, "onboarding_progress") as statements:
        msg = await advance(ana, msg, TOTAL)  # 19 clicks, from the welcome to the question
    assert verbs(statements).count("SELECT") == 0, statements  # every click decided from memory
    assert verbs(statements).count("UPDATE") == TOTAL - 1, statements  # and saved before its answer
    (row,) = await db_rows(bot_in_process, OnboardingProgress, user_id=ana.id)
    assert row.step_index == TOTAL - 1
    assert cog.flows.get(key).revision == row.revision

    async with table_statements(bot_in_process, "membership") as statements:
        result = await ana.click(msg, "Yes")  # completing takes the full path and ends the copy
        assert "you are now a member" in result.message.content  # type: ignore[union-attr]
        assert cog.flows.get(key) is None
        await emulator.wait_for(lambda: ana.has_role(standard_guild.guild, "Member"), description="the role")
        await emulator.wait_for(lambda: any("role_granted_at=" in s for s in statements),
                                description="the grant recorded")
    # The membership is written once, with who grants it, and updated once when Discord confirms.
    assert verbs(statements) == ["SELECT", "INSERT", "UPDATE"], statements


async def test_another_process_change_wins_over_the_copy_in_memory(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    ben = await newcomer(emulator, standard_guild, "Ben")
    msg = await advance(ben, await first_step(ben), 6)
    # Another shard process (or anything else) moves the flow back to step 3 behind our back.
    async with bot_in_process.bot.sessions() as session, session.begin():
        await session.execute(update(OnboardingProgress)
                              .where(OnboardingProgress.user_id == ben.id).values(step_index=2))
    result = await ben.click(msg, "I understand and agree")
    assert result.type == 7 and step_no(msg) == 3, "the click re-reads the row and shows the saved step"
    (row,) = await db_rows(bot_in_process, OnboardingProgress, user_id=ben.id)
    assert row.step_index == 2, "the copy in memory never overwrites someone else's change"
    await ben.click(msg, "I understand and agree")
    assert step_no(msg) == 4


async def test_a_restart_by_a_moderator_is_not_undone_by_an_old_message(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    cy = await newcomer(emulator, sg, "Cy")
    old = await advance(cy, await first_step(cy), 8)
    before = cy.last_dm()
    restarted = await sg.moderator.slash(sg.guild, "mod-onboarding restart", in_channel=sg.moderators, member=cy)
    await restarted.wait_message(lambda m: "restarted" in m.content)
    fresh = await cy.wait_dm(lambda m: "Step 1 of" in m.content, after=before)
    await cy.click(old, "I understand and agree")
    assert step_no(old) == 1, "the old message now shows where the restart put them"
    (row,) = await db_rows(bot_in_process, OnboardingProgress, user_id=cy.id)
    assert row.step_index == 0
    await cy.click(fresh, "Let's begin")
    assert step_no(fresh) == 2
