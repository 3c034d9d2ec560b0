"""In-memory Discord world: users, guilds, roles, channels, members, messages.

Objects render themselves with ``to_dict()`` in the exact JSON shapes discord.py parses.
Rendering is per object (never whole-guild deep copies) so large guilds stay cheap.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import permissions as P
from .ids import iso

if TYPE_CHECKING:
    from .server import Emulator

JSON = dict[str, Any]

TEXT, DM, VOICE, CATEGORY, NEWS, PUBLIC_THREAD, PRIVATE_THREAD, STAGE, FORUM = 0, 1, 2, 4, 5, 11, 12, 13, 15


@dataclass(eq=False)
class User:
    """A Discord account (human or bot)."""

    id: int
    name: str
    bot: bool = False
    dms_open: bool = True
    global_name: str | None = None
    locale: str = "en-US"  # the client's language: sent as every interaction's `locale`, as Discord does

    def to_dict(self) -> JSON:
        return {
            "id": str(self.id), "username": self.name, "discriminator": "0",
            "global_name": self.global_name, "avatar": None, "bot": self.bot,
            "public_flags": 0, "flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(eq=False)
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def to_dict(self) -> JSON:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 1
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def to_dict(self) -> JSON:
        d: JSON = {
            "id": str(self.id), "name": self.name, "permissions": str(self.permissions),
            "position": self.position, "color": self.color, "colors": {"primary_color": self.color},
            "hoist": self.hoist, "mentionable": self.mentionable, "managed": self.managed,
            "icon": None, "unicode_emoji": None, "flags": 0,
        }
        if self.bot_id is not None:
            d["tags"] = {"bot_id": str(self.bot_id)}
        return d

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso)
    # Rules Screening: true from the join until they accept the server's rules (Discord's member field).
    pending: bool = False

    def to_dict(self, with_user: bool = True) -> JSON:
        d: JSON = {
            "roles": [str(r) for r in self.roles], "nick": self.nick, "joined_at": self.joined_at,
            "deaf": False, "mute": False, "flags": 0, "pending": self.pending, "avatar": None,
            "premium_since": None, "communication_disabled_until": None,
        }
        if with_user:
            d["user"] = self.user.to_dict()
        return d

    @property
    def id(self) -> int:
        return self.user.id


@dataclass(eq=False)
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    def to_dict(self, base_url: str = "http://127.0.0.1") -> JSON:
        url = f"{base_url}/attachments/{self.id}/{self.filename}"
        return {
            "id": str(self.id), "filename": self.filename, "size": len(self.data), "url": url,
            "proxy_url": url, "content_type": self.content_type, "description": self.description,
        }


MENTION_USER = re.compile(r"<@!?(\d+)>")
MENTION_ROLE = re.compile(r"<@&(\d+)>")


@dataclass(eq=False)
class Message:
    """A message as stored; ``ephemeral_for`` restricts visibility to one user."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: JSON | None = None
    attachments: list[Attachment] = field(default_factory=list)
    pinned: bool = False
    tts: bool = False
    timestamp: str = field(default_factory=iso)
    edited_timestamp: str | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JSON | None = None
    message_reference: JSON | None = None
    ephemeral_for: int | None = None
    deleted: bool = False
    type: int = 0
    history: list[JSON] = field(default_factory=list)

    # --- derived views for tests -------------------------------------------------
    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def mentioned_user_ids(self) -> list[int]:
        return [int(x) for x in MENTION_USER.findall(self.content)]

    @property
    def mentioned_role_ids(self) -> list[int]:
        return [int(x) for x in MENTION_ROLE.findall(self.content)]

    @property
    def pinged_user_ids(self) -> list[int]:
        """Users who would actually be notified, given ``allowed_mentions``."""
        am = self.allowed_mentions
        ids = self.mentioned_user_ids
        if am is None:
            return ids
        parse = am.get("parse", [])
        allowed = {int(x) for x in am.get("users", [])}
        return [i for i in ids if "users" in parse or i in allowed]

    @property
    def pinged_role_ids(self) -> list[int]:
        am = self.allowed_mentions
        ids = self.mentioned_role_ids
        if am is None:
            return ids
        parse = am.get("parse", [])
        allowed = {int(x) for x in am.get("roles", [])}
        return [i for i in ids if "roles" in parse or i in allowed]

    @property
    def pings_everyone(self) -> bool:
        if "@everyone" not in self.content and "@here" not in self.content:
            return False
        am = self.allowed_mentions
        return am is None or "everyone" in am.get("parse", [])

    @property
    def pings_anyone(self) -> bool:
        return bool(self.pinged_user_ids or self.pinged_role_ids or self.pings_everyone)

    @property
    def text(self) -> str:
        """Content plus embed titles/descriptions/fields and text displays: handy for asserts."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or ""]
            for f in e.get("fields", []):
                parts += [f.get("name", ""), f.get("value", "")]
            if e.get("footer"):
                parts.append(e["footer"].get("text", ""))
        for c in walk_components(self.components):
            if c.get("type") == 10:
                parts.append(c.get("content", ""))
        return "\n".join(p for p in parts if p)

    @property
    def buttons(self) -> list[JSON]:
        return [c for c in walk_components(self.components) if c.get("type") == 2]

    @property
    def selects(self) -> list[JSON]:
        return [c for c in walk_components(self.components) if c.get("type") in (3, 5, 6, 7, 8)]

    def button(self, label_or_id: str) -> JSON:
        """Find a button by label, custom_id or emoji name; AssertionError lists what exists."""
        for b in self.buttons:
            emoji = (b.get("emoji") or {}).get("name")
            if label_or_id in (b.get("label"), b.get("custom_id"), emoji):
                return b
        labels = [b.get("label") or b.get("custom_id") for b in self.buttons]
        raise AssertionError(f"no button {label_or_id!r} on message {self.id}; buttons: {labels}")

    def to_dict(self, base_url: str = "http://127.0.0.1", guild_member: JSON | None = None) -> JSON:
        d: JSON = {
            "id": str(self.id), "channel_id": str(self.channel_id), "type": self.type,
            "author": self.author.to_dict(), "content": self.content, "embeds": self.embeds,
            "components": self.components, "flags": self.flags, "pinned": self.pinned, "tts": self.tts,
            "timestamp": self.timestamp, "edited_timestamp": self.edited_timestamp,
            "attachments": [a.to_dict(base_url) for a in self.attachments],
            "mentions": [], "mention_roles": [str(r) for r in self.mentioned_role_ids],
            "mention_everyone": self.pings_everyone,
        }
        if self.guild_id is not None:
            d["guild_id"] = str(self.guild_id)
            if guild_member is not None:
                d["member"] = guild_member
        if self.webhook_id is not None:
            d["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            d["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            d["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            d["message_reference"] = self.message_reference
        return d


def walk_components(components: list[JSON]) -> list[JSON]:
    """Flatten action rows, sections, containers and labels into a list."""
    out: list[JSON] = []
    stack = list(reversed(components))
    while stack:
        c = stack.pop()
        out.append(c)
        children = list(c.get("components", []))
        if c.get("accessory"):
            children.append(c["accessory"])
        if c.get("component"):
            children.append(c["component"])
        stack.extend(reversed(children))
    return out


@dataclass(eq=False)
class Channel:
    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    recipients: list[User] = field(default_factory=list)
    message_map: dict[int, Message] = field(default_factory=dict)
    last_message_id: int | None = None
    # threads
    owner_id: int | None = None
    thread_members: dict[int, str] = field(default_factory=dict)  # user id → join timestamp
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    # voice
    bitrate: int = 64000
    user_limit: int = 0
    status: str | None = None  # a voice channel's status line (PUT /channels/{id}/voice-status)
    _emu: Emulator | None = field(default=None, repr=False)

    def is_thread(self) -> bool:
        return self.type in (10, PUBLIC_THREAD, PRIVATE_THREAD)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_dict(self) -> JSON:
        d: JSON = {"id": str(self.id), "type": self.type, "flags": 0}
        if self.type == DM:
            d["recipients"] = [u.to_dict() for u in self.recipients]
            d["last_message_id"] = str(self.last_message_id) if self.last_message_id else None
            return d
        d.update({
            "guild_id": str(self.guild_id), "name": self.name, "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "permission_overwrites": [o.to_dict() for o in self.overwrites.values()],
            "nsfw": self.nsfw, "rate_limit_per_user": 0,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
        })
        if self.type in (TEXT, NEWS, FORUM):
            d["topic"] = self.topic
        if self.type in (VOICE, STAGE):
            d.update({"bitrate": self.bitrate, "user_limit": self.user_limit, "rtc_region": None})
        if self.is_thread():
            d.update({
                "owner_id": str(self.owner_id), "member_count": len(self.thread_members),
                "message_count": len(self.message_map), "total_message_sent": len(self.message_map),
                "thread_metadata": {
                    "archived": self.archived, "locked": self.locked, "invitable": self.invitable,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": iso(), "create_timestamp": iso(),
                },
            })
            d.pop("permission_overwrites")
        return d

    def messages_list(self, visible_to: Any = None, include_ephemeral: bool = False) -> list[Message]:
        uid = getattr(visible_to, "id", visible_to)
        out = []
        for m in self.message_map.values():
            if m.deleted:
                continue
            if m.ephemeral_for is not None and not include_ephemeral and m.ephemeral_for != uid:
                continue
            out.append(m)
        return out

    # test-facing conveniences ---------------------------------------------------
    def messages(self, visible_to: Any = None, include_ephemeral: bool = False) -> list[Message]:
        """Messages in order, as ``visible_to`` sees them (ephemeral ones only for their recipient)."""
        return self.messages_list(visible_to, include_ephemeral)

    def all_messages(self, visible_to: Any = None, include_ephemeral: bool = False) -> list[Message]:
        """Messages in order; ephemeral ones only if ``visible_to`` is their recipient."""
        return self.messages_list(visible_to, include_ephemeral)

    def last_message(self, visible_to: Any = None) -> Message | None:
        msgs = self.messages_list(visible_to)
        return msgs[-1] if msgs else None


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    voice_states: dict[int, int] = field(default_factory=dict)  # user id → channel id
    bot_ids: set[int] = field(default_factory=set)
    created_at: float = field(default_factory=time.time)
    _emu: Emulator | None = field(default=None, repr=False)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def role(self, name: str) -> Role:
        for r in self.roles.values():
            if r.name == name:
                return r
        raise AssertionError(f"no role {name!r} in guild {self.name}; roles: {[r.name for r in self.roles.values()]}")

    def has_role_named(self, name: str) -> bool:
        return any(r.name == name for r in self.roles.values())

    def channel(self, name: str) -> Channel:
        for c in self.channels.values():
            if c.name == name:
                return c
        names = [c.name for c in self.channels.values()]
        raise AssertionError(f"no channel {name!r} in guild {self.name}; channels: {names}")

    def find_channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def member(self, user: Any) -> Member:
        uid = getattr(user, "id", user)
        try:
            return self.members[uid]
        except KeyError:
            raise AssertionError(f"user {uid} is not a member of {self.name}") from None

    def member_role_names(self, user: Any) -> list[str]:
        return [self.roles[r].name for r in self.member(user).roles if r in self.roles]

    def threads(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.is_thread()]

    def sorted_roles(self) -> list[Role]:
        return sorted(self.roles.values(), key=lambda r: (r.position, r.id))

    def top_position(self) -> int:
        return max(r.position for r in self.roles.values())

    def permissions_for(self, user: Any, channel: Channel | None = None) -> int:
        uid = getattr(user, "id", user)
        if channel is None:
            return P.base_permissions(self, uid)
        return P.channel_permissions(self, channel, uid)

    def can_view(self, user: Any, channel: Channel) -> bool:
        return bool(self.permissions_for(user, channel) & P.VIEW_CHANNEL)

    def to_base_dict(self) -> JSON:
        return {
            "id": str(self.id), "name": self.name, "owner_id": str(self.owner_id), "icon": None,
            "splash": None, "discovery_splash": None, "banner": None, "description": None,
            "features": [], "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "premium_subscription_count": 0, "preferred_locale": "en-US", "afk_timeout": 300,
            "afk_channel_id": None, "system_channel_id": None, "system_channel_flags": 0,
            "rules_channel_id": None, "public_updates_channel_id": None, "vanity_url_code": None,
            "application_id": None, "max_members": 500000, "max_video_channel_users": 25,
            "roles": [r.to_dict() for r in self.roles.values()], "emojis": [], "stickers": [],
        }

    # scripted construction (dispatches to connected bots) -----------------------
    def _require_emu(self) -> Emulator:
        assert self._emu is not None, "guild is not attached to an emulator"
        return self._emu

    def create_text_channel(self, name: str, *, category: Channel | None = None, topic: str | None = None,
                            overwrites: dict[Any, tuple[int, int]] | None = None) -> Channel:
        return self._require_emu().world.create_channel(self, name, TEXT, category, topic=topic, overwrites=overwrites)

    def create_voice_channel(self, name: str, *, category: Channel | None = None,
                             overwrites: dict[Any, tuple[int, int]] | None = None) -> Channel:
        return self._require_emu().world.create_channel(self, name, VOICE, category, overwrites=overwrites)

    def create_stage_channel(self, name: str, *, category: Channel | None = None) -> Channel:
        return self._require_emu().world.create_channel(self, name, STAGE, category)

    def create_category(self, name: str, *, overwrites: dict[Any, tuple[int, int]] | None = None) -> Channel:
        return self._require_emu().world.create_channel(self, name, CATEGORY, None, overwrites=overwrites)

    def create_role(self, name: str, *, permissions: int = 0, position: int | None = None,
                    above: Role | None = None, color: int = 0, hoist: bool = False,
                    mentionable: bool = False) -> Role:
        if above is not None:
            position = above.position + 1
        return self._require_emu().world.create_role(self, name, permissions=permissions, position=position,
                                                     color=color, hoist=hoist, mentionable=mentionable)

    def set_overwrite(self, channel: Channel, target: Any, *, allow: int = 0, deny: int = 0) -> None:
        self._require_emu().world.set_overwrite(channel, target, allow, deny)

    def delete_channel(self, channel: Channel) -> None:
        self._require_emu().world.delete_channel(channel)

    async def add_role(self, user: Any, role: Role) -> None:
        self._require_emu().world.update_member_roles(self, getattr(user, "id", user), add=[role.id])

    async def remove_role(self, user: Any, role: Role) -> None:
        self._require_emu().world.update_member_roles(self, getattr(user, "id", user), remove=[role.id])
