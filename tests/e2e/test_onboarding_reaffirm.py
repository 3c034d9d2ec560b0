"""Reaffirmation after a content version bump: only changed sections + the question, nobody loses a role."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import default_content_text, load_content
from db.models import Membership
from tests.conftest import StandardGuild
from tests.emulator import Emulator

from .conftest import RunBot
from .test_onboarding_flow import PATCH_MEMBER, db_rows, newcomer, step_no, walk_to_question

OLD = load_content()
CHANGED_AGREEMENT = "We agree to approach disagreements with curiosity, humility, patience, and a willingness to learn."


def bumped_content(tmp_path: Path) -> Path:
    text = default_content_text()
    assert f'version = "{OLD.version}"' in text and OLD.agreements.items[2] in text
    text = text.replace(f'version = "{OLD.version}"', 'version = "2099.1"')
    text = text.replace(OLD.agreements.items[2], CHANGED_AGREEMENT)
    path = tmp_path / "content-2099.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_version_bump_asks_members_to_reaffirm_changed_sections(
        emulator: Emulator, standard_guild: StandardGuild, run_bot: RunBot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sg = standard_guild
    handle = await run_bot(sg)
    ana = await newcomer(emulator, sg, "Ana")
    bo = await newcomer(emulator, sg, "Bo")
    for person in (ana, bo):
        question = await walk_to_question(person)
        await person.click(question, "Yes")
        await emulator.wait_for(lambda p=person: p.has_role(sg.guild, "Member"), description="member role")

    # nothing to reaffirm on the same version
    same = await sg.moderator.slash(sg.guild, "mod-onboarding reaffirm", in_channel=sg.moderators)
    assert "Nothing to do" in (await same.wait_message(lambda m: "Nothing" in m.content)).content

    # the coalition edits one agreement and bumps the version; the bot restarts with the new content
    await handle.stop()
    monkeypatch.setenv("BOT_CONTENT_FILE", str(bumped_content(tmp_path)))
    await handle.start()
    assert handle.bot.content.version == "2099.1"
    # existing members are not asked again automatically, and keep their roles
    assert ana.has_role(sg.guild, "Member") and bo.has_role(sg.guild, "Member")

    before = {p.id: p.last_dm() for p in (ana, bo)}
    asked = await sg.moderator.slash(sg.guild, "mod-onboarding reaffirm", in_channel=sg.moderators)
    reply = await asked.wait_message(lambda m: "Asked" in m.content)
    assert "Asked 2 member(s)" in reply.content and "2099.1" in reply.content

    stats = await sg.moderator.slash(sg.guild, "mod-onboarding stats", in_channel=sg.moderators)
    assert "Pending reaffirmation: 2" in stats.text

    msg = await ana.wait_dm(lambda m: "Step 1 of 2" in m.content, after=before[ana.id])
    assert "updated (version 2099.1)" in msg.content and CHANGED_AGREEMENT in msg.content
    await bo.wait_dm(lambda m: "Step 1 of 2" in m.content, after=before[bo.id])

    grants_before = len(emulator.requests(route=PATCH_MEMBER))
    await ana.click(msg, "I understand and agree")
    assert step_no(msg) == 2 and OLD.commitment.question in msg.content
    await ana.click(msg, "Yes")
    assert "Thank you for confirming the updated agreements" in msg.content
    (row,) = await db_rows(handle, Membership, user_id=ana.id)
    assert row.content_version == "2099.1" and row.reaffirm_requested_version is None
    assert len(emulator.requests(route=PATCH_MEMBER)) == grants_before, "roles were already right: no update"

    # Bo has not reaffirmed: keeps the role, and stats show him as pending
    assert bo.has_role(sg.guild, "Member") and ana.has_role(sg.guild, "Member")
    stats = await sg.moderator.slash(sg.guild, "mod-onboarding stats", in_channel=sg.moderators)
    assert "Pending reaffirmation: 1" in stats.text and "Members on the current version: 1" in stats.text
    (row,) = await db_rows(handle, Membership, user_id=bo.id)
    assert row.content_version == OLD.version and row.reaffirm_requested_version == "2099.1"

    # asking again does not nag Bo a second time
    again = await sg.moderator.slash(sg.guild, "mod-onboarding reaffirm", in_channel=sg.moderators)
    assert "Nothing to do" in (await again.wait_message(lambda m: "Nothing" in m.content)).content
