"""Base View and Modal whose errors go to the central handler (not the tree's).

Also the mention policy: anything that may contain user text is sent with
`NO_MENTIONS`, so nobody can be pinged through the bot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord

from bot.errors import report_interaction_error

NO_MENTIONS = discord.AllowedMentions.none()
# Moderator commands are top-level commands of their own, shown only to people with Manage Server
# (a server can widen or narrow this in Server Settings → Integrations). Discord's setting only
# hides them: the bot still checks every moderator action itself (CoalitionBot.require_moderator).
MODERATOR_COMMANDS = discord.Permissions(manage_guild=True)


class BaseView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_interaction_error(interaction, error, f"view {type(self).__name__}")


class BaseModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_interaction_error(interaction, error, f"modal {type(self).__name__}")


def detached(modal: discord.ui.Modal) -> discord.ui.Modal:
    """A modal discord.py does not track: a cog's `on_interaction` handles its submission by custom_id.

    Being replaced: new code uses `bot.interactions.personal_modal` + `bot.modals.register(spec, handler)`
    (one router, the one error mapping); repair still uses this until it moves over.

    discord.py keeps open modals in memory by custom_id alone, so two people with the same modal
    open overwrite each other (the second submission is dropped), and a restart forgets them all.
    """
    modal.stop()
    return modal


def modal_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """custom_id → value (text) or values (selects) from a MODAL_SUBMIT payload."""
    out: dict[str, Any] = {}
    stack = list(data.get("components", []))
    while stack:
        comp = stack.pop()
        if comp.get("component"):
            stack.append(comp["component"])
        stack.extend(comp.get("components", []))
        cid = comp.get("custom_id")
        if cid is None:
            continue
        if "value" in comp:
            out[cid] = comp.get("value") or ""
        elif "values" in comp:
            out[cid] = list(comp.get("values") or [])
    return out


class ModalSelect(discord.ui.Select[Any]):
    """A select for a modal's label. Discord refuses any `disabled` key inside a modal ("Modals do
    not support disabled components"), and discord.py 2.7 always sends `disabled: false`, so it is
    left out here. Required (the default) needs min_values >= 1, which discord.py's default is."""

    def to_component_dict(self) -> Any:  # discord.types.components.SelectMenu without "disabled"
        data = dict(super().to_component_dict())
        data.pop("disabled", None)
        return data
