"""Moderator commands are commands of their own, hidden from members by Discord and checked by the bot.

Before: every member saw `/waitingroom`, `/meeting`, `/confidential`, `/recording`, `/audit` and the
moderator subcommands of `/onboarding`, `/coi` and `/repair` (no command set default_member_permissions),
and `/repair export` answered "There is no case #N" before its permission check, so any member could
watch case numbers grow.
"""

from __future__ import annotations

from tests.conftest import StandardGuild
from tests.emulator import Emulator
from tests.emulator import permissions as P

from .conftest import InProcessBot

MODERATOR_COMMANDS = {"meeting", "waitingroom", "confidential", "recording", "audit",
                      "mod-onboarding", "mod-coi", "mod-repair", "mod-organization", "mod-attendance"}
# Member commands and the subcommands they may carry (nothing for moderators among them).
MEMBER_COMMANDS = {"onboarding": {"start"}, "coi": {"tag", "clear"}, "repair": {"request", "mine"},
                   "mydata": {"show", "export", "delete"}, "privacy": set(), "about": set(),
                   "acronym": {"lookup", "list"}, "help": set(), "membership": {"step-back"},
                   "organization": {"set", "clear", "cannot-participate"}, "attendance": {"mine"},
                   "language": set(), "access": {"request"}}


async def test_synced_payload_hides_moderator_commands(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    sg = standard_guild
    synced = {c["name"]: c for c in sg.bot.commands_for(sg.guild)}
    for name in MODERATOR_COMMANDS:
        assert name in synced, f"/{name} was not synced"
        # Manage Server only (servers can widen it in Integrations); never visible to everyone.
        assert synced[name]["default_member_permissions"] == str(P.MANAGE_GUILD), name
        assert synced[name].get("contexts") in (None, [0]), f"/{name} must be server-only"
    for name, subcommands in MEMBER_COMMANDS.items():
        assert name in synced, f"/{name} was not synced"
        assert synced[name]["default_member_permissions"] is None, name
        names = {o["name"] for o in synced[name].get("options") or [] if o["type"] in (1, 2)}
        assert names == subcommands, f"/{name} carries {names}"
    assert set(synced) == MODERATOR_COMMANDS | set(MEMBER_COMMANDS), sorted(synced)


async def test_member_learns_nothing_from_moderator_commands(
        emulator: Emulator, standard_guild: StandardGuild, bot_in_process: InProcessBot) -> None:
    """A member who calls a moderator command anyway (a modified client, or a server that widened the
    setting) is refused by the bot before anything is looked up: the same answer for any case number."""
    sg = standard_guild
    nosy = emulator.create_user("Nosy")
    await nosy.join(sg.guild)
    answers = set()
    for number in (1, 2, 999):
        result = await nosy.slash(sg.guild, "mod-repair export", case=number)
        assert result.ephemeral and not result.message.attachments  # type: ignore[union-attr]
        answers.add(result.text)
    assert len(answers) == 1 and "Only moderators" in answers.pop()
    for command, options in [("mod-repair cases", {}), ("mod-coi list", {}), ("mod-onboarding stats", {}),
                             ("mod-onboarding status", {"member": sg.moderator}), ("audit recent", {})]:
        result = await nosy.slash(sg.guild, command, **options)
        assert result.ephemeral and "Only moderators" in result.text, (command, result.text)
