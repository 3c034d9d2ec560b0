"""The interaction pipeline (bot/interactions.py) and the shared helpers (bot/plaintext.py, bot/locks.py).

Interactions here are small stand-ins (only what the pipeline touches); the real path is proven by
the end-to-end tests, which click every onboarding button and submit every form on the emulator.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, ClassVar

import discord
import pytest

from bot.errors import BadInput, NotAllowed
from bot.interactions import (
    NOT_YOUR_FORM,
    BadCustomId,
    CustomId,
    Item,
    ModalRouter,
    personal_modal,
)
from bot.locks import KeyedLocks
from bot.plaintext import clip, pack_pages
from bot.services import ServiceKey, ServiceMissing, Services

ACK = CustomId("repair:ack:{guild:int}:{case:int}")


# --- specs --------------------------------------------------------------------------------------


def test_a_spec_builds_parses_and_gives_the_template() -> None:
    custom_id = ACK.build(guild=12, case=345)
    assert custom_id == "repair:ack:12:345"
    assert ACK.parse(custom_id) == {"guild": 12, "case": 345}
    assert ACK.template == r"repair:ack:(?P<guild>[0-9]{1,20}):(?P<case>[0-9]{1,20})"


@pytest.mark.parametrize("forged", [
    "repair:ack:12", "repair:ack:12:345:6", "repair:ack:x:345", "repair:ack:-1:2", "repair:ACK:1:2",
    "repair:ack:1:2 ", "xrepair:ack:1:2", "repair:ack:123456789012345678901:1", ""])
def test_a_forged_custom_id_is_refused_kindly(forged: str) -> None:
    assert ACK.match(forged) is None
    with pytest.raises(BadCustomId) as refused:
        ACK.parse(forged)
    assert "Nothing was changed" in str(refused.value)


def test_choices_and_text_segments() -> None:
    step = CustomId("onboarding:{action:next|back}:{guild:int}")
    assert step.parse("onboarding:back:7") == {"action": "back", "guild": 7}
    assert step.match("onboarding:explode:7") is None
    with pytest.raises(ValueError):
        step.build(action="explode", guild=7)
    filing = CustomId("repair:file:{guild}:{mode:str}")
    assert filing.parse("repair:file:abc:a-b") == {"guild": "abc", "mode": "a-b"}
    assert filing.match("repair:file:a:b:c") is None  # text never takes the separator


def test_building_refuses_wrong_values_and_ids_over_discords_limit() -> None:
    with pytest.raises(ValueError):
        ACK.build(guild=1)  # missing
    with pytest.raises(ValueError):
        ACK.build(guild=1, case=2, extra=3)
    with pytest.raises(ValueError):
        CustomId("x:{a:str}:{b:str}").build(a="a" * 60, b="b" * 60)  # 100+ characters
    with pytest.raises(ValueError):
        CustomId("x:{a:int}:{a:int}")
    with pytest.raises(ValueError):
        CustomId("x:{a:float}")


# --- the DynamicItem base ------------------------------------------------------------------------


@dataclass
class FakeResponse:
    sent: list[str] = field(default_factory=list)

    def is_done(self) -> bool:
        return bool(self.sent)

    async def send_message(self, content: str, **kwargs: Any) -> None:
        assert kwargs.get("ephemeral") is True
        self.sent.append(content)


def interaction(user_id: int, custom_id: str = "", kind: discord.InteractionType = discord.InteractionType.component,
                fields: list[dict[str, Any]] | None = None) -> Any:
    data = {"custom_id": custom_id, "components": [{"type": 1, "components": fields or []}]}
    return SimpleNamespace(id=1, type=kind, data=data, user=SimpleNamespace(id=user_id), guild_id=5, command=None,
                           response=FakeResponse(), followup=None, locale="en-US",
                           client=SimpleNamespace(services=Services()))


class OwnButton(Item[discord.ui.Button[Any]], spec=CustomId("test:own:{guild:int}:{user:int}")):
    owner = "user"
    acted: ClassVar[list[int]] = []

    def __init__(self, guild: int, user: int) -> None:
        super().__init__(discord.ui.Button(label="Mine", custom_id=self.spec.build(guild=guild, user=user)))

    async def act(self, interaction: discord.Interaction) -> None:
        if self.values["guild"] == 0:
            raise BadInput("Guild zero is not a place.")
        if self.values["guild"] == 1:
            raise RuntimeError("boom")
        self.acted.append(interaction.user.id)


async def test_an_item_is_rebuilt_from_its_custom_id() -> None:
    base = discord.ui.Button(label="Mine", custom_id="test:own:3:4")
    match = OwnButton.__discord_ui_compiled_template__.fullmatch("test:own:3:4")
    assert match is not None
    item = await OwnButton.from_custom_id(interaction(4), base, match)
    assert isinstance(item, OwnButton) and item.values == {"guild": 3, "user": 4}


async def test_someone_elses_button_is_refused_with_a_reply() -> None:
    button = OwnButton(3, 4)
    stranger = interaction(9)
    assert await button.interaction_check(stranger) is False
    assert stranger.response.sent == ["This button was made for someone else, so I didn't act on it."]
    owner = interaction(4)
    assert await button.interaction_check(owner) is True
    await button.callback(owner)
    assert OwnButton.acted[-1] == 4 and owner.response.sent == []


async def test_every_error_of_a_callback_becomes_one_kind_reply(caplog: pytest.LogCaptureFixture) -> None:
    expected = interaction(4)
    await OwnButton(0, 4).callback(expected)
    assert expected.response.sent == ["Guild zero is not a place."]
    with caplog.at_level(logging.ERROR):
        failing = interaction(4, custom_id="test:own:1:4")
        await OwnButton(1, 4).callback(failing)
    assert "something went wrong" in failing.response.sent[0]
    assert "custom_id=test:own:1:4" in caplog.text  # unexpected: logged with what it needs


class SecretButton(Item[discord.ui.Button[Any]], spec=CustomId("test:secret:{case:int}")):
    redact = True

    def __init__(self, case: int) -> None:
        super().__init__(discord.ui.Button(label="Secret", custom_id=self.spec.build(case=case)))

    async def act(self, interaction: discord.Interaction) -> None:
        raise RuntimeError("boom")


async def test_a_redacted_item_keeps_ids_out_of_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        failing = interaction(424242, custom_id="test:secret:777")
        await SecretButton(777).callback(failing)
    assert "something went wrong" in failing.response.sent[0]
    assert "SecretButton" in caplog.text
    assert "777" not in caplog.text and "424242" not in caplog.text


# --- modals ---------------------------------------------------------------------------------------

FORM = CustomId("test:ask:{guild:int}:{user:int}")


async def test_a_personal_modal_is_never_filed_in_discord_pys_store() -> None:
    modal = personal_modal(FORM, "Ask", discord.ui.TextInput(label="Q", custom_id="q"), guild=1, user=2)
    assert modal.custom_id == "test:ask:1:2" and modal.is_finished()


async def test_the_router_hands_each_form_to_its_handler() -> None:
    router = ModalRouter()
    got: list[tuple[dict[str, Any], dict[str, Any]]] = []

    async def handler(_interaction: discord.Interaction, ids: dict[str, Any], fields: dict[str, Any]) -> None:
        got.append((ids, fields))

    router.register(FORM, handler)
    submit = discord.InteractionType.modal_submit
    field_q = {"type": 4, "custom_id": "q", "value": "Why?"}
    assert await router.dispatch(interaction(2, "test:ask:1:2", submit, [field_q])) is True
    assert got == [({"guild": 1, "user": 2}, {"q": "Why?"})]
    assert await router.dispatch(interaction(2, "other:ask:1:2", submit)) is False  # not ours
    assert await router.dispatch(interaction(2, "test:ask:1:2", discord.InteractionType.component)) is False

    stolen = interaction(3, "test:ask:1:2", submit, [field_q])
    assert await router.dispatch(stolen) is True
    assert stolen.response.sent == [NOT_YOUR_FORM] and len(got) == 1
    router.unregister(FORM)
    assert await router.dispatch(interaction(2, "test:ask:1:2", submit)) is False


async def test_a_handlers_error_is_mapped_once() -> None:
    router = ModalRouter()

    async def handler(_interaction: discord.Interaction, ids: dict[str, Any], fields: dict[str, Any]) -> None:
        raise NotAllowed("Not now.")

    router.register(FORM, handler)
    submitted = interaction(2, "test:ask:1:2", discord.InteractionType.modal_submit)
    await router.dispatch(submitted)
    assert submitted.response.sent == ["Not now."]
    with pytest.raises(ValueError):
        router.register(CustomId("test:x:{guild:int}"), handler)  # no person to check against


# --- services -------------------------------------------------------------------------------------


class Greeter:
    def hello(self) -> str:
        return "hi"


GREETER = ServiceKey("greeter", Greeter)


def test_services_are_typed_and_a_missing_one_is_a_kind_error() -> None:
    services = Services()
    with pytest.raises(ServiceMissing):
        services[GREETER]
    with pytest.raises(TypeError):
        services.provide(GREETER, object())  # type: ignore[arg-type]
    services.provide(GREETER, Greeter())
    assert services[GREETER].hello() == "hi" and GREETER in services
    services.remove(GREETER)
    assert services.get(GREETER) is None


# --- shared helpers -------------------------------------------------------------------------------


def test_clip_and_pack_pages() -> None:
    assert clip("abc", 3) == "abc" and clip("abcd", 3) == "ab…"
    pages = pack_pages([f"<@{i}>" for i in range(600)], 200, sep=", ", head="New: ")
    assert all(len(p) <= 200 and p.startswith("New: ") for p in pages)
    assert ", ".join(p.removeprefix("New: ") for p in pages) == ", ".join(f"<@{i}>" for i in range(600))
    assert pack_pages([]) == []
    assert pack_pages(["x" * 50], 10) == ["x" * 9 + "…"]


async def test_keyed_locks_serialise_one_key_and_are_dropped_after() -> None:
    locks: KeyedLocks[int] = KeyedLocks()
    order: list[str] = []

    async def work(name: str, key: int) -> None:
        async with locks.hold(key):
            order.append(f"{name} in")
            await asyncio.sleep(0)
            order.append(f"{name} out")

    await asyncio.gather(work("a", 1), work("b", 1), work("c", 2))
    assert order.index("a out") < order.index("b in")
    assert len(locks) == 0 and not locks.locked(1)
