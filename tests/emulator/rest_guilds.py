"""Guild, member, role and guild-channel routes, with Discord's hierarchy rules."""

from __future__ import annotations

from typing import Any

from . import permissions as P
from .errors import ApiError, missing_permissions
from .rest import Ctx, Router
from .rest_channels import check_grantable, parse_overwrites, require
from .state import JSON, Guild, Role

router = Router()


def bot_top(ctx: Ctx, g: Guild) -> int:
    return 10**9 if ctx.me.id == g.owner_id else P.top_role_position(g, ctx.me.id)


def check_role_manageable(ctx: Ctx, g: Guild, role: Role) -> None:
    """Roles at or above the bot's highest role, managed roles and @everyone are off limits."""
    if role.position >= bot_top(ctx, g) or role.managed or role.id == g.id:
        raise missing_permissions()


def check_member_manageable(ctx: Ctx, g: Guild, uid: int) -> None:
    if uid == g.owner_id or (uid != ctx.me.id and P.top_role_position(g, uid) >= bot_top(ctx, g)):
        raise missing_permissions()


def get_role(g: Guild, rid: str) -> Role:
    role = g.roles.get(int(rid))
    if role is None:
        raise ApiError(404, 10011, "Unknown Role")
    return role


@router.route("GET", "/guilds/{guild_id}")
async def get_guild(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    d = g.to_base_dict()
    if ctx.query.get("with_counts") in ("true", "1"):
        d.update({"approximate_member_count": len(g.members), "approximate_presence_count": 0})
    return 200, d


@router.route("GET", "/guilds/{guild_id}/channels")
async def list_channels(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    return 200, [c.to_dict() for c in g.channels.values() if not c.is_thread()]


@router.route("POST", "/guilds/{guild_id}/channels")
async def create_channel(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.MANAGE_CHANNELS)
    b = ctx.body
    overwrites = {}
    if b.get("permission_overwrites"):
        require(ctx, g, P.MANAGE_ROLES)
        overwrites = parse_overwrites(ctx, g, b["permission_overwrites"])
    world = ctx.emu.world
    parent = g.channels.get(int(b["parent_id"])) if b.get("parent_id") else None
    ch = world.create_channel(g, b.get("name", "channel"), int(b.get("type") or 0), parent,
                              topic=b.get("topic"), position=b.get("position"),
                              overwrites={k: (o.allow, o.deny) for k, o in overwrites.items()})
    for key in ("user_limit", "bitrate", "nsfw"):
        if b.get(key) is not None:
            setattr(ch, key, b[key])
    return 201, ch.to_dict()


@router.route("PATCH", "/guilds/{guild_id}/channels")
async def channel_positions(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.MANAGE_CHANNELS)
    for item in ctx.body or []:
        ch = g.channels.get(int(item["id"]))
        if ch is None:
            continue
        if item.get("position") is not None:
            ch.position = int(item["position"])
        if "parent_id" in item:
            ch.parent_id = int(item["parent_id"]) if item["parent_id"] else None
        ctx.emu.world.channel_updated(ch)
    return 204, None


@router.route("GET", "/guilds/{guild_id}/threads/active")
async def active_threads(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    threads = [c for c in g.threads() if not c.archived and g.can_view(ctx.me.id, c)]
    members = [{"id": str(t.id), "user_id": str(ctx.me.id), "join_timestamp": t.thread_members[ctx.me.id],
                "flags": 0} for t in threads if ctx.me.id in t.thread_members]
    return 200, {"threads": [t.to_dict() for t in threads], "members": members}


# members ------------------------------------------------------------------------
def _member(g: Guild, uid: str) -> Any:
    m = g.members.get(int(uid))
    if m is None:
        raise ApiError(404, 10007, "Unknown Member")
    return m


@router.route("GET", "/guilds/{guild_id}/members/{user_id}")
async def get_member(ctx: Ctx) -> tuple[int, Any]:
    return 200, _member(ctx.guild(), ctx.params["user_id"]).to_dict()


@router.route("GET", "/guilds/{guild_id}/members")
async def list_members(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    limit = min(1000, int(ctx.query.get("limit", 1)))
    after = int(ctx.query.get("after", 0))
    ids = sorted(u for u in g.members if u > after)[:limit]
    return 200, [g.members[u].to_dict() for u in ids]


@router.route("GET", "/guilds/{guild_id}/members/search")
async def search_members(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    q = ctx.query.get("query", "").lower()
    limit = int(ctx.query.get("limit", 1))
    found = [m for m in g.members.values() if m.user.name.lower().startswith(q) or
             (m.nick or "").lower().startswith(q)]
    return 200, [m.to_dict() for m in found[:limit]]


@router.route("PATCH", "/guilds/{guild_id}/members/{user_id}")
async def patch_member(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    uid = ctx.me.id if ctx.params["user_id"] == "@me" else int(ctx.params["user_id"])
    member = _member(g, str(uid))
    b = ctx.body
    world = ctx.emu.world
    if "roles" in b:
        require(ctx, g, P.MANAGE_ROLES)
        new = [int(r) for r in b["roles"] or []]
        for rid in set(new) ^ set(member.roles):
            check_role_manageable(ctx, g, get_role(g, str(rid)))
    if "nick" in b:
        require(ctx, g, P.CHANGE_NICKNAME if uid == ctx.me.id else P.MANAGE_NICKNAMES)
        check_member_manageable(ctx, g, uid)
    if "communication_disabled_until" in b:
        require(ctx, g, P.MODERATE_MEMBERS)
        check_member_manageable(ctx, g, uid)
    if "channel_id" in b:
        current = g.voice_states.get(uid)
        if current is None:
            raise ApiError(400, 40032, "Target user is not connected to voice.")
        require(ctx, g, P.MOVE_MEMBERS, g.channels.get(current))
        target = None
        if b["channel_id"] is not None:
            tch = g.channels.get(int(b["channel_id"]))
            if tch is None or tch.type not in (2, 13):
                raise ApiError(400, 50035, "Invalid Form Body (channel_id)")
            require(ctx, g, P.MOVE_MEMBERS | P.CONNECT, tch)
            target = tch.id
    changed = False
    if "roles" in b:
        member.roles = [int(r) for r in b["roles"] or []]
        changed = True
    if "nick" in b:
        member.nick = b["nick"] or None
        changed = True
    if changed:
        world._member_updated(g, member)
    if "channel_id" in b:
        world.set_voice(g, uid, target)
    return 200, member.to_dict()


@router.route("PATCH", "/guilds/{guild_id}/members/@me")
async def patch_me(ctx: Ctx) -> tuple[int, Any]:
    ctx.params["user_id"] = "@me"
    return await patch_member(ctx)


async def _member_role(ctx: Ctx, add: bool) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.MANAGE_ROLES)
    member = _member(g, ctx.params["user_id"])
    role = get_role(g, ctx.params["role_id"])
    check_role_manageable(ctx, g, role)
    ctx.emu.world.update_member_roles(g, member.id, add=[role.id] if add else [], remove=[] if add else [role.id])
    return 204, None


@router.route("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def add_member_role(ctx: Ctx) -> tuple[int, Any]:
    return await _member_role(ctx, True)


@router.route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def remove_member_role(ctx: Ctx) -> tuple[int, Any]:
    return await _member_role(ctx, False)


@router.route("DELETE", "/guilds/{guild_id}/members/{user_id}")
async def kick(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.KICK_MEMBERS)
    member = _member(g, ctx.params["user_id"])
    check_member_manageable(ctx, g, member.id)
    ctx.emu.world.remove_member(g, member.id)
    return 204, None


@router.route("PUT", "/guilds/{guild_id}/bans/{user_id}")
async def ban(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.BAN_MEMBERS)
    uid = int(ctx.params["user_id"])
    if uid in g.members:
        check_member_manageable(ctx, g, uid)
        ctx.emu.world.remove_member(g, uid)
    return 204, None


# roles --------------------------------------------------------------------------
@router.route("GET", "/guilds/{guild_id}/roles")
async def list_roles(ctx: Ctx) -> tuple[int, Any]:
    return 200, [r.to_dict() for r in ctx.guild().sorted_roles()]


@router.route("GET", "/guilds/{guild_id}/roles/{role_id}")
async def get_role_route(ctx: Ctx) -> tuple[int, Any]:
    return 200, get_role(ctx.guild(), ctx.params["role_id"]).to_dict()


@router.route("POST", "/guilds/{guild_id}/roles")
async def create_role(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.MANAGE_ROLES)
    b = ctx.body
    perms = int(b.get("permissions") or 0)
    check_grantable(ctx, g, perms)
    role = ctx.emu.world.create_role(g, b.get("name") or "new role", permissions=perms,
                                     color=int(b.get("color") or 0), hoist=bool(b.get("hoist")),
                                     mentionable=bool(b.get("mentionable")))
    return 200, role.to_dict()


@router.route("PATCH", "/guilds/{guild_id}/roles/{role_id}")
async def edit_role(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.MANAGE_ROLES)
    role = get_role(g, ctx.params["role_id"])
    if role.id != g.id:
        check_role_manageable(ctx, g, role)
    b: JSON = ctx.body
    if "permissions" in b and b["permissions"] is not None:
        perms = int(b["permissions"])
        check_grantable(ctx, g, perms & ~role.permissions)
        role.permissions = perms
    for key in ("name", "color", "hoist", "mentionable"):
        if key in b and b[key] is not None:
            setattr(role, key, b[key])
    ctx.emu.world.role_updated(g, role)
    return 200, role.to_dict()


@router.route("PATCH", "/guilds/{guild_id}/roles")
async def role_positions(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.MANAGE_ROLES)
    top = bot_top(ctx, g)
    moves = [(get_role(g, str(item["id"])), int(item["position"])) for item in ctx.body or []]
    for role, pos in moves:
        check_role_manageable(ctx, g, role)
        if pos >= top:
            raise missing_permissions()
    for role, pos in moves:
        role.position = pos
        ctx.emu.world.role_updated(g, role)
    return 200, [r.to_dict() for r in g.sorted_roles()]


@router.route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
async def delete_role(ctx: Ctx) -> tuple[int, Any]:
    g = ctx.guild()
    require(ctx, g, P.MANAGE_ROLES)
    role = get_role(g, ctx.params["role_id"])
    check_role_manageable(ctx, g, role)
    ctx.emu.world.delete_role(g, role)
    return 204, None
