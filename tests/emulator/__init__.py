"""Loopback Discord API emulator (REST v10 + gateway) for testing the bot end to end."""

from . import permissions
from .permissions import DEFAULT_BOT_PERMS
from .server import Emulator, point_discord_py_at
from .state import Channel, Guild, Message, Role, User
from .users import InteractionResult, ModalHandle, ScriptedUser
from .world import BotApp

EmulatedBot = BotApp  # alias: avoids confusion with bot.app.BotApp

__all__ = [
    "DEFAULT_BOT_PERMS",
    "BotApp",
    "Channel",
    "Emulator",
    "Guild",
    "InteractionResult",
    "Message",
    "ModalHandle",
    "Role",
    "ScriptedUser",
    "User",
    "permissions",
    "point_discord_py_at",
]
