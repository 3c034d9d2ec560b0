"""Interactions: building INTERACTION_CREATE payloads, handling callbacks and follow-ups.

Callback semantics mirror Discord: 3 s deadline (configurable) → 10062, second callback →
40060, type 7 edits the source message in place, flag 64 makes a message visible only to the
interacting user, the first follow-up after a "thinking" defer replaces the loading message.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import permissions as P
from .errors import ApiError
from .limits import check_callback, check_message
from .messages import fields_from_payload
from .state import DM, JSON, Channel, Guild, Message, User, walk_components

if TYPE_CHECKING:
    from .server import Emulator
    from .world import BotApp

PING, APP_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
LOADING, EPHEMERAL = 128, 64


@dataclass(eq=False)
class InteractionRecord:
    id: int
    token: str
    type: int
    bot: BotApp
    user: User
    guild: Guild | None
    channel: Channel
    data: JSON
    source: Message | None
    dispatched_at: float
    first_callback_at: float | None = None
    callback_type: int | None = None
    callback_data: JSON | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    responded: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def ack_latency(self) -> float | None:
        return None if self.first_callback_at is None else self.first_callback_at - self.dispatched_at


class InteractionEngine:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.by_id: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        self.deadline = 3.0
        self.token_lifetime = 15 * 60.0

    # dispatch -------------------------------------------------------------------
    def dispatch(self, bot: BotApp, user: User, guild: Guild | None, channel: Channel, itype: int,
                 data: JSON, source: Message | None = None) -> InteractionRecord:
        world = self.emu.world
        rec = InteractionRecord(id=world.ids.next(), token=f"aW50ZXJhY3Rpb24{secrets.token_urlsafe(48)}",
                                type=itype, bot=bot, user=user, guild=guild, channel=channel, data=data,
                                source=source, dispatched_at=time.monotonic())
        payload: JSON = {
            "id": str(rec.id), "application_id": str(bot.id), "type": itype, "data": data,
            "token": rec.token, "version": 1, "locale": user.locale, "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024, "channel_id": str(channel.id),
        }
        if guild is not None:
            chan = {**channel.to_dict(), "permissions": str(P.channel_permissions(guild, channel, user.id))}
            payload.update({
                "guild_id": str(guild.id), "guild_locale": "en-US",
                "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
                "member": world.member_dict(guild, user.id, with_permissions_in=channel),
                "app_permissions": str(P.channel_permissions(guild, channel, bot.id)),
                "authorizing_integration_owners": {"0": str(guild.id)}, "context": 0, "channel": chan,
            })
        else:
            payload.update({
                "user": user.to_dict(), "app_permissions": str(P.DEFAULT_EVERYONE),
                "authorizing_integration_owners": {"0": "0"}, "context": 1,
                "channel": {**channel.to_dict(), "permissions": str(P.DEFAULT_EVERYONE)},
            })
        if source is not None:
            payload["message"] = world.message_dict(source)
        self.by_id[rec.id] = rec
        self.by_token[rec.token] = rec
        if not self.emu.hub.dispatch_interaction(bot, guild.id if guild else None, payload):
            raise AssertionError(f"bot {bot.name} has no gateway session to receive the interaction")
        return rec

    # callbacks ------------------------------------------------------------------
    def callback(self, iid: int, token: str, body: JSON, files: list[Any], with_response: bool) -> JSON | None:
        rec = self.by_id.get(iid)
        if rec is None or rec.token != token or time.monotonic() - rec.dispatched_at > self.deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        if rec.callback_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        ctype = int(body.get("type", 0))
        data = body.get("data") or {}
        # A type-7 reply to a modal needs the message the modal was opened from.
        check_callback(rec.type, rec.source is not None, body)
        rec.first_callback_at = time.monotonic()
        rec.callback_type = ctype
        rec.callback_data = data
        world = self.emu.world
        new_id = world.ids.next
        if ctype == 4:
            fields = fields_from_payload(data, files, new_id)
            rec.original = self._create(rec, fields)
        elif ctype == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            rec.original = self._create(rec, {"flags": flags})
        elif ctype == 6:
            rec.original = rec.source
        elif ctype == 7:
            assert rec.source is not None
            rec.original = rec.source
            world.edit_message(rec.source, fields_from_payload(data, files, new_id, rec.source))
        rec.responded.set()
        rec.changed.set()
        if not with_response:
            return None
        inter: JSON = {"id": str(rec.id), "type": rec.type, "activity_instance_id": None,
                       "response_message_loading": ctype == 5,
                       "response_message_ephemeral": bool(rec.original and rec.original.ephemeral)}
        out: JSON = {"interaction": inter}
        if rec.original is not None and ctype in (4, 5, 7):
            inter["response_message_id"] = str(rec.original.id)
            out["resource"] = {"type": ctype, "message": world.message_dict(rec.original)}
        else:
            out["resource"] = {"type": ctype}
        return out

    def _create(self, rec: InteractionRecord, fields: JSON) -> Message:
        flags = int(fields.get("flags") or 0)
        meta = {"id": str(rec.id), "type": rec.type, "user": rec.user.to_dict(),
                "authorizing_integration_owners": {}}
        return self.emu.world.create_message(
            rec.channel, rec.bot.user, webhook_id=rec.bot.id, application_id=rec.bot.id,
            interaction_metadata=meta, ephemeral_for=rec.user.id if flags & EPHEMERAL else None,
            type=20 if rec.type == APP_COMMAND else 19 if rec.source else 0, **fields)

    # webhooks (follow-ups) ----------------------------------------------------------
    def record_for_token(self, app_id: int, token: str) -> InteractionRecord:
        rec = self.by_token.get(token)
        if rec is None or rec.bot.id != app_id or time.monotonic() - rec.dispatched_at > self.token_lifetime:
            raise ApiError(404, 10015, "Unknown Webhook")
        return rec

    def _target(self, rec: InteractionRecord, message_id: str) -> Message:
        if message_id == "@original":
            if rec.original is None:
                raise ApiError(404, 10008, "Unknown Message")
            return rec.original
        msg = self.emu.world.messages.get(int(message_id))
        allowed = {m.id for m in rec.followups} | ({rec.original.id} if rec.original else set())
        if msg is None or msg.id not in allowed:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def followup(self, rec: InteractionRecord, body: JSON, files: list[Any]) -> Message:
        if rec.callback_type is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        check_message(body)
        world = self.emu.world
        orig = rec.original
        if orig is not None and orig.flags & LOADING and not rec.followups:
            fields = fields_from_payload(body, files, world.ids.next, orig)
            fields["flags"] = (orig.flags & ~LOADING) | (int(body.get("flags") or 0) & ~EPHEMERAL)
            world.edit_message(orig, fields)
            msg = orig
        else:
            msg = self._create(rec, fields_from_payload(body, files, world.ids.next))
        rec.followups.append(msg)
        rec.changed.set()
        return msg

    def edit(self, rec: InteractionRecord, message_id: str, body: JSON, files: list[Any]) -> Message:
        msg = self._target(rec, message_id)
        check_message(body)
        world = self.emu.world
        fields = fields_from_payload(body, files, world.ids.next, msg)
        keep = msg.flags & (EPHEMERAL | 32768)
        fields["flags"] = (int(fields.get("flags", msg.flags)) & ~LOADING) | keep
        world.edit_message(msg, fields)
        rec.changed.set()
        return msg

    def get(self, rec: InteractionRecord, message_id: str) -> Message:
        return self._target(rec, message_id)

    def delete(self, rec: InteractionRecord, message_id: str) -> None:
        msg = self._target(rec, message_id)
        self.emu.world.delete_message(msg)
        rec.changed.set()


def modal_submit_components(modal: JSON, values: dict[str, Any]) -> list[JSON]:
    """Mirror the modal's layout with the user's answers, as Discord submits it."""
    remaining = dict(values)
    out: list[JSON] = []

    def answer(comp: JSON, label: str | None) -> JSON | None:
        cid = comp.get("custom_id")
        keys = [k for k in (cid, label, comp.get("label"), comp.get("placeholder")) if k]
        key = next((k for k in keys if k in remaining), None)
        if comp.get("type") == 4:
            if key is None:
                if comp.get("required", True) and not comp.get("value"):
                    raise AssertionError(f"modal field {label or cid!r} is required; give it a value")
                return {"type": 4, "custom_id": cid, "value": comp.get("value") or "", "id": comp.get("id")}
            return {"type": 4, "custom_id": cid, "value": str(remaining.pop(key)), "id": comp.get("id")}
        if comp.get("type") in (3, 5, 6, 7, 8):
            vals = remaining.pop(key) if key is not None else []
            vals = [vals] if isinstance(vals, str) else list(vals)
            return {"type": comp["type"], "custom_id": cid, "values": [str(v) for v in vals], "id": comp.get("id")}
        return None

    for comp in modal.get("components", []):
        if comp.get("type") == 1:
            kids = [a for c in comp.get("components", []) if (a := answer(c, c.get("label"))) is not None]
            out.append({"type": 1, "components": kids})
        elif comp.get("type") == 18:
            a = answer(comp["component"], comp.get("label"))
            if a is not None:
                out.append({"type": 18, "id": comp.get("id"), "component": a})
    if remaining:
        fields = [c.get("label") or c.get("custom_id") for c in walk_components(modal.get("components", []))
                  if c.get("type") in (4, 18)]
        raise AssertionError(f"modal has no field(s) {sorted(remaining)}; fields: {fields}")
    return out


def is_dm(channel: Channel) -> bool:
    return channel.type == DM
