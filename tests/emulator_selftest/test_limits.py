"""The emulator refuses what Discord refuses: one self-test per documented limit.

Each case sends a payload one step over a limit (and the same payload at the limit, which must
pass), straight over HTTP as a bot would, and expects Discord's answer: HTTP 400, code 50035
"Invalid Form Body", with an ``errors`` tree naming the field. The refusals are then cleared
from ``emu.form_errors`` (the `emulator` fixture fails any test that leaves one behind).
"""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

import aiohttp
import discord
import pytest

from tests.conftest import BOT_TOKEN, StandardGuild
from tests.emulator import Emulator
from tests.emulator import permissions as P
from tests.emulator.interactions import InteractionRecord

from .clients import intents, running

JSON = dict[str, Any]


def button(cid: str = "b", label: str = "Go") -> JSON:
    return {"type": 2, "style": 1, "custom_id": cid, "label": label}


def row(*items: JSON) -> JSON:
    return {"type": 1, "components": list(items)}


def string_select(n_options: int = 2, **extra: Any) -> JSON:
    options = [{"label": f"o{i}", "value": f"v{i}"} for i in range(n_options)]
    return {"type": 3, "custom_id": "s", "options": options, **extra}


def embed(**extra: Any) -> JSON:
    return {"title": "t", **extra}


# (limit, payload at the limit, payload over it, the field Discord names)
MESSAGE_CASES: list[tuple[str, JSON, JSON, str]] = [
    ("content 2000", {"content": "x" * 2000}, {"content": "x" * 2001}, "content"),
    ("10 embeds", {"embeds": [embed()] * 10}, {"embeds": [embed()] * 11}, "embeds"),
    ("embeds 6000 in total", {"embeds": [embed(title="t" * 250, description="d" * 3750)] * 1 + [
        embed(title="", description="d" * 2000)]},
     {"embeds": [embed(title="t" * 250, description="d" * 3750), embed(title="", description="d" * 2001)]},
     "embeds"),
    ("embed title 256", {"embeds": [embed(title="t" * 256)]}, {"embeds": [embed(title="t" * 257)]}, "embeds"),
    ("embed description 4096", {"embeds": [embed(description="d" * 4096)]},
     {"embeds": [embed(description="d" * 4097)]}, "embeds"),
    ("embed 25 fields", {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 25)]},
     {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]}, "embeds"),
    ("embed field name 256", {"embeds": [embed(fields=[{"name": "n" * 256, "value": "v"}])]},
     {"embeds": [embed(fields=[{"name": "n" * 257, "value": "v"}])]}, "embeds"),
    ("embed field value 1024", {"embeds": [embed(fields=[{"name": "n", "value": "v" * 1024}])]},
     {"embeds": [embed(fields=[{"name": "n", "value": "v" * 1025}])]}, "embeds"),
    ("embed footer 2048", {"embeds": [embed(footer={"text": "f" * 2048})]},
     {"embeds": [embed(footer={"text": "f" * 2049})]}, "embeds"),
    ("embed author 256", {"embeds": [embed(author={"name": "a" * 256})]},
     {"embeds": [embed(author={"name": "a" * 257})]}, "embeds"),
    ("5 action rows", {"components": [row(button(f"b{i}")) for i in range(5)]},
     {"components": [row(button(f"b{i}")) for i in range(6)]}, "components"),
    ("5 buttons per row", {"components": [row(*[button(f"b{i}") for i in range(5)])]},
     {"components": [row(*[button(f"b{i}") for i in range(6)])]}, "components"),
    ("custom_id 100", {"components": [row(button("c" * 100))]}, {"components": [row(button("c" * 101))]},
     "components"),
    ("button label 80", {"components": [row(button(label="l" * 80))]},
     {"components": [row(button(label="l" * 81))]}, "components"),
    ("25 select options", {"components": [row(string_select(25))]},
     {"components": [row(string_select(26))]}, "components"),
    ("placeholder 150", {"components": [row(string_select(placeholder="p" * 150))]},
     {"components": [row(string_select(placeholder="p" * 151))]}, "components"),
    ("components v2: 4000 characters of text",
     {"flags": 1 << 15, "components": [{"type": 17, "components": [{"type": 10, "content": "x" * 4000}]}]},
     {"flags": 1 << 15, "components": [{"type": 17, "components": [{"type": 10, "content": "x" * 4001}]}]},
     "components"),
]


async def call(emu: Emulator, method: str, path: str, body: Any, token: str | None = BOT_TOKEN) -> tuple[int, JSON]:
    headers = {"Authorization": f"Bot {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.request(method, emu.api_base_url + path, json=body,
                                                             headers=headers) as resp:
        return resp.status, (await resp.json() if resp.status != 204 else {})


def assert_refused(emu: Emulator, status: int, out: JSON, field: str) -> None:
    assert status == 400, out
    assert out["code"] == 50035 and out["message"] == "Invalid Form Body"
    assert field in out["errors"], out["errors"]
    assert emu.form_errors, "the refusal is kept so the fixture can fail the test that caused it"
    emu.form_errors.clear()


@pytest.mark.parametrize(("limit", "ok", "over", "field"), MESSAGE_CASES, ids=[c[0] for c in MESSAGE_CASES])
async def test_channel_message_limits(emulator: Emulator, standard_guild: StandardGuild, limit: str, ok: JSON,
                                      over: JSON, field: str) -> None:
    path = f"/channels/{standard_guild.general.id}/messages"
    status, out = await call(emulator, "POST", path, ok)
    assert status == 200, out
    status, out = await call(emulator, "POST", path, over)
    assert_refused(emulator, status, out, field)
    # edits are held to the same limits
    status, out = await call(emulator, "PATCH", f"{path}/{standard_guild.general.messages()[-1].id}", over)
    assert_refused(emulator, status, out, field)


def fake_interaction(emu: Emulator, sg: StandardGuild, itype: int, *, with_source: bool = False) -> InteractionRecord:
    """An interaction as if a user had just used one (no bot needs to be connected to receive it)."""
    world = emu.world
    source = world.create_message(sg.general, sg.bot.user, dispatch=False, content="panel") if with_source else None
    rec = InteractionRecord(id=world.ids.next(), token=secrets.token_urlsafe(32), type=itype, bot=sg.bot,
                            user=sg.owner.user, guild=sg.guild, channel=sg.general, data={}, source=source,
                            dispatched_at=time.monotonic())
    emu.interactions.by_id[rec.id] = rec
    emu.interactions.by_token[rec.token] = rec
    return rec


async def callback(emu: Emulator, rec: InteractionRecord, body: JSON) -> tuple[int, JSON]:
    return await call(emu, "POST", f"/interactions/{rec.id}/{rec.token}/callback", body, token=None)


@pytest.mark.parametrize(("limit", "ok", "over", "field"), MESSAGE_CASES[:1] + MESSAGE_CASES[10:11],
                         ids=["content 2000", "5 action rows"])
async def test_interaction_replies_and_followups_have_message_limits(
        emulator: Emulator, standard_guild: StandardGuild, limit: str, ok: JSON, over: JSON, field: str) -> None:
    rec = fake_interaction(emulator, standard_guild, 2)
    assert_refused(emulator, *(await callback(emulator, rec, {"type": 4, "data": over})), f"{field}")
    status, out = await callback(emulator, rec, {"type": 4, "data": ok})
    assert status == 204, out
    hook = f"/webhooks/{standard_guild.bot.id}/{rec.token}"
    assert_refused(emulator, *(await call(emulator, "POST", hook, over, token=None)), field)
    assert_refused(emulator, *(await call(emulator, "PATCH", hook + "/messages/@original", over, token=None)),
                   field)


def text_input(cid: str = "t", label: str = "Your answer", **extra: Any) -> JSON:
    return {"type": 4, "custom_id": cid, "style": 1, "label": label, **extra}


def modal(*items: JSON, title: str = "Tell us") -> JSON:
    return {"custom_id": "m", "title": title, "components": list(items)}


def labelled(component: JSON, label: str = "Outcome") -> JSON:
    return {"type": 18, "label": label, "component": component}


MODAL_CASES: list[tuple[str, JSON, JSON]] = [
    ("title 45", modal(row(text_input()), title="t" * 45), modal(row(text_input()), title="t" * 46)),
    ("5 items", modal(*[row(text_input(f"t{i}")) for i in range(5)]),
     modal(*[row(text_input(f"t{i}")) for i in range(6)])),
    ("no disabled", modal(labelled(string_select())), modal(labelled(string_select(disabled=False)))),
    ("required select in a label needs min_values >= 1",
     modal(labelled(string_select(min_values=0, required=False))),
     modal(labelled(string_select(min_values=0)))),
]


@pytest.mark.parametrize(("limit", "ok", "over"), MODAL_CASES, ids=[c[0] for c in MODAL_CASES])
async def test_modal_limits(emulator: Emulator, standard_guild: StandardGuild, limit: str, ok: JSON,
                            over: JSON) -> None:
    rec = fake_interaction(emulator, standard_guild, 3, with_source=True)
    assert_refused(emulator, *(await callback(emulator, rec, {"type": 9, "data": over})), "data")
    status, out = await callback(emulator, rec, {"type": 9, "data": ok})
    assert status == 204, out


# (interaction type, a callback type Discord refuses for it, one it accepts)
CALLBACK_CASES = [
    ("slash command: no update-message", 2, {"type": 7, "data": {"content": "x"}}, {"type": 5}),
    ("slash command: no autocomplete result", 2, {"type": 8, "data": {"choices": []}}, {"type": 4, "data": {
        "content": "x"}}),
    ("component: no autocomplete result", 3, {"type": 8, "data": {"choices": []}}, {"type": 6}),
    ("autocomplete: only results", 4, {"type": 4, "data": {"content": "x"}}, {"type": 8, "data": {"choices": []}}),
    ("modal submit: no modal", 5, {"type": 9, "data": modal(row(text_input()))}, {"type": 4, "data": {
        "content": "x"}}),
    ("autocomplete: 25 choices", 4, {"type": 8, "data": {"choices": [{"name": f"c{i}", "value": "v"}
                                                                     for i in range(26)]}},
     {"type": 8, "data": {"choices": [{"name": f"c{i}", "value": "v"} for i in range(25)]}}),
]


@pytest.mark.parametrize(("case", "itype", "refused", "accepted"), CALLBACK_CASES, ids=[c[0] for c in CALLBACK_CASES])
async def test_callback_types_per_interaction_type(emulator: Emulator, standard_guild: StandardGuild, case: str,
                                                   itype: int, refused: JSON, accepted: JSON) -> None:
    rec = fake_interaction(emulator, standard_guild, itype, with_source=itype == 3)
    status, out = await callback(emulator, rec, refused)
    assert status == 400 and out["code"] == 50035, out
    emulator.form_errors.clear()
    status, out = await callback(emulator, rec, accepted)
    assert status == 204, out


def command(**extra: Any) -> JSON:
    return {"name": "tag", "description": "Choose your tags", "type": 1, **extra}


def option(name: str = "who", otype: int = 3, **extra: Any) -> JSON:
    return {"name": name, "description": "d", "type": otype, **extra}


COMMAND_CASES: list[tuple[str, JSON, JSON]] = [
    ("name 32", command(name="n" * 32), command(name="n" * 33)),
    ("name lowercase", command(name="coi-tag"), command(name="Coi-Tag")),
    ("name pattern", command(name="coi_tag"), command(name="coi tag")),
    ("description 1", command(description="d"), command(description="")),
    ("description 100", command(description="d" * 100), command(description="d" * 101)),
    ("25 options", command(options=[option(f"o{i}") for i in range(25)]),
     command(options=[option(f"o{i}") for i in range(26)])),
    ("25 subcommands", command(options=[option(f"s{i}", 1) for i in range(25)]),
     command(options=[option(f"s{i}", 1) for i in range(26)])),
    ("option description 100", command(options=[option(description="d" * 100)]),
     command(options=[option(description="d" * 101)])),
    ("channel_types values", command(options=[option("room", 7, channel_types=[0, 2, 13])]),
     command(options=[option("room", 7, channel_types=[0, 2, 99])])),
    ("25 choices", command(options=[option(choices=[{"name": f"c{i}", "value": f"{i}"} for i in range(25)])]),
     command(options=[option(choices=[{"name": f"c{i}", "value": f"{i}"} for i in range(26)])])),
    # Localizations, as Discord checks them: known locales, names like names, descriptions up to 100.
    ("localization locale", command(name_localizations={"es-ES": "marcar", "es-419": "marcar"}),
     command(name_localizations={"es": "marcar"})),
    ("localized name pattern", command(name_localizations={"es-419": "marcar-temas"}),
     command(name_localizations={"es-419": "Marcar temas"})),
    ("localized name 32", command(name_localizations={"es-ES": "n" * 32}),
     command(name_localizations={"es-ES": "n" * 33})),
    ("localized description 100", command(description_localizations={"es-ES": "d" * 100}),
     command(description_localizations={"es-ES": "d" * 101})),
    ("localized option name", command(options=[option(name_localizations={"es-ES": "quien"})]),
     command(options=[option(name_localizations={"es-ES": "quién es"})])),
    ("localized option description", command(options=[option(description_localizations={"es-419": "d"})]),
     command(options=[option(description_localizations={"es-419": ""})])),
    ("localized choice name 100",
     command(options=[option(choices=[{"name": "c", "value": "c", "name_localizations": {"es-ES": "Sí " * 33}}])]),
     command(options=[option(choices=[{"name": "c", "value": "c", "name_localizations": {"es-ES": "x" * 101}}])])),
]


@pytest.mark.parametrize(("limit", "ok", "over"), COMMAND_CASES, ids=[c[0] for c in COMMAND_CASES])
async def test_command_definition_limits(emulator: Emulator, standard_guild: StandardGuild, limit: str, ok: JSON,
                                         over: JSON) -> None:
    bot = standard_guild.bot
    base = f"/applications/{bot.id}/guilds/{standard_guild.guild.id}/commands"
    assert_refused(emulator, *(await call(emulator, "PUT", base, [over])), "0")
    status, out = await call(emulator, "POST", base, over)
    assert status == 400 and out["code"] == 50035, out
    emulator.form_errors.clear()
    status, out = await call(emulator, "PUT", base, [ok])
    assert status == 200, out
    assert bot.guild_commands[standard_guild.guild.id][0]["name"] == ok["name"]


async def test_discord_py_sees_invalid_form_body_and_the_fixture_would_fail_the_test(
        emulator: Emulator, standard_guild: StandardGuild) -> None:
    """A real client gets discord.HTTPException(50035) and the refusal waits in form_errors."""
    client = discord.Client(intents=intents())
    async with running(emulator, client, BOT_TOKEN):
        channel = client.get_channel(standard_guild.general.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as raised:
            await channel.send("x" * 2001)
        assert raised.value.status == 400 and raised.value.code == 50035
        embed_over = discord.Embed(title="t" * 257)
        with pytest.raises(discord.HTTPException):
            await channel.send(embed=embed_over)
    assert [r.route for r, _ in emulator.form_errors] == ["POST /channels/{channel_id}/messages"] * 2
    assert "content: Must be 2000 or fewer in length" in emulator.form_errors[0][1]
    emulator.form_errors.clear()


def test_limit_cases_are_copies() -> None:
    """Guards the tables above: the 'ok' and 'over' payloads differ (a case that cannot fail is a defect)."""
    for cases in (MESSAGE_CASES, MODAL_CASES, COMMAND_CASES):
        for case in cases:
            assert copy.deepcopy(case[1]) != copy.deepcopy(case[2]), case[0]


async def test_voice_status_endpoint(emulator: Emulator, standard_guild: StandardGuild) -> None:
    """PUT /channels/{id}/voice-status: voice channels only, 500 characters, its permission."""
    sg = standard_guild
    room = sg.guild.create_voice_channel("meeting")
    path = f"/channels/{room.id}/voice-status"
    status, out = await call(emulator, "PUT", path, {"status": "s" * 500})
    assert status == 204 and room.status == "s" * 500
    assert_refused(emulator, *(await call(emulator, "PUT", path, {"status": "s" * 501})), "status")
    status, out = await call(emulator, "PUT", f"/channels/{sg.general.id}/voice-status", {"status": "x"})
    assert status == 400 and out["code"] == 50024
    status, _ = await call(emulator, "PUT", path, {"status": None})
    assert status == 204 and room.status is None
    sg.guild.set_overwrite(room, sg.bot.role(sg.guild), deny=P.SET_VOICE_CHANNEL_STATUS)
    status, out = await call(emulator, "PUT", path, {"status": "x"})
    assert status == 403 and out["code"] == 50013
