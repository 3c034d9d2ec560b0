"""Repair & justice requests, end to end: the real bot against the emulated Discord."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from db.models import AuditEntry, RepairCase, RepairEvent
from tests.conftest import GuildBuilder, StandardGuild
from tests.emulator import Channel, Emulator, Message, ScriptedUser
from tests.emulator import permissions as P

from .conftest import InProcessBot, RunBot

WHAT = "At the March meeting someone talked over me repeatedly and dismissed my lived experience."
WHO = "A member from the policy working group."
HELP = "An acknowledgement, and a conversation about how we share the floor."
CW = "mentions of stigma around drug use"


# --- helpers (also used by test_repair_restart.py) ------------------------------------------


async def file_request(user: ScriptedUser, guild: Any, *, anonymous: bool = False, exclude: list[Any] = (),  # type: ignore[assignment]
                       what: str = WHAT, who: str | None = WHO, help: str | None = HELP,
                       cw: str | None = CW) -> Message:
    """Run /repair request (guild=None: in the DM) through to the receipt; return the receipt."""
    started = await user.slash(guild, "repair request")
    step = started.message
    assert step is not None and step.ephemeral, started
    if exclude:
        await user.select(step, [str(getattr(m, "id", m)) for m in exclude], custom_id=step.selects[0]["custom_id"])
    chosen = await user.click(step, "File anonymously" if anonymous else "File with my name")
    assert chosen.modal is not None, chosen.text
    values = {"what": what}
    values.update({k: v for k, v in (("who", who), ("help", help), ("cw", cw)) if v is not None})
    submitted = await chosen.modal.submit(values)
    return await submitted.wait_message(lambda m: "case #" in m.text or "Here is what you wrote" in m.text)


async def case_place(emu: Emulator, sg: StandardGuild, number: int = 1) -> Channel:
    name = f"case-{number}"
    return await emu.wait_for(lambda: sg.guild.find_channel(name), description=f"#{name} to be created")  # type: ignore[no-any-return]


async def summary_of(emu: Emulator, place: Channel) -> Message:
    def find() -> Message | None:
        return next((m for m in place.all_messages() if m.embeds and m.buttons), None)
    return await emu.wait_for(find, description="the case summary")  # type: ignore[no-any-return]


def field(msg: Message, name: str) -> str:
    embed = msg.embeds[0]
    return next(f["value"] for f in embed.get("fields", []) if f["name"] == name)


async def make_moderator(sg: StandardGuild, name: str) -> ScriptedUser:
    assert sg.moderator_role is not None
    user = sg.emu.create_user(name)
    await user.join(sg.guild, roles=[sg.moderator_role])
    return user


async def db_rows(bot: InProcessBot, model: Any) -> list[Any]:
    async with bot.bot.sessions() as session:
        return list((await session.execute(select(model))).scalars())


@pytest.fixture
async def member(standard_guild: StandardGuild) -> ScriptedUser:
    alex = standard_guild.emu.create_user("Alex Member")
    await alex.join(standard_guild.guild)
    return alex


# --- filing ---------------------------------------------------------------------------------------


async def test_named_filing_in_server_routes_thread_with_summary(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg = standard_guild
    receipt = await file_request(member, sg.guild)
    assert "case #1" in receipt.text and "What happens next" in receipt.text
    assert "Transformative Justice" in receipt.text  # content.repair.resource
    # saved before the receipt: the row exists, with the text encrypted
    cases = await db_rows(bot_in_process, RepairCase)
    assert [c.number for c in cases] == [1]
    assert WHAT.encode() not in cases[0].what_happened_enc

    thread = await case_place(emulator, sg)
    assert thread.type == 12 and thread.parent_id == sg.moderators.id  # type: ignore[union-attr]
    summary = await summary_of(emulator, thread)
    text = summary.text
    assert "Repair case #1" in text and member.mention in field(summary, "Requester")
    description = summary.embeds[0]["description"]
    assert description.index(CW) < description.index(WHAT), "content warning comes first"
    assert WHO in text and HELP in text
    assert [b["label"] for b in summary.buttons] == ["Acknowledge", "Assign to me", "Reply to requester",
                                                     "Add note", "Close with resolution", "Reopen"]
    assert sg.moderator.id in thread.thread_members
    assert sg.moderator.can_view(thread) and not member.can_view(thread)
    assert not summary.pings_anyone


async def test_anonymous_filing_from_dm_never_shows_identity(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot, member: ScriptedUser) -> None:
    sg = standard_guild
    receipt = await file_request(member, None, anonymous=True)
    assert "case #1" in receipt.text and "anonymous" in receipt.text
    assert receipt.channel_id == member.dm_channel().id  # type: ignore[union-attr]
    thread = await case_place(emulator, sg)
    summary = await summary_of(emulator, thread)
    assert field(summary, "Requester") == "Anonymous requester"
    # nowhere in the server: no message, embed or channel name carries the requester's identity
    for channel in sg.guild.channels.values():
        assert str(member.id) not in channel.name and member.name not in channel.name
        for msg in channel.all_messages(include_ephemeral=True):
            assert str(member.id) not in msg.text and member.name not in msg.text, msg.text
    case = (await db_rows(bot_in_process, RepairCase))[0]
    assert case.anonymous and str(member.id).encode() not in (case.requester_enc or b"")
    filed = [e for e in await db_rows(bot_in_process, RepairEvent) if e.kind == "filed"]
    assert filed and filed[0].actor_id is None
