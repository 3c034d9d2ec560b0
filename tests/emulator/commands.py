"""Resolve a registered application command by its spoken name and build typed options."""

from __future__ import annotations

from typing import Any

from . import permissions as P
from .state import JSON, Channel, Guild, Role, User

SUB_COMMAND, SUB_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(1, 12)


def id_of(value: Any) -> int:
    for attr in ("id",):
        if hasattr(value, attr):
            return int(getattr(value, attr))
    return int(value)


def find_command(commands: list[JSON], path: str) -> tuple[JSON, list[str]]:
    parts = path.split()
    for cmd in commands:
        if cmd["name"] == parts[0] and int(cmd.get("type", 1)) == 1:
            return cmd, parts[1:]
    raise LookupError(parts[0])


def leaf_and_wrap(cmd: JSON, rest: list[str]) -> tuple[list[JSON], Any]:
    """Return the leaf option definitions and a function wrapping leaf options into the tree."""
    defs = cmd.get("options") or []
    chain: list[JSON] = []
    for name in rest:
        node = next((o for o in defs if o["name"] == name and o["type"] in (SUB_COMMAND, SUB_GROUP)), None)
        if node is None:
            subs = [o["name"] for o in defs if o["type"] in (SUB_COMMAND, SUB_GROUP)]
            raise AssertionError(f"/{cmd['name']} has no subcommand {name!r}; has {subs}")
        chain.append(node)
        defs = node.get("options") or []
    if any(o["type"] in (SUB_COMMAND, SUB_GROUP) for o in defs):
        subs = [o["name"] for o in defs]
        raise AssertionError(f"/{cmd['name']} {' '.join(rest)} needs a subcommand: {subs}")

    def wrap(leaf: list[JSON]) -> list[JSON]:
        opts = leaf
        for node in reversed(chain):
            opts = [{"name": node["name"], "type": node["type"], "options": opts}]
        return opts

    return defs, wrap


def build_options(defs: list[JSON], values: dict[str, Any], guild: Guild | None, world: Any,
                  focused: str | None = None) -> tuple[list[JSON], JSON]:
    resolved: JSON = {}
    out: list[JSON] = []
    by_name = {d["name"]: d for d in defs}
    for key, value in values.items():
        d = by_name.get(key) or by_name.get(key.replace("_", "-"))
        if d is None:
            raise AssertionError(f"command has no option {key!r}; options: {list(by_name)}")
        t = d["type"]
        opt: JSON = {"name": d["name"], "type": t}
        if key == focused or d["name"] == focused:
            opt.update(value=str(value), focused=True)
            out.append(opt)
            continue
        if t in (USER, MENTIONABLE) and not isinstance(value, Role):
            uid = id_of(value)
            user: User = world.users[uid]
            resolved.setdefault("users", {})[str(uid)] = user.to_dict()
            if guild is not None and uid in guild.members:
                m = guild.members[uid].to_dict(with_user=False)
                m["permissions"] = str(P.base_permissions(guild, uid))
                resolved.setdefault("members", {})[str(uid)] = m
            opt["value"] = str(uid)
        elif t in (ROLE, MENTIONABLE):
            role = value if isinstance(value, Role) else guild.role(value) if isinstance(value, str) and guild else None
            rid = role.id if role else id_of(value)
            assert guild is not None, "role options need a guild"
            resolved.setdefault("roles", {})[str(rid)] = guild.roles[rid].to_dict()
            opt["value"] = str(rid)
        elif t == CHANNEL:
            ch: Channel = value if isinstance(value, Channel) else world.channels[id_of(value)]
            allowed = d.get("channel_types")
            if allowed and ch.type not in allowed:  # Discord's picker does not offer it, nor accepts it typed
                raise AssertionError(
                    f"option {d['name']!r} takes channel types {allowed}; #{ch.name} is type {ch.type}")
            cd = {**ch.to_dict(), "permissions": str(P.ALL)}
            resolved.setdefault("channels", {})[str(ch.id)] = cd
            opt["value"] = str(ch.id)
        elif t == ATTACHMENT:
            filename, data = value
            aid = world.ids.next()
            resolved.setdefault("attachments", {})[str(aid)] = {
                "id": str(aid), "filename": filename, "size": len(data),
                "url": f"http://127.0.0.1/attachments/{aid}/{filename}", "proxy_url": "", "content_type": None}
            opt["value"] = str(aid)
        else:
            conv = {STRING: str, INTEGER: int, BOOLEAN: bool, NUMBER: float}.get(t, lambda v: v)
            v = conv(value)
            choices = d.get("choices")
            if choices:
                vals = [c["value"] for c in choices]
                if v not in vals:
                    named = [c["value"] for c in choices if c["name"] == value]
                    if not named:
                        raise AssertionError(f"{value!r} is not a choice of {d['name']!r}: {choices}")
                    v = named[0]
            opt["value"] = v
        out.append(opt)
    if focused is None:
        missing = [d["name"] for d in defs if d.get("required") and d["name"] not in {o["name"] for o in out}]
        if missing:
            raise AssertionError(f"missing required option(s) {missing}")
    return out, resolved
