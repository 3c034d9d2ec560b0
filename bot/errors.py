"""Errors meant for people, and the one place that turns any failure into a reply.

Logic and repositories raise `UserFacingError` subclasses with a kind message; the
tree's `on_error` and every view's/modal's `on_error` call `report_interaction_error`,
so nothing fails silently and no traceback reaches a person.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from db.session import is_busy

log = logging.getLogger(__name__)

GENERIC_FAILURE = (
    "Sorry, something went wrong on my side and I couldn't finish that. Nothing you entered "
    "was lost. Please try again in a minute; if it keeps happening, let a moderator know."
)


class UserFacingError(Exception):
    """An expected problem; `str(self)` is shown to the person as is."""


class NotAllowed(UserFacingError):
    """The person may not do this (e.g. a moderator-only action)."""


class NotFound(UserFacingError):
    """The thing asked for does not exist (any more)."""


class BadInput(UserFacingError):
    """The input cannot be used; the message says how to fix it."""


class Conflict(UserFacingError):
    """The action clashes with the current state (e.g. closing a closed case)."""


class BotMissingPermission(UserFacingError):
    """The bot lacks a Discord permission or role position to do this."""


DATABASE_BUSY = (
    "I'm busy for a moment: another program is using my database, so I couldn't save that. "
    "Nothing was changed. Please try again in a moment."
)

MODERATORS_ONLY = "Only moderators can use this. If you think you should have access, please ask a moderator."


def describe_error(error: BaseException) -> tuple[str, bool]:
    """Return (message for the person, whether this is unexpected and must be logged)."""
    original = getattr(error, "original", None) or getattr(error, "__cause__", None) or error
    if isinstance(error, app_commands.CommandInvokeError) and error.original is not None:
        original = error.original
    if isinstance(original, UserFacingError):
        return str(original), False
    if is_busy(original) or is_busy(error):
        log.warning("database busy (another process holds its write lock): %s", type(original).__name__)
        return DATABASE_BUSY, False
    if isinstance(error, (app_commands.MissingRole, app_commands.MissingAnyRole, app_commands.MissingPermissions)):
        return MODERATORS_ONLY, False
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works inside the server, not in a direct message.", False
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Please wait {error.retry_after:.0f} seconds before trying that again.", False
    if isinstance(error, app_commands.CheckFailure):
        return MODERATORS_ONLY, False
    if isinstance(original, discord.Forbidden):
        return (
            "I don't have the Discord permission I need to do that here. A moderator can check my "
            "role's permissions and that my role is above the roles I manage.",
            True,
        )
    return GENERIC_FAILURE, True


async def send_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Reply privately whether or not the interaction was already answered."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
        else:
            await interaction.response.send_message(
                message, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


# A slash command's `extras` that make the tree's error mapping log it redacted (repair: who ran
# /repair request, and when, must not reach the log).
REDACT: dict[str, bool] = {"redact": True}


async def report_interaction_error(interaction: discord.Interaction, error: BaseException, where: str, *,
                                   redact: bool = False) -> None:
    """The one error mapping: a kind private reply, and a log line only when the failure is unexpected.

    `redact=True` (repair: anonymity) keeps the custom_id, the guild and the person out of the log:
    a custom_id can carry a case or the people kept away from it, and the log is read by operators.
    """
    message, unexpected = describe_error(error)
    if unexpected:
        if redact:
            log.error("error in %s (details withheld: redacted feature)", where, exc_info=error)
        else:
            command = interaction.command.qualified_name if interaction.command else None
            custom_id = (interaction.data or {}).get("custom_id") if interaction.data else None
            log.error(
                "error in %s (guild=%s user=%s command=%s custom_id=%s)",
                where,
                interaction.guild_id,
                interaction.user.id if interaction.user else None,
                command,
                custom_id,
                exc_info=error,
            )
    await send_ephemeral(interaction, message)
