"""Channel, message, pin, overwrite, thread and DM routes."""

from __future__ import annotations

from typing import Any

from . import permissions as P
from .errors import ApiError, missing_access, missing_permissions
from .ids import iso
from .limits import VOICE_STATUS_MAX, FormErrors, check_message
from .messages import fields_from_payload
from .rest import Ctx, Router
from .state import DM, JSON, Channel, Guild, Message

router = Router()
CANNOT_DM = ApiError(403, 50007, "Cannot send messages to this user")


def bot_perms(ctx: Ctx, guild: Guild, channel: Channel | None = None) -> int:
    return guild.permissions_for(ctx.me.id, channel)


def require(ctx: Ctx, guild: Guild, perm: int, channel: Channel | None = None) -> int:
    """50001 when the bot cannot even see the channel, 50013 when it lacks ``perm``."""
    perms = bot_perms(ctx, guild, channel)
    if channel is not None and not perms & P.VIEW_CHANNEL:
        raise missing_access()
    if perms & perm != perm:
        raise missing_permissions()
    return perms


def check_grantable(ctx: Ctx, guild: Guild, bits: int, channel: Channel | None = None) -> None:
    """A bot may only allow/deny permissions it holds itself (administrator aside)."""
    perms = bot_perms(ctx, guild, channel)
    if perms != P.ALL and bits & ~perms:
        raise missing_permissions()


def guild_of(ctx: Ctx, ch: Channel) -> Guild | None:
    if ch.guild_id is None:
        if ctx.me.id not in {u.id for u in ch.recipients}:
            raise missing_access()
        return None
    g = ctx.emu.world.guilds[ch.guild_id]
    if ctx.me.id not in g.bot_ids:
        raise missing_access()
    return g


def readable(ctx: Ctx) -> tuple[Channel, Guild | None]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is not None:
        require(ctx, g, P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY, ch)
    return ch, g


def get_message(ch: Channel, mid: str) -> Message:
    msg = ch.message_map.get(int(mid))
    if msg is None or msg.deleted or msg.ephemeral_for is not None:
        raise ApiError(404, 10008, "Unknown Message")
    return msg


@router.route("GET", "/channels/{channel_id}")
async def get_channel(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is not None and not bot_perms(ctx, g, ch) & P.VIEW_CHANNEL:
        raise missing_access()
    return 200, ch.to_dict()


@router.route("PATCH", "/channels/{channel_id}")
async def patch_channel(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None:
        raise ApiError(403, 50003, "Cannot execute action on a DM channel")
    b = ctx.body
    if ch.is_thread():
        if ch.owner_id != ctx.me.id:
            require(ctx, g, P.MANAGE_THREADS, ch)
        for key in ("archived", "locked", "invitable", "auto_archive_duration"):
            if key in b:
                setattr(ch, key, b[key])
    else:
        require(ctx, g, P.MANAGE_CHANNELS, ch)
    if "permission_overwrites" in b:
        require(ctx, g, P.MANAGE_ROLES, ch)
        ch.overwrites = parse_overwrites(ctx, g, b["permission_overwrites"] or [], ch)
    for key in ("name", "topic", "position", "nsfw", "user_limit", "bitrate"):
        if key in b and b[key] is not None:
            setattr(ch, key, b[key])
    if "parent_id" in b:
        ch.parent_id = int(b["parent_id"]) if b["parent_id"] else None
    ctx.emu.world.channel_updated(ch)
    return 200, ch.to_dict()


def parse_overwrites(ctx: Ctx, g: Guild, raw: list[JSON], ch: Channel | None = None) -> dict[int, Any]:
    from .state import Overwrite
    out = {}
    for o in raw:
        allow, deny = int(o.get("allow") or 0), int(o.get("deny") or 0)
        check_grantable(ctx, g, allow | deny, None)
        tid = int(o["id"])
        out[tid] = Overwrite(tid, int(o.get("type", 0 if tid in g.roles else 1)), allow, deny)
    return out


@router.route("DELETE", "/channels/{channel_id}")
async def delete_channel(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None:
        return 200, ch.to_dict()
    require(ctx, g, P.MANAGE_THREADS if ch.is_thread() else P.MANAGE_CHANNELS, ch)
    data = ch.to_dict()
    ctx.emu.world.delete_channel(ch)
    return 200, data


@router.route("PUT", "/channels/{channel_id}/permissions/{target}")
async def put_overwrite(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None:
        raise ApiError(403, 50003, "Cannot execute action on a DM channel")
    require(ctx, g, P.MANAGE_ROLES, ch)
    allow, deny = int(ctx.body.get("allow") or 0), int(ctx.body.get("deny") or 0)
    check_grantable(ctx, g, allow | deny, ch)
    ctx.emu.world.set_overwrite(ch, int(ctx.params["target"]), allow, deny, ctx.body.get("type"))
    return 204, None


@router.route("DELETE", "/channels/{channel_id}/permissions/{target}")
async def delete_overwrite(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None:
        raise ApiError(403, 50003, "Cannot execute action on a DM channel")
    require(ctx, g, P.MANAGE_ROLES, ch)
    ctx.emu.world.delete_overwrite(ch, int(ctx.params["target"]))
    return 204, None


@router.route("PUT", "/channels/{channel_id}/voice-status")
async def put_voice_status(ctx: Ctx) -> tuple[int, Any]:
    """A voice channel's status line. Discord: Set Voice Channel Status, plus Manage Channels when
    the bot is not in the channel itself; at most 500 characters; voice channels only."""
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None or ch.type != 2:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    in_channel = ctx.emu.world.voice_members(ch).count(ctx.me.id) > 0
    require(ctx, g, P.SET_VOICE_CHANNEL_STATUS | (0 if in_channel else P.MANAGE_CHANNELS), ch)
    status = ctx.body.get("status")
    errors = FormErrors()
    errors.max_length(["status"], status, VOICE_STATUS_MAX)
    errors.raise_if_any()
    ch.status = status or None
    ctx.emu.hub.dispatch_guild(g, "VOICE_CHANNEL_STATUS_UPDATE",
                               {"id": str(ch.id), "guild_id": str(g.id), "status": ch.status})
    return 204, None


# messages -----------------------------------------------------------------------
@router.route("GET", "/channels/{channel_id}/messages")
async def list_messages(ctx: Ctx) -> tuple[int, Any]:
    ch, _ = readable(ctx)
    limit = min(100, int(ctx.query.get("limit", 50)))
    msgs = [m for m in ch.message_map.values() if not m.deleted and m.ephemeral_for is None]
    if "before" in ctx.query:
        msgs = [m for m in msgs if m.id < int(ctx.query["before"])]
    if "after" in ctx.query:
        msgs = [m for m in msgs if m.id > int(ctx.query["after"])][:limit]
    world = ctx.emu.world
    return 200, [world.message_dict(m) for m in reversed(msgs[-limit:])]


@router.route("GET", "/channels/{channel_id}/messages/{message_id}")
async def fetch_message(ctx: Ctx) -> tuple[int, Any]:
    ch, _ = readable(ctx)
    return 200, ctx.emu.world.message_dict(get_message(ch, ctx.params["message_id"]))


@router.route("POST", "/channels/{channel_id}/messages")
async def create_message(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None:
        other = next((u for u in ch.recipients if u.id != ctx.me.id), None)
        if other is None or other.bot or not other.dms_open:
            raise CANNOT_DM
    else:
        need = P.SEND_MESSAGES_IN_THREADS if ch.is_thread() else P.SEND_MESSAGES
        if ctx.files:
            need |= P.ATTACH_FILES
        require(ctx, g, need, ch)
        if ch.is_thread() and ch.archived:
            raise ApiError(400, 50083, "Thread is archived")
    check_message(ctx.body)
    world = ctx.emu.world
    fields = fields_from_payload(ctx.body, ctx.files, world.ids.next)
    fields["flags"] = int(fields.get("flags") or 0) & ~64
    if not any(fields.get(k) for k in ("content", "embeds", "components", "attachments")):
        raise ApiError(400, 50006, "Cannot send an empty message")
    if ctx.body.get("message_reference"):
        fields["message_reference"] = ctx.body["message_reference"]
    msg = world.create_message(ch, ctx.me.user, **fields)
    return 200, world.message_dict(msg)


@router.route("PATCH", "/channels/{channel_id}/messages/{message_id}")
async def edit_message(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    msg = get_message(ch, ctx.params["message_id"])
    if msg.author.id != ctx.me.id:
        if set(ctx.body) - {"flags"}:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        if g is not None:
            require(ctx, g, P.MANAGE_MESSAGES, ch)
    check_message(ctx.body)
    world = ctx.emu.world
    world.edit_message(msg, fields_from_payload(ctx.body, ctx.files, world.ids.next, msg))
    return 200, world.message_dict(msg)


@router.route("DELETE", "/channels/{channel_id}/messages/{message_id}")
async def delete_message(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    msg = get_message(ch, ctx.params["message_id"])
    if msg.author.id != ctx.me.id:
        if g is None:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        require(ctx, g, P.MANAGE_MESSAGES, ch)
    ctx.emu.world.delete_message(msg)
    return 204, None


@router.route("POST", "/channels/{channel_id}/messages/bulk-delete")
async def bulk_delete(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None:
        raise ApiError(403, 50003, "Cannot execute action on a DM channel")
    require(ctx, g, P.MANAGE_MESSAGES, ch)
    for mid in ctx.body.get("messages", []):
        msg = ch.message_map.get(int(mid))
        if msg is not None:
            ctx.emu.world.delete_message(msg)
    return 204, None


@router.route("POST", "/channels/{channel_id}/typing")
async def typing(ctx: Ctx) -> tuple[int, Any]:
    ctx.channel()
    return 204, None


@router.route("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def add_reaction(ctx: Ctx) -> tuple[int, Any]:
    ch, _g = readable(ctx)
    msg = get_message(ch, ctx.params["message_id"])
    ctx.extra["reaction"] = (msg.id, ctx.params["emoji"])
    return 204, None


# pins ---------------------------------------------------------------------------
@router.route("GET", "/channels/{channel_id}/messages/pins")
async def list_pins(ctx: Ctx) -> tuple[int, Any]:
    ch, _ = readable(ctx)
    world = ctx.emu.world
    items = [{"pinned_at": m.edited_timestamp or m.timestamp, "message": world.message_dict(m)}
             for m in reversed(list(ch.message_map.values())) if m.pinned and not m.deleted]
    return 200, {"items": items, "has_more": False}


async def _pin(ctx: Ctx, pinned: bool) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is not None:
        require(ctx, g, P.MANAGE_MESSAGES, ch)
    msg = get_message(ch, ctx.params["message_id"])
    msg.pinned = pinned
    data: JSON = {"channel_id": str(ch.id), "last_pin_timestamp": iso()}
    if g is not None:
        data["guild_id"] = str(g.id)
        ctx.emu.hub.dispatch_guild(g, "CHANNEL_PINS_UPDATE", data)
    return 204, None


@router.route("PUT", "/channels/{channel_id}/messages/pins/{message_id}")
async def pin(ctx: Ctx) -> tuple[int, Any]:
    return await _pin(ctx, True)


@router.route("DELETE", "/channels/{channel_id}/messages/pins/{message_id}")
async def unpin(ctx: Ctx) -> tuple[int, Any]:
    return await _pin(ctx, False)


# threads ------------------------------------------------------------------------
def _thread_payload(th: Channel, bot_id: int) -> JSON:
    d = th.to_dict()
    if bot_id in th.thread_members:
        d["member"] = {"id": str(th.id), "user_id": str(bot_id), "join_timestamp": th.thread_members[bot_id],
                       "flags": 0}
    return d


@router.route("POST", "/channels/{channel_id}/threads")
async def create_thread(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None or ch.type not in (0, 5):
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    ttype = int(ctx.body.get("type") or 12)
    require(ctx, g, P.CREATE_PRIVATE_THREADS if ttype == 12 else P.CREATE_PUBLIC_THREADS, ch)
    th = ctx.emu.world.create_thread(ch, ctx.body.get("name", "thread"), ctx.me.user, private=ttype == 12,
                                     invitable=bool(ctx.body.get("invitable", True)),
                                     auto_archive_duration=int(ctx.body.get("auto_archive_duration") or 1440))
    return 201, _thread_payload(th, ctx.me.id)


@router.route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
async def create_thread_from_message(ctx: Ctx) -> tuple[int, Any]:
    ch = ctx.channel()
    g = guild_of(ctx, ch)
    if g is None:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    require(ctx, g, P.CREATE_PUBLIC_THREADS, ch)
    msg = get_message(ch, ctx.params["message_id"])
    th = ctx.emu.world.create_thread(ch, ctx.body.get("name", "thread"), ctx.me.user, private=False,
                                     from_message=msg)
    return 201, _thread_payload(th, ctx.me.id)


def _thread(ctx: Ctx) -> tuple[Channel, Guild]:
    th = ctx.channel()
    g = guild_of(ctx, th)
    if g is None or not th.is_thread():
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return th, g


def _target_user(ctx: Ctx) -> int:
    uid = ctx.params.get("user_id", "@me")
    return ctx.me.id if uid == "@me" else int(uid)


async def _thread_member_put(ctx: Ctx) -> tuple[int, Any]:
    th, g = _thread(ctx)
    uid = _target_user(ctx)
    if uid != ctx.me.id:
        require(ctx, g, P.SEND_MESSAGES_IN_THREADS, th)
    elif not bot_perms(ctx, g, th) & P.VIEW_CHANNEL:
        raise missing_access()
    if uid not in g.members:
        raise ApiError(404, 10007, "Unknown Member")
    ctx.emu.world.thread_member_change(th, uid, add=True)
    return 204, None


async def _thread_member_delete(ctx: Ctx) -> tuple[int, Any]:
    th, g = _thread(ctx)
    uid = _target_user(ctx)
    if uid != ctx.me.id and th.owner_id != ctx.me.id:
        require(ctx, g, P.MANAGE_THREADS, th)
    ctx.emu.world.thread_member_change(th, uid, add=False)
    return 204, None


router.add("PUT", "/channels/{channel_id}/thread-members/{user_id}", _thread_member_put)
router.add("PUT", "/channels/{channel_id}/thread-members/@me", _thread_member_put)
router.add("DELETE", "/channels/{channel_id}/thread-members/{user_id}", _thread_member_delete)
router.add("DELETE", "/channels/{channel_id}/thread-members/@me", _thread_member_delete)


def _thread_member_dict(th: Channel, g: Guild, uid: int) -> JSON:
    d: JSON = {"id": str(th.id), "user_id": str(uid), "join_timestamp": th.thread_members[uid], "flags": 0}
    if uid in g.members:
        d["member"] = g.members[uid].to_dict()
    return d


@router.route("GET", "/channels/{channel_id}/thread-members")
async def list_thread_members(ctx: Ctx) -> tuple[int, Any]:
    th, g = _thread(ctx)
    if not bot_perms(ctx, g, th) & P.VIEW_CHANNEL:
        raise missing_access()
    return 200, [_thread_member_dict(th, g, u) for u in th.thread_members]


@router.route("GET", "/channels/{channel_id}/thread-members/{user_id}")
async def get_thread_member(ctx: Ctx) -> tuple[int, Any]:
    th, g = _thread(ctx)
    uid = int(ctx.params["user_id"])
    if uid not in th.thread_members:
        raise ApiError(404, 10007, "Unknown Member")
    return 200, _thread_member_dict(th, g, uid)


# DMs ------------------------------------------------------------------------------
@router.route("POST", "/users/@me/channels")
async def open_dm(ctx: Ctx) -> tuple[int, Any]:
    world = ctx.emu.world
    user = world.users.get(int(ctx.body.get("recipient_id", 0)))
    if user is None:
        raise ApiError(400, 50035, "Invalid Form Body (recipient_id)")
    return 200, world.open_dm(ctx.me.user, user).to_dict()


__all__ = ["DM", "router"]
