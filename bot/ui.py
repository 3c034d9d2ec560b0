"""Base View and Modal whose errors go to the central handler (not the tree's).

Also the mention policy: anything that may contain user text is sent with
`NO_MENTIONS`, so nobody can be pinged through the bot.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.errors import report_interaction_error

NO_MENTIONS = discord.AllowedMentions.none()
# Moderator commands are top-level commands of their own, shown only to people with Manage Server
# (a server can widen or narrow this in Server Settings → Integrations). Discord's setting only
# hides them: the bot still checks every moderator action itself (CoalitionBot.require_moderator).
MODERATOR_COMMANDS = discord.Permissions(manage_guild=True)
# Mention exactly one person (e.g. the newcomer a welcome-channel message is for).
def only_user(user: discord.abc.Snowflake) -> discord.AllowedMentions:
    return discord.AllowedMentions(everyone=False, roles=False, users=[user], replied_user=False)


class BaseView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_interaction_error(interaction, error, f"view {type(self).__name__}")


class BaseModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_interaction_error(interaction, error, f"modal {type(self).__name__}")


def progress_bar(step: int, total: int, width: int = 12) -> str:
    """A text progress bar, e.g. '▓▓▓▓░░░░░░░░ 4/12'. `step` is 1-based."""
    filled = round(width * step / total) if total else width
    return "▓" * filled + "░" * (width - filled)
