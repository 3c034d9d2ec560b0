"""Scripted users: the API tests use to act like people (and other bots) in Discord."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import interactions as I
from .commands import build_options, find_command, id_of, leaf_and_wrap
from .state import DM, JSON, Channel, Guild, Member, Message, User

if TYPE_CHECKING:
    from .server import Emulator
    from .world import BotApp


class ModalHandle:
    """A modal the bot opened; ``submit`` answers it like the user filling it in."""

    def __init__(self, emu: Emulator, rec: I.InteractionRecord, data: JSON) -> None:
        self.emu, self.record, self.data = emu, rec, data

    @property
    def title(self) -> str:
        return str(self.data.get("title", ""))

    @property
    def custom_id(self) -> str:
        return str(self.data["custom_id"])

    @property
    def fields(self) -> list[JSON]:
        from .state import walk_components
        return [c for c in walk_components(self.data.get("components", [])) if c.get("type") in (4, 3, 5, 6, 8)]

    @property
    def labels(self) -> list[str]:
        out = []
        for c in self.data.get("components", []):
            if c.get("type") == 18:
                out.append(c.get("label", ""))
            for k in c.get("components", []):
                if k.get("label"):
                    out.append(k["label"])
        return out

    async def submit(self, values: dict[str, Any], *, timeout: float | None = None,  # noqa: ASYNC109
                     expect_response: bool = True) -> InteractionResult:
        rec = self.record
        data = {"custom_id": self.custom_id, "components": I.modal_submit_components(self.data, values)}
        new = self.emu.interactions.dispatch(rec.bot, rec.user, rec.guild, rec.channel, I.MODAL_SUBMIT, data,
                                             source=rec.source)
        return await InteractionResult.wait(self.emu, new, timeout, expect_response)


class InteractionResult:
    """What the bot did with one interaction: callback type, message(s), modal, choices."""

    def __init__(self, emu: Emulator, rec: I.InteractionRecord) -> None:
        self.emu, self.record = emu, rec

    @classmethod
    async def wait(cls, emu: Emulator, rec: I.InteractionRecord, timeout: float | None,  # noqa: ASYNC109
                   expect_response: bool) -> InteractionResult:
        if expect_response:
            what = f"bot to answer interaction {rec.id} ({rec.data.get('name') or rec.data.get('custom_id')})"
            await emu.wait_for(lambda: rec.callback_type is not None, timeout=timeout or emu.default_timeout,
                               description=what)
        return cls(emu, rec)

    @property
    def type(self) -> int | None:
        return self.record.callback_type

    @property
    def deferred(self) -> bool:
        return self.type in (5, 6)

    @property
    def message(self) -> Message | None:
        """The response message (type 4/5), or the updated source message (type 6/7)."""
        return self.record.original

    @property
    def ephemeral(self) -> bool:
        msg = self.record.original
        return bool(msg and msg.ephemeral and msg is not self.record.source) or bool(
            self.record.callback_data and int(self.record.callback_data.get("flags") or 0) & 64)

    @property
    def modal(self) -> ModalHandle | None:
        if self.type != 9 or self.record.callback_data is None:
            return None
        return ModalHandle(self.emu, self.record, self.record.callback_data)

    @property
    def choices(self) -> list[JSON]:
        return list((self.record.callback_data or {}).get("choices", [])) if self.type == 8 else []

    @property
    def followups(self) -> list[Message]:
        return list(self.record.followups)

    @property
    def messages(self) -> list[Message]:
        out = [self.record.original] if self.record.original is not None else []
        return out + [m for m in self.record.followups if m not in out]

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)

    async def wait_message(self, predicate: Callable[[Message], bool] | None = None,
                           timeout: float | None = None) -> Message:  # noqa: ASYNC109
        """Wait for a finished (non-loading) response or follow-up that matches ``predicate``."""
        def find() -> Message | None:
            for m in reversed(self.messages):
                if not m.flags & I.LOADING and not m.deleted and (predicate is None or predicate(m)):
                    return m
            return None
        await self.emu.wait_for(lambda: find() is not None, timeout=timeout,
                                description=f"a response message for interaction {self.record.id}")
        msg = find()
        assert msg is not None
        return msg

    def __repr__(self) -> str:
        return f"<InteractionResult type={self.type} message={self.message and self.message.text!r}>"


class ScriptedUser:
    """A person (or a non-emulated bot) acting in the emulated Discord."""

    def __init__(self, emu: Emulator, user: User) -> None:
        self.emu, self.user = emu, user

    id = property(lambda self: self.user.id)
    name = property(lambda self: self.user.name)
    mention = property(lambda self: self.user.mention)

    @property
    def dms_open(self) -> bool:
        return self.user.dms_open

    @dms_open.setter
    def dms_open(self, value: bool) -> None:
        self.user.dms_open = value

    def __repr__(self) -> str:
        return f"<ScriptedUser {self.name} {self.id}>"

    # membership -------------------------------------------------------------------
    async def join(self, guild: Guild, roles: list[Any] = (), *, pending: bool = False) -> Member:  # type: ignore[assignment]
        """`pending=True`: the server has Rules Screening on; `pass_screening` is their acceptance."""
        return self.emu.world.add_member(guild, self.user, [id_of(r) for r in roles], pending=pending)

    async def pass_screening(self, guild: Guild) -> None:
        self.emu.world.pass_screening(guild, self.id)

    async def leave(self, guild: Guild) -> None:
        self.emu.world.remove_member(guild, self.id)

    def roles(self, guild: Guild) -> list[str]:
        return guild.member_role_names(self)

    def has_role(self, guild: Guild, name: str) -> bool:
        return self.id in guild.members and name in guild.member_role_names(self)

    def can_view(self, channel: Channel) -> bool:
        guild = self.emu.world.guilds[channel.guild_id]  # type: ignore[index]
        return self.id in guild.members and guild.can_view(self.id, channel)

    # messages ---------------------------------------------------------------------
    def dm_channel(self, bot: BotApp | None = None) -> Channel | None:
        bots = [bot] if bot else list(self.emu.world.bots.values())
        for b in bots:
            ch = self.emu.world.dm_channels.get(frozenset((self.id, b.id)))
            if ch is not None:
                return ch
        return None

    def dm_messages(self, bot: BotApp | None = None) -> list[Message]:
        bots = [bot] if bot else list(self.emu.world.bots.values())
        out: list[Message] = []
        for b in bots:
            ch = self.emu.world.dm_channels.get(frozenset((self.id, b.id)))
            if ch is not None:
                out += ch.messages_list(visible_to=self.id)
        return sorted(out, key=lambda m: m.id)

    def last_dm(self, bot: BotApp | None = None) -> Message | None:
        msgs = [m for m in self.dm_messages(bot) if m.author.id != self.id]
        return msgs[-1] if msgs else None

    async def wait_dm(self, predicate: Callable[[Message], bool] | None = None, *, bot: BotApp | None = None,
                      after: Message | None = None, timeout: float | None = None) -> Message:  # noqa: ASYNC109
        def find() -> Message | None:
            for m in reversed(self.dm_messages(bot)):
                if m.author.id != self.id and (after is None or m.id > after.id) and (
                        predicate is None or predicate(m)):
                    return m
            return None
        await self.emu.wait_for(lambda: find() is not None, timeout=timeout, description=f"a DM to {self.name}")
        msg = find()
        assert msg is not None
        return msg

    async def send(self, channel: Channel, content: str, **fields: Any) -> Message:
        return self.emu.world.create_message(channel, self.user, content=content, **fields)

    async def send_dm(self, bot: BotApp, content: str, **fields: Any) -> Message:
        ch = self.emu.world.open_dm(self.user, bot.user)
        return self.emu.world.create_message(ch, self.user, content=content, **fields)

    # components ---------------------------------------------------------------------
    def _component_context(self, msg: Message) -> tuple[BotApp, Guild | None, Channel]:
        if msg.ephemeral_for is not None and msg.ephemeral_for != self.id:
            raise AssertionError(f"message {msg.id} is ephemeral for someone else")
        bot = self.emu.world.bots.get(msg.application_id or msg.author.id)
        if bot is None:
            raise AssertionError(f"message {msg.id} was not sent by an emulated bot")
        channel = self.emu.world.channels[msg.channel_id]
        guild = self.emu.world.guilds.get(msg.guild_id) if msg.guild_id else None
        return bot, guild, channel

    async def click(self, msg: Message, label_or_id: str, *, timeout: float | None = None,  # noqa: ASYNC109
                    expect_response: bool = True) -> InteractionResult:
        button = msg.button(label_or_id)
        if button.get("disabled"):
            raise AssertionError(f"button {label_or_id!r} is disabled")
        if button.get("style") == 5 or "custom_id" not in button:
            raise AssertionError(f"button {label_or_id!r} is a link/premium button: no interaction")
        bot, guild, channel = self._component_context(msg)
        data = {"custom_id": button["custom_id"], "component_type": 2}
        rec = self.emu.interactions.dispatch(bot, self.user, guild, channel, I.COMPONENT, data, source=msg)
        return await InteractionResult.wait(self.emu, rec, timeout, expect_response)

    async def select(self, msg: Message, values: list[Any], *, custom_id: str | None = None,
                     placeholder: str | None = None, timeout: float | None = None,  # noqa: ASYNC109
                     expect_response: bool = True) -> InteractionResult:
        selects = msg.selects
        if custom_id is not None or placeholder is not None:
            selects = [s for s in selects if custom_id in (None, s.get("custom_id"))
                       and placeholder in (None, s.get("placeholder"))]
        if len(selects) != 1:
            raise AssertionError(f"expected one matching select on message {msg.id}, found "
                                 f"{[s.get('custom_id') for s in selects]}")
        sel = selects[0]
        bot, guild, channel = self._component_context(msg)
        ctype = sel["type"]
        data: JSON = {"custom_id": sel["custom_id"], "component_type": ctype}
        resolved: JSON = {}
        out: list[str] = []
        for v in values:
            if ctype == 3:
                opts = sel.get("options", [])
                match = next((o for o in opts if v in (o["value"], o["label"])), None)
                if match is None:
                    raise AssertionError(f"{v!r} is not an option: {[o['label'] for o in opts]}")
                out.append(match["value"])
            elif ctype == 6 or (ctype == 7 and guild is not None and not hasattr(v, "user")
                                and (isinstance(v, str) or id_of(v) in guild.roles)):
                assert guild is not None
                role = guild.role(v) if isinstance(v, str) else guild.roles[id_of(v)]
                resolved.setdefault("roles", {})[str(role.id)] = role.to_dict()
                out.append(str(role.id))
            elif ctype in (5, 7):
                uid = id_of(v)
                resolved.setdefault("users", {})[str(uid)] = self.emu.world.users[uid].to_dict()
                if guild is not None and uid in guild.members:
                    resolved.setdefault("members", {})[str(uid)] = guild.members[uid].to_dict(with_user=False)
                out.append(str(uid))
            elif ctype == 8:
                ch = v if isinstance(v, Channel) else self.emu.world.channels[id_of(v)]
                resolved.setdefault("channels", {})[str(ch.id)] = {**ch.to_dict(), "permissions": "0"}
                out.append(str(ch.id))
        data["values"] = out
        if resolved:
            data["resolved"] = resolved
        rec = self.emu.interactions.dispatch(bot, self.user, guild, channel, I.COMPONENT, data, source=msg)
        return await InteractionResult.wait(self.emu, rec, timeout, expect_response)

    # application commands -------------------------------------------------------------
    def _resolve_command(self, guild: Guild | None, command: str, bot: BotApp | None) -> tuple[BotApp, JSON, list[str]]:
        bots = [bot] if bot else [b for b in self.emu.world.bots.values()
                                  if guild is None or b.id in guild.bot_ids]
        found = []
        for b in bots:
            try:
                cmd, rest = find_command(b.commands_for(guild), command)
            except LookupError:
                continue
            found.append((b, cmd, rest))
        if not found:
            known = sorted({c["name"] for b in bots for c in b.commands_for(guild)})
            where = "DMs" if guild is None else guild.name
            raise AssertionError(f"no command /{command.split()[0]} registered for {where}; known: {known}")
        if len(found) > 1:
            raise AssertionError(f"/{command} is registered by several bots; pass bot=")
        b, cmd, rest = found[0]
        if guild is None:
            contexts = cmd.get("contexts")
            if (contexts is not None and 1 not in contexts) or (contexts is None and cmd.get("dm_permission") is False):
                raise AssertionError(f"/{cmd['name']} is not available in DMs")
        return b, cmd, rest

    def _command_channel(self, guild: Guild | None, bot: BotApp, channel: Channel | None) -> Channel:
        if channel is not None:
            return channel
        if guild is None:
            return self.emu.world.open_dm(self.user, bot.user)
        for ch in guild.channels.values():
            if ch.type == 0 and guild.can_view(self.id, ch):
                return ch
        raise AssertionError(f"{self.name} can see no text channel in {guild.name}; pass channel=")

    async def slash(self, guild: Guild | None, command: str, *, app: BotApp | None = None,
                    in_channel: Channel | None = None, timeout: float | None = None, expect_response: bool = True,  # noqa: ASYNC109
                    options: dict[str, Any] | None = None, **kw_options: Any) -> InteractionResult:
        """Invoke ``/command [group] [sub]`` with typed options (``options=`` for names that clash
        with these keyword arguments). ``guild=None`` runs it in the DM with the bot."""
        if guild is not None and self.id not in guild.members:
            raise AssertionError(f"{self.name} is not a member of {guild.name}")
        options = {**(options or {}), **kw_options}
        channel = in_channel
        b, cmd, rest = self._resolve_command(guild, command, app)
        defs, wrap = leaf_and_wrap(cmd, rest)
        leaf, resolved = build_options(defs, options, guild, self.emu.world)
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": wrap(leaf)}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if resolved:
            data["resolved"] = resolved
        ch = self._command_channel(guild, b, channel)
        rec = self.emu.interactions.dispatch(b, self.user, guild, ch, I.APP_COMMAND, data)
        return await InteractionResult.wait(self.emu, rec, timeout, expect_response)

    async def autocomplete(self, guild: Guild | None, command: str, *, focused: str | None = None,
                           app: BotApp | None = None, in_channel: Channel | None = None,
                           timeout: float | None = None, options: dict[str, Any] | None = None,  # noqa: ASYNC109
                           **kw_options: Any) -> list[JSON]:
        """Ask the bot for choices; the focused option is ``focused`` or the last one given."""
        options = {**(options or {}), **kw_options}
        channel = in_channel
        b, cmd, rest = self._resolve_command(guild, command, app)
        defs, wrap = leaf_and_wrap(cmd, rest)
        focus = focused or list(options)[-1]
        leaf, _resolved = build_options(defs, options, guild, self.emu.world, focused=focus)
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": wrap(leaf)}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        ch = self._command_channel(guild, b, channel)
        rec = self.emu.interactions.dispatch(b, self.user, guild, ch, I.AUTOCOMPLETE, data)
        result = await InteractionResult.wait(self.emu, rec, timeout, True)
        return result.choices

    # voice ----------------------------------------------------------------------------
    async def join_voice(self, channel: Channel) -> None:
        guild = self.emu.world.guilds[channel.guild_id]  # type: ignore[index]
        self.emu.world.set_voice(guild, self.id, channel.id)

    async def leave_voice(self, guild: Guild | None = None) -> None:
        for g in [guild] if guild else list(self.emu.world.guilds.values()):
            if self.id in g.voice_states:
                self.emu.world.set_voice(g, self.id, None)

    def voice_channel(self, guild: Guild) -> Channel | None:
        cid = guild.voice_states.get(self.id)
        return guild.channels.get(cid) if cid else None


__all__ = ["DM", "InteractionResult", "ModalHandle", "ScriptedUser"]
