"""Mutations of the in-memory world; every change dispatches the gateway event Discord would."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import permissions as P
from .ids import SnowflakeFactory, iso, shard_of
from .state import CATEGORY, DM, JSON, Channel, Guild, Member, Message, Overwrite, Role, User

if TYPE_CHECKING:
    from .gateway import GatewayHub


@dataclass(eq=False)
class BotApp:
    """A bot application: one token, one bot user, its registered commands."""

    user: User
    token: str
    permissions: int = P.DEFAULT_BOT_PERMS
    privileged_intents: bool = True
    global_commands: list[JSON] = field(default_factory=list)
    guild_commands: dict[int, list[JSON]] = field(default_factory=dict)
    command_syncs: list[tuple[float, int | None]] = field(default_factory=list)  # (time, guild id | None)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def mention(self) -> str:
        return self.user.mention

    def role(self, guild: Guild) -> Role:
        """The managed role Discord creates for the bot in ``guild``."""
        for r in guild.roles.values():
            if r.bot_id == self.id:
                return r
        raise AssertionError(f"bot {self.name} has no managed role in {guild.name}")

    def commands_for(self, guild: Guild | None) -> list[JSON]:
        if guild is None:
            return list(self.global_commands)
        return list(self.guild_commands.get(guild.id, [])) + list(self.global_commands)


class World:
    """Owns all state. Test code and REST handlers both mutate it through these methods."""

    def __init__(self, hub: GatewayHub) -> None:
        self.ids = SnowflakeFactory()
        self.hub = hub
        self.users: dict[int, User] = {}
        self.bots: dict[int, BotApp] = {}
        self.bots_by_token: dict[str, BotApp] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.dm_channels: dict[frozenset[int], Channel] = {}
        self.emu: Any = None

    # users & bots ---------------------------------------------------------------
    def create_user(self, name: str, *, bot: bool = False, dms_open: bool = True, id: int | None = None,
                    locale: str = "en-US") -> User:
        user = User(id=id or self.ids.next(), name=name, bot=bot, dms_open=dms_open, locale=locale)
        self.users[user.id] = user
        return user

    def create_bot(self, token: str, name: str, permissions: int, privileged_intents: bool = True) -> BotApp:
        user = self.create_user(name, bot=True)
        app = BotApp(user=user, token=token, permissions=permissions, privileged_intents=privileged_intents)
        self.bots[user.id] = app
        self.bots_by_token[token] = app
        return app

    # guilds -----------------------------------------------------------------------
    def create_guild(self, name: str, owner: User, *, id: int | None = None, general: bool = True) -> Guild:
        gid = id or self.ids.next()
        guild = Guild(id=gid, name=name, owner_id=owner.id, _emu=self.emu)
        guild.roles[gid] = Role(id=gid, guild_id=gid, name="@everyone", permissions=P.DEFAULT_EVERYONE, position=0)
        self.guilds[gid] = guild
        guild.members[owner.id] = Member(user=owner, guild_id=gid)
        if general:
            self.create_channel(guild, "general", 0, None)
        return guild

    def add_member(self, guild: Guild, user: User, roles: list[int] | None = None, dispatch: bool = True,
                   pending: bool = False) -> Member:
        """`pending`: the server has Rules Screening on and they have not accepted the rules yet."""
        member = Member(user=user, guild_id=guild.id, roles=list(roles or []), pending=pending)
        guild.members[user.id] = member
        if dispatch:
            self.hub.dispatch_guild(guild, "GUILD_MEMBER_ADD", {**member.to_dict(), "guild_id": str(guild.id)})
        return member

    def bulk_add_members(self, guild: Guild, count: int, prefix: str = "member") -> list[User]:
        """Populate a large guild quickly (no dispatches): for start-up benchmarks."""
        out = []
        for i in range(count):
            user = User(id=self.ids.next(), name=f"{prefix}{i}")
            self.users[user.id] = user
            guild.members[user.id] = Member(user=user, guild_id=guild.id)
            out.append(user)
        return out

    def remove_member(self, guild: Guild, user_id: int) -> None:
        member = guild.members.pop(user_id, None)
        if member is None:
            return
        if user_id in guild.voice_states:
            self.set_voice(guild, user_id, None)
        data = {"guild_id": str(guild.id), "user": member.user.to_dict()}
        self.hub.dispatch_guild(guild, "GUILD_MEMBER_REMOVE", data)

    def add_bot_to_guild(self, bot: BotApp, guild: Guild, permissions: int | None = None) -> Member:
        """Install the bot: managed role placed at the top, then GUILD_CREATE to its sessions."""
        top = guild.top_position()
        role = Role(id=self.ids.next(), guild_id=guild.id, name=bot.name, managed=True, bot_id=bot.id,
                    permissions=bot.permissions if permissions is None else permissions, position=top + 1)
        guild.roles[role.id] = role
        self.hub.dispatch_guild(guild, "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.to_dict()})
        member = self.add_member(guild, bot.user, [role.id])
        guild.bot_ids.add(bot.id)
        self.hub.guild_joined(bot, guild)
        return member

    def member_dict(self, guild: Guild, user_id: int, with_permissions_in: Channel | None = None) -> JSON:
        d = guild.members[user_id].to_dict()
        if with_permissions_in is not None:
            d["permissions"] = str(P.channel_permissions(guild, with_permissions_in, user_id))
        return d

    def update_member_roles(self, guild: Guild, user_id: int, add: list[int] = (), remove: list[int] = ()) -> Member:  # type: ignore[assignment]
        member = guild.member(user_id)
        roles = [r for r in member.roles if r not in set(remove)]
        roles += [r for r in add if r not in roles]
        member.roles = roles
        self._member_updated(guild, member)
        return member

    def pass_screening(self, guild: Guild, user_id: int) -> Member:
        """They accepted the rules: Discord sends GUILD_MEMBER_UPDATE with pending false."""
        member = guild.member(user_id)
        member.pending = False
        self._member_updated(guild, member)
        return member

    def _member_updated(self, guild: Guild, member: Member) -> None:
        self.hub.dispatch_guild(guild, "GUILD_MEMBER_UPDATE", {**member.to_dict(), "guild_id": str(guild.id)})

    # roles ------------------------------------------------------------------------
    def create_role(self, guild: Guild, name: str, *, permissions: int = 0, position: int | None = None,
                    color: int = 0, hoist: bool = False, mentionable: bool = False) -> Role:
        pos = 1 if position is None else max(1, position)
        for r in guild.roles.values():
            if r.id != guild.id and r.position >= pos:
                r.position += 1
        role = Role(id=self.ids.next(), guild_id=guild.id, name=name, permissions=permissions, position=pos,
                    color=color, hoist=hoist, mentionable=mentionable)
        guild.roles[role.id] = role
        self.hub.dispatch_guild(guild, "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.to_dict()})
        return role

    def role_updated(self, guild: Guild, role: Role) -> None:
        self.hub.dispatch_guild(guild, "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.to_dict()})

    def delete_role(self, guild: Guild, role: Role) -> None:
        guild.roles.pop(role.id, None)
        for m in guild.members.values():
            if role.id in m.roles:
                m.roles.remove(role.id)
        self.hub.dispatch_guild(guild, "GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)})

    # channels ---------------------------------------------------------------------
    def create_channel(self, guild: Guild, name: str, type: int, category: Channel | None, *,
                       topic: str | None = None, overwrites: dict[Any, tuple[int, int]] | None = None,
                       position: int | None = None) -> Channel:
        ch = Channel(id=self.ids.next(), type=type, name=name, guild_id=guild.id, topic=topic,
                     parent_id=category.id if category else None, _emu=self.emu,
                     position=len(guild.channels) if position is None else position)
        for target, (allow, deny) in (overwrites or {}).items():
            tid = getattr(target, "id", target)
            ch.overwrites[tid] = Overwrite(tid, 0 if tid in guild.roles else 1, allow, deny)
        guild.channels[ch.id] = ch
        self.channels[ch.id] = ch
        self.hub.dispatch_guild(guild, "CHANNEL_CREATE", ch.to_dict())
        return ch

    def channel_updated(self, ch: Channel) -> None:
        guild = self.guilds[ch.guild_id] if ch.guild_id else None
        if guild is not None:
            event = "THREAD_UPDATE" if ch.is_thread() else "CHANNEL_UPDATE"
            self.hub.dispatch_guild(guild, event, ch.to_dict())

    def set_overwrite(self, ch: Channel, target: Any, allow: int, deny: int, type: int | None = None) -> None:
        guild = self.guilds[ch.guild_id]  # type: ignore[index]
        tid = getattr(target, "id", target)
        otype = type if type is not None else (0 if tid in guild.roles else 1)
        ch.overwrites[tid] = Overwrite(tid, otype, allow, deny)
        self.channel_updated(ch)

    def delete_overwrite(self, ch: Channel, target_id: int) -> None:
        ch.overwrites.pop(target_id, None)
        self.channel_updated(ch)

    def delete_channel(self, ch: Channel) -> None:
        guild = self.guilds.get(ch.guild_id or 0)
        self.channels.pop(ch.id, None)
        if guild is not None:
            guild.channels.pop(ch.id, None)
            event = "THREAD_DELETE" if ch.is_thread() else "CHANNEL_DELETE"
            data = ch.to_dict() if not ch.is_thread() else {
                "id": str(ch.id), "guild_id": str(guild.id), "parent_id": str(ch.parent_id), "type": ch.type}
            self.hub.dispatch_guild(guild, event, data)
            for uid, cid in list(guild.voice_states.items()):
                if cid == ch.id:
                    self.set_voice(guild, uid, None)

    def open_dm(self, a: User, b: User) -> Channel:
        key = frozenset((a.id, b.id))
        ch = self.dm_channels.get(key)
        if ch is None:
            ch = Channel(id=self.ids.next(), type=DM, recipients=[a, b], _emu=self.emu)
            self.dm_channels[key] = ch
            self.channels[ch.id] = ch
        return ch

    def create_thread(self, parent: Channel, name: str, owner: User, *, private: bool, invitable: bool = True,
                      auto_archive_duration: int = 1440, from_message: Message | None = None) -> Channel:
        guild = self.guilds[parent.guild_id]  # type: ignore[index]
        tid = from_message.id if from_message is not None else self.ids.next()
        th = Channel(id=tid, type=12 if private else 11, name=name, guild_id=guild.id, parent_id=parent.id,
                     owner_id=owner.id, invitable=invitable, auto_archive_duration=auto_archive_duration,
                     _emu=self.emu)
        th.thread_members[owner.id] = iso()
        guild.channels[th.id] = th
        self.channels[th.id] = th
        self.hub.dispatch_guild(guild, "THREAD_CREATE", {**th.to_dict(), "newly_created": True}, channel=th)
        return th

    def thread_member_change(self, th: Channel, user_id: int, add: bool) -> None:
        guild = self.guilds[th.guild_id]  # type: ignore[index]
        data: JSON = {"id": str(th.id), "guild_id": str(guild.id)}
        if add:
            if user_id in th.thread_members:
                return
            th.thread_members[user_id] = ts = iso()
            tm: JSON = {"id": str(th.id), "user_id": str(user_id), "join_timestamp": ts, "flags": 0}
            if user_id in guild.members:
                tm["member"] = guild.members[user_id].to_dict()
            data["added_members"] = [tm]
        else:
            if th.thread_members.pop(user_id, None) is None:
                return
            data["removed_member_ids"] = [str(user_id)]
        data["member_count"] = len(th.thread_members)
        self.hub.dispatch_guild(guild, "THREAD_MEMBERS_UPDATE", data)

    # voice ------------------------------------------------------------------------
    def set_voice(self, guild: Guild, user_id: int, channel_id: int | None) -> None:
        if channel_id is None:
            guild.voice_states.pop(user_id, None)
        else:
            guild.voice_states[user_id] = channel_id
        self.hub.dispatch_guild(guild, "VOICE_STATE_UPDATE", self.voice_state_dict(guild, user_id, channel_id))

    def voice_state_dict(self, guild: Guild, user_id: int, channel_id: int | None) -> JSON:
        d: JSON = {
            "guild_id": str(guild.id), "channel_id": str(channel_id) if channel_id else None,
            "user_id": str(user_id), "session_id": f"voice-{user_id}", "deaf": False, "mute": False,
            "self_deaf": False, "self_mute": False, "self_video": False, "suppress": False,
            "request_to_speak_timestamp": None,
        }
        if user_id in guild.members:
            d["member"] = guild.members[user_id].to_dict()
        return d

    def voice_members(self, channel: Channel) -> list[int]:
        guild = self.guilds[channel.guild_id]  # type: ignore[index]
        return [uid for uid, cid in guild.voice_states.items() if cid == channel.id]

    # messages ---------------------------------------------------------------------
    def create_message(self, channel: Channel, author: User, *, dispatch: bool = True, **fields: Any) -> Message:
        msg = Message(id=self.ids.next(), channel_id=channel.id, guild_id=channel.guild_id, author=author, **fields)
        channel.message_map[msg.id] = msg
        self.messages[msg.id] = msg
        if msg.ephemeral_for is None:
            channel.last_message_id = msg.id
        if dispatch and msg.ephemeral_for is None:
            self.dispatch_message("MESSAGE_CREATE", channel, msg)
        return msg

    def edit_message(self, msg: Message, fields: JSON, dispatch: bool = True) -> Message:
        msg.history.append({"content": msg.content, "embeds": msg.embeds, "components": msg.components})
        for key in ("content", "embeds", "components", "flags", "allowed_mentions", "attachments"):
            if key in fields:
                setattr(msg, key, fields[key])
        msg.edited_timestamp = iso()
        if dispatch and msg.ephemeral_for is None:
            self.dispatch_message("MESSAGE_UPDATE", self.channels[msg.channel_id], msg)
        return msg

    def delete_message(self, msg: Message) -> None:
        msg.deleted = True
        ch = self.channels.get(msg.channel_id)
        if ch is not None:
            ch.message_map.pop(msg.id, None)
        self.messages.pop(msg.id, None)
        if ch is not None and msg.ephemeral_for is None:
            data: JSON = {"id": str(msg.id), "channel_id": str(ch.id)}
            if ch.guild_id:
                data["guild_id"] = str(ch.guild_id)
            self._dispatch_channel_event("MESSAGE_DELETE", ch, data, data)

    def message_dict(self, msg: Message) -> JSON:
        member = None
        if msg.guild_id is not None:
            guild = self.guilds.get(msg.guild_id)
            m = guild.members.get(msg.author.id) if guild else None
            member = m.to_dict(with_user=False) if m else None
        return msg.to_dict(self.emu.base_http_url if self.emu else "http://127.0.0.1", member)

    def dispatch_message(self, event: str, channel: Channel, msg: Message) -> None:
        full = self.message_dict(msg)
        stripped = {**full, "content": "", "embeds": [], "attachments": [], "components": []}
        self._dispatch_channel_event(event, channel, full, stripped, msg)

    def _dispatch_channel_event(self, event: str, channel: Channel, full: JSON, stripped: JSON,
                                msg: Message | None = None) -> None:
        if channel.type == DM:
            for u in channel.recipients:
                if u.id in self.bots:
                    self.hub.dispatch_dm(self.bots[u.id], event, full)
            return
        guild = self.guilds[channel.guild_id]  # type: ignore[index]

        def variant(bot_id: int, has_content_intent: bool) -> JSON:
            if has_content_intent or msg is None or msg.author.id == bot_id or bot_id in msg.mentioned_user_ids:
                return full
            return stripped

        self.hub.dispatch_guild(guild, event, full, channel=channel, variant=variant)

    def now(self) -> float:
        return time.monotonic()


def guild_for_shard(world: World, bot: BotApp, shard: tuple[int, int] | None) -> list[Guild]:
    """Guilds a (bot, shard) session should receive."""
    out = []
    for g in world.guilds.values():
        if bot.id in g.bot_ids and (shard is None or shard_of(g.id, shard[1]) == shard[0]):
            out.append(g)
    return out


__all__ = ["CATEGORY", "BotApp", "World"]
