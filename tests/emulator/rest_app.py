"""Gateway discovery, users, application, commands, interaction callbacks and follow-up webhooks."""

from __future__ import annotations

import time
from typing import Any

from .errors import ApiError, missing_access
from .limits import check_command, check_commands
from .rest import Ctx, Router
from .state import JSON

router = Router()


@router.route("GET", "/gateway")
async def gateway(ctx: Ctx) -> tuple[int, Any]:
    return 200, {"url": ctx.emu.gateway_url}


@router.route("GET", "/gateway/bot")
async def gateway_bot(ctx: Ctx) -> tuple[int, Any]:
    _ = ctx.me  # requires a valid bot token
    return 200, {"url": ctx.emu.gateway_url, "shards": ctx.emu.recommended_shards,
                 "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000,
                                         "max_concurrency": 1}}


@router.route("GET", "/users/@me")
async def me(ctx: Ctx) -> tuple[int, Any]:
    return 200, {**ctx.me.user.to_dict(), "verified": True, "mfa_enabled": False, "email": None}


@router.route("GET", "/users/{user_id}")
async def get_user(ctx: Ctx) -> tuple[int, Any]:
    _ = ctx.me
    user = ctx.emu.world.users.get(int(ctx.params["user_id"]))
    if user is None:
        raise ApiError(404, 10013, "Unknown User")
    return 200, user.to_dict()


async def application(ctx: Ctx) -> tuple[int, Any]:
    bot = ctx.me
    owner = ctx.emu.app_owner
    return 200, {
        "id": str(bot.id), "name": bot.name, "icon": None, "description": "", "summary": "",
        "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
        "owner": owner.to_dict(), "team": None, "flags": (1 << 13) | (1 << 15) | (1 << 19),
        "rpc_origins": [], "bot": bot.user.to_dict(), "redirect_uris": [], "tags": [],
        "approximate_guild_count": sum(1 for g in ctx.emu.world.guilds.values() if bot.id in g.bot_ids),
    }


router.add("GET", "/applications/@me", application)
router.add("GET", "/oauth2/applications/@me", application)


# application commands ---------------------------------------------------------------
def _commands_slot(ctx: Ctx) -> tuple[list[JSON], int | None]:
    bot = ctx.me
    if int(ctx.params["application_id"]) != bot.id:
        raise ApiError(403, 50001, "Missing Access")
    if "guild_id" not in ctx.params:
        return bot.global_commands, None
    gid = int(ctx.params["guild_id"])
    g = ctx.emu.world.guilds.get(gid)
    if g is None or bot.id not in g.bot_ids:
        raise missing_access()
    return bot.guild_commands.setdefault(gid, []), gid


def _normalise(ctx: Ctx, cmd: JSON, gid: int | None, existing: list[JSON]) -> JSON:
    ctype = int(cmd.get("type") or 1)
    prev = next((c for c in existing if c["name"] == cmd["name"] and c["type"] == ctype), None)
    cid = prev["id"] if prev else str(ctx.emu.world.ids.next())
    out: JSON = {
        "description": "", "options": [], "default_member_permissions": None, "dm_permission": True,
        "nsfw": False, "integration_types": [0], "contexts": None, **cmd,
        "id": cid, "application_id": str(ctx.me.id), "type": ctype, "version": str(ctx.emu.world.ids.next()),
    }
    if out["default_member_permissions"] is not None:  # Discord answers the bit set as a string
        out["default_member_permissions"] = str(int(out["default_member_permissions"]))
    if gid is not None:
        out["guild_id"] = str(gid)
    return out


async def put_commands(ctx: Ctx) -> tuple[int, Any]:
    slot, gid = _commands_slot(ctx)
    check_commands(list(ctx.body or []))
    new = [_normalise(ctx, c, gid, slot) for c in ctx.body or []]
    slot[:] = new
    ctx.me.command_syncs.append((time.monotonic(), gid))
    return 200, new


async def get_commands(ctx: Ctx) -> tuple[int, Any]:
    slot, _ = _commands_slot(ctx)
    return 200, slot


async def post_command(ctx: Ctx) -> tuple[int, Any]:
    slot, gid = _commands_slot(ctx)
    check_command(ctx.body)
    cmd = _normalise(ctx, ctx.body, gid, slot)
    slot[:] = [c for c in slot if c["id"] != cmd["id"]] + [cmd]
    return 201, cmd


async def delete_command(ctx: Ctx) -> tuple[int, Any]:
    slot, _ = _commands_slot(ctx)
    slot[:] = [c for c in slot if c["id"] != ctx.params["command_id"]]
    return 204, None


for _base in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
    router.add("PUT", _base + "/commands", put_commands)
    router.add("GET", _base + "/commands", get_commands)
    router.add("POST", _base + "/commands", post_command)
    router.add("DELETE", _base + "/commands/{command_id}", delete_command)


# interactions ---------------------------------------------------------------------
@router.route("POST", "/interactions/{interaction_id}/{interaction_token}/callback")
async def callback(ctx: Ctx) -> tuple[int, Any]:
    with_response = ctx.query.get("with_response") in ("1", "true", "True")
    out = ctx.emu.interactions.callback(int(ctx.params["interaction_id"]), ctx.params["interaction_token"],
                                        ctx.body, ctx.files, with_response)
    return (200, out) if out is not None else (204, None)


def _rec(ctx: Ctx) -> Any:
    return ctx.emu.interactions.record_for_token(int(ctx.params["webhook_id"]), ctx.params["webhook_token"])


@router.route("POST", "/webhooks/{webhook_id}/{webhook_token}")
async def followup(ctx: Ctx) -> tuple[int, Any]:
    msg = ctx.emu.interactions.followup(_rec(ctx), ctx.body, ctx.files)
    if ctx.query.get("wait") in ("true", "1", "True"):
        return 200, ctx.emu.world.message_dict(msg)
    return 204, None


@router.route("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def get_webhook_message(ctx: Ctx) -> tuple[int, Any]:
    return 200, ctx.emu.world.message_dict(ctx.emu.interactions.get(_rec(ctx), ctx.params["message_id"]))


@router.route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def edit_webhook_message(ctx: Ctx) -> tuple[int, Any]:
    msg = ctx.emu.interactions.edit(_rec(ctx), ctx.params["message_id"], ctx.body, ctx.files)
    return 200, ctx.emu.world.message_dict(msg)


@router.route("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def delete_webhook_message(ctx: Ctx) -> tuple[int, Any]:
    ctx.emu.interactions.delete(_rec(ctx), ctx.params["message_id"])
    return 204, None
