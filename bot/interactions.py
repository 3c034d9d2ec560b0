"""The one interaction pipeline: custom_id specs, the DynamicItem base, the modal router, services.

Every button, select and modal of every feature goes through here, so that

- each `custom_id` is written ONCE, as a `CustomId` spec that gives the DynamicItem template, the
  builder and the parser (like Starlette's `compile_path`);
- every click is parsed from that spec, its ownership checked in `interaction_check` (with a kind
  reply, never a silent "This interaction failed"), and every error of its callback mapped by
  `bot.errors.report_interaction_error` — the one error mapping;
- every modal is per person and survives a restart: it is sent *detached* (discord.py's in-memory
  modal store keys open modals by custom_id alone, so two people with the same form open overwrite
  each other, and a restart forgets them all), and its MODAL_SUBMIT is routed here by its spec;
- features reach each other's use cases through `bot.services[KEY]` (bot/services.py: typed, like
  aiohttp's `web.AppKey`), never `get_cog("…")`.

The path of one click: docs/CONTRIBUTING.md. The short version for adopting it: /work/helpers/PIPELINE.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, cast

import discord

from bot.errors import NotAllowed, UserFacingError, report_interaction_error, send_ephemeral
from bot.i18n import from_locale, set_current
from bot.languages import LANGUAGES
from bot.services import Services
from bot.ui import modal_values

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT", bound="discord.ui.Item[Any]")

MAX_CUSTOM_ID = 100  # Discord refuses longer ones

NOT_YOUR_BUTTON = "This button was made for someone else, so I didn't act on it."
NOT_YOUR_FORM = "This form was opened for someone else, so I didn't send it."
STALE_OR_FORGED = ("I couldn't read this button (it may come from an older version of me). Nothing was "
                   "changed. Please use the newest message, or start again with the command.")


# --- custom_id specs ------------------------------------------------------------------------------


class BadCustomId(UserFacingError):
    """A custom_id that does not fit its spec (a forged one, or one from an older version)."""

    def __init__(self, message: str = STALE_OR_FORGED) -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class _Converter:
    regex: str
    parse: Callable[[str], Any]


# The value types a segment may have. `int` covers Discord IDs (up to 20 digits) and small numbers;
# `str` is any text without a colon (the separator). A segment written `{name:a|b|c}` takes exactly
# one of those words (e.g. a button's action).
CONVERTERS: dict[str, _Converter] = {
    "int": _Converter(r"[0-9]{1,20}", int),
    "str": _Converter(r"[^:]{1,80}", str),
    # An ID in base 36 (13 characters at most), and a '.'-separated list of them (maybe empty): compact
    # enough for a custom_id that carries a server and five people (repair's filing).
    "b36": _Converter(r"[0-9a-z]{1,13}", lambda text: int(text, 36)),
    "b36s": _Converter(r"[0-9a-z.]{0,70}", lambda text: tuple(int(p, 36) for p in text.split(".") if p)),
}

_SEGMENT = re.compile(r"\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<kind>[^{}]+))?\}")


class CustomId:
    """One custom_id shape, e.g. `CustomId("repair:ack:{guild:int}:{case:int}")`, compiled once.

    `.template` is the regex for `discord.ui.DynamicItem` (named groups); `.build(guild=1, case=2)`
    makes the custom_id; `.parse(custom_id)` gives `{"guild": 1, "case": 2}` or raises `BadCustomId`.
    A segment without a type is `str`.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.converters: dict[str, _Converter] = {}
        self._pieces: list[tuple[str, str]] = []  # (literal text before, segment name)
        pattern, pos = "", 0
        for match in _SEGMENT.finditer(path):
            name, kind = match["name"], match["kind"] or "str"
            if name in self.converters:
                raise ValueError(f"custom_id spec {path!r} names {name!r} twice")
            converter = CONVERTERS.get(kind)
            if converter is None:  # a choice of words: {action:next|back}
                words = kind.split("|")
                if len(words) < 2 or not all(re.fullmatch(r"[A-Za-z0-9_.-]+", w) for w in words):
                    raise ValueError(f"custom_id spec {path!r}: unknown type {kind!r}")
                converter = _Converter("|".join(map(re.escape, words)), str)
            self.converters[name] = converter
            self._pieces.append((path[pos:match.start()], name))
            pattern += re.escape(path[pos:match.start()]) + f"(?P<{name}>{converter.regex})"
            pos = match.end()
        pattern += re.escape(path[pos:])
        self._tail = path[pos:]
        self.template = pattern
        self.regex = re.compile(pattern)
        self.prefix = path.split("{", 1)[0]

    def __repr__(self) -> str:
        return f"CustomId({self.path!r})"

    def build(self, **values: Any) -> str:
        """The custom_id for these values. A wrong or missing value is a bug: ValueError."""
        if set(values) != set(self.converters):
            raise ValueError(f"{self!r} needs {sorted(self.converters)}, got {sorted(values)}")
        out = ""
        for literal, name in self._pieces:
            text = str(values[name])
            if not re.fullmatch(self.converters[name].regex, text):
                raise ValueError(f"{self!r}: {name}={text!r} does not fit")
            out += literal + text
        out += self._tail
        if len(out) > MAX_CUSTOM_ID:
            raise ValueError(f"{self!r}: {out!r} is longer than Discord's {MAX_CUSTOM_ID} characters")
        return out

    def match(self, custom_id: str) -> dict[str, Any] | None:
        """The values, or None when this custom_id is not of this shape."""
        found = self.regex.fullmatch(custom_id)
        if found is None:
            return None
        return {name: converter.parse(found[name]) for name, converter in self.converters.items()}

    def parse(self, custom_id: str) -> dict[str, Any]:
        """The values; a custom_id of another shape (forged, or from an older version) is refused."""
        values = self.match(custom_id)
        if values is None:
            raise BadCustomId()
        return values


def services_of(client: discord.Client) -> Services:
    """`interaction.client.services` (the bot's registry; see bot.client.CoalitionBot)."""
    services = getattr(client, "services", None)
    if not isinstance(services, Services):
        raise RuntimeError("this client has no service registry (expected a CoalitionBot)")
    return services


def use_language_of(interaction: discord.Interaction) -> None:
    """Answer the rest of this interaction in the language of the person who sent it (their choice,
    else their client's locale, which the book remembers for later DMs). Called first by every item,
    modal route and slash command."""
    book = services_of(interaction.client).get(LANGUAGES)
    user_id = interaction.user.id
    set_current(book.observe(user_id, interaction.locale) if book is not None else from_locale(interaction.locale))


# --- the DynamicItem base --------------------------------------------------------------------------


class Item(discord.ui.DynamicItem[ItemT], template=r"(?!)"):  # the base itself matches nothing
    """The base of every button and select: declare `spec=` in the class line, write `act()`.

        class AckButton(Item[discord.ui.Button[Any]], spec=CustomId("repair:ack:{guild:int}:{case:int}")):
            def __init__(self, guild: int, case: int) -> None:
                super().__init__(discord.ui.Button(label="Acknowledge",
                                                   custom_id=self.spec.build(guild=guild, case=case)))
                self.guild, self.case = guild, case

            async def act(self, interaction): ...

    `from_custom_id` parses with the spec and calls `cls.restore(item, values)` (by default
    `cls(**values)`); `interaction_check` runs `check()` (raise a UserFacingError to refuse: the
    person gets it as a private reply); `callback` runs `act()` and maps every error once.
    Set `owner = "user"` to let only the person whose ID is in that segment press it, and
    `redact = True` to keep the custom_id and the IDs out of the error log.
    """

    spec: ClassVar[CustomId]
    where: ClassVar[str] = ""
    owner: ClassVar[str | None] = None
    redact: ClassVar[bool] = False
    not_yours: ClassVar[str] = NOT_YOUR_BUTTON

    def __init_subclass__(cls, *, spec: CustomId | None = None, **kwargs: Any) -> None:
        if spec is None:  # an intermediate base: it matches nothing itself
            super().__init_subclass__(template=r"(?!)", **kwargs)
            return
        cls.spec = spec
        cls.where = cls.where or cls.__name__
        super().__init_subclass__(template=spec.template, **kwargs)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Item[Any]:
        return cls.restore(item, cls.spec.parse(str(getattr(item, "custom_id", ""))))

    @classmethod
    def restore(cls, item: discord.ui.Item[Any], values: dict[str, Any]) -> Item[Any]:
        """Rebuild the item from its custom_id's values (override to also keep e.g. its label)."""
        return cls(**values)

    @property
    def values(self) -> dict[str, Any]:
        return self.spec.parse(self.custom_id)

    async def check(self, interaction: discord.Interaction) -> None:
        """Raise a UserFacingError to refuse this click (its text is the private reply)."""
        if self.owner is not None and self.values[self.owner] != interaction.user.id:
            raise NotAllowed(self.not_yours)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        use_language_of(interaction)  # the callback runs in this same task, so it answers in it too
        try:
            await self.check(interaction)
        except Exception as error:
            await report_interaction_error(interaction, error, self.where, redact=self.redact)
            return False
        return True

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.act(interaction)
        except Exception as error:
            await report_interaction_error(interaction, error, self.where, redact=self.redact)

    async def act(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


# --- modals: per person, routed by spec -----------------------------------------------------------

ModalHandler = Callable[[discord.Interaction, dict[str, Any], dict[str, Any]], Awaitable[None]]


def personal_modal(spec: CustomId, title: str, *fields: discord.ui.Item[Any], **values: Any) -> discord.ui.Modal:
    """A modal whose submission reaches the handler registered for `spec` on `bot.modals`, never
    discord.py's in-memory store (stopped at once, so it is never filed there)."""
    modal = discord.ui.Modal(title=title, custom_id=spec.build(**values))
    for field in fields:
        modal.add_item(field)
    modal.stop()
    return modal


@dataclass(frozen=True, slots=True)
class _ModalRoute:
    spec: CustomId
    handler: ModalHandler
    where: str
    owner: str | None
    redact: bool
    not_yours: str


class ModalRouter:
    """Routes every MODAL_SUBMIT by its custom_id spec to one registered handler, with the one error
    mapping. `CoalitionBot.on_interaction` calls `dispatch`; features `register` in their setup.

    handler(interaction, values from the custom_id, field values by their custom_id). With `owner`
    (default "user"), a submission whose custom_id names someone else is refused kindly.
    """

    def __init__(self) -> None:
        self._routes: list[_ModalRoute] = []

    def register(self, spec: CustomId, handler: ModalHandler, *, where: str = "", owner: str | None = "user",
                 redact: bool = False, not_yours: str = NOT_YOUR_FORM) -> None:
        if owner is not None and owner not in spec.converters:
            raise ValueError(f"{spec!r} has no {owner!r} segment to check the sender against")
        self.unregister(spec)
        self._routes.append(_ModalRoute(spec, handler, where or spec.prefix, owner, redact, not_yours))

    def unregister(self, spec: CustomId) -> None:
        self._routes = [r for r in self._routes if r.spec.path != spec.path]

    def route(self, custom_id: str) -> tuple[_ModalRoute, dict[str, Any]] | None:
        for route in self._routes:
            values = route.spec.match(custom_id)
            if values is not None:
                return route, values
        return None

    async def dispatch(self, interaction: discord.Interaction) -> bool:
        """Handle a MODAL_SUBMIT; False when no spec claims it (someone else's, or discord.py's)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return False
        data = cast(dict[str, Any], interaction.data or {})
        found = self.route(str(data.get("custom_id", "")))
        if found is None:
            return False
        route, values = found
        use_language_of(interaction)
        try:
            if route.owner is not None and values[route.owner] != interaction.user.id:
                raise NotAllowed(route.not_yours)  # a form opened for someone else (a forged custom_id)
            await route.handler(interaction, values, modal_values(data))
        except Exception as error:
            await report_interaction_error(interaction, error, route.where, redact=route.redact)
        return True


async def refuse(interaction: discord.Interaction, message: str) -> None:
    """A kind private reply (answered or not yet): for refusals that are not errors."""
    await send_ephemeral(interaction, message)
