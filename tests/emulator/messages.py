"""Turn what a bot sends (JSON or multipart) into stored message fields."""

from __future__ import annotations

from typing import Any

from .state import JSON, Attachment, Message


def fields_from_payload(body: JSON, files: list[tuple[str, bytes, str | None]], new_id: Any,
                        existing: Message | None = None) -> JSON:
    """Message fields from a create/edit payload; only keys present in ``body`` are returned
    for edits, so PATCH semantics (absent = unchanged) hold."""
    out: JSON = {}
    for key in ("content", "components", "allowed_mentions", "tts"):
        if key in body:
            out[key] = body[key] if body[key] is not None else ("" if key == "content" else None)
    if "components" in out and out["components"] is None:
        out["components"] = []
    if "embeds" in body or "embed" in body:
        embeds = body.get("embeds")
        if embeds is None and body.get("embed") is not None:
            embeds = [body["embed"]]
        out["embeds"] = [normalise_embed(e) for e in embeds or []]
    if "flags" in body and body["flags"] is not None:
        out["flags"] = int(body["flags"])
    if "attachments" in body or files:
        kept: list[Attachment] = []
        wanted = body.get("attachments")
        if existing is not None and wanted is not None:
            keep_ids = {str(a.get("id")) for a in wanted}
            kept = [a for a in existing.attachments if str(a.id) in keep_ids]
        elif existing is not None and wanted is None:
            kept = list(existing.attachments)
        descriptions = {str(a.get("id")): a.get("description") for a in wanted or []}
        for idx, (filename, data, ctype) in enumerate(files):
            kept.append(Attachment(id=new_id(), filename=filename, data=data, content_type=ctype,
                                   description=descriptions.get(str(idx))))
        out["attachments"] = kept
    return out


def normalise_embed(e: JSON) -> JSON:
    """Discord fills in ``type: rich``; discord.py relies on it when re-reading embeds."""
    e = dict(e)
    e.setdefault("type", "rich")
    return e
