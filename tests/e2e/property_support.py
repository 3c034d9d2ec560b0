"""Shared pieces of the property-based e2e tests (tests/e2e/test_properties_*.py).

The real bot runs in-process once per test function; hypothesis examples reuse it. Each
example runs inside a `Probe`, which afterwards asserts:

* no record at ERROR or above was logged (any logger: the bot's, discord.py's "Ignoring
  exception in ...", asyncio's "Task exception was never retrieved");
* every interaction dispatched during the example was answered;
* every message-bearing request the bot sent (channel messages, edits, interaction callbacks,
  webhook follow-ups and their edits, thread starter messages) cannot ping anyone from user
  text: mass mentions are not parsed, and any user/role it may ping is one of the few
  deliberately pinged IDs of that test, never an ID that appears in the generated text;
* the same, seen from the emulator's stored messages (`pings_anyone` & co.);
* what the bot sent stays within Discord's limits (content 2,000; embeds 4,096/1,024/6,000;
  autocomplete choices 25 × 100 characters), since real Discord would answer 400 otherwise.

Generated text uses placeholders for IDs only known at run time (the moderator role, the
server, people); `Ids.fill` replaces them.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, example, settings
from hypothesis import strategies as st

from tests.conftest import StandardGuild
from tests.emulator import Emulator

# --- hypothesis settings ------------------------------------------------------------------------

SCALE = float(os.environ.get("PROPERTY_EXAMPLES_SCALE", "1"))


def prop_settings(max_examples: int) -> settings:
    """Deterministic (derandomize, no example database), no deadline (each example is a few
    round trips through the emulator), the function-scoped bot reused across examples.
    PROPERTY_EXAMPLES_SCALE=10 runs ten times as many; PROPERTY_SHRINK=1 shrinks failures."""
    phases = [Phase.explicit, Phase.generate]
    if os.environ.get("PROPERTY_SHRINK"):
        phases.append(Phase.shrink)
    return settings(max_examples=max(1, int(max_examples * SCALE)), deadline=None, derandomize=True,
                    database=None, phases=phases, print_blob=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])


# --- placeholders and adversarial text --------------------------------------------------------------

MOD_ROLE, EVERYONE_ROLE, OWNER, MODERATOR, BOT = "⟦ROLE⟧", "⟦EVERYONE⟧", "⟦OWNER⟧", "⟦MOD⟧", "⟦BOT⟧"


@dataclass(frozen=True)
class Ids:
    mod_role: int
    guild: int
    owner: int
    moderator: int
    bot: int

    @classmethod
    def of(cls, sg: StandardGuild) -> Ids:
        assert sg.moderator_role is not None
        return cls(sg.moderator_role.id, sg.guild.id, sg.owner.id, sg.moderator.id, sg.bot.id)

    def fill(self, text: str) -> str:
        return (text.replace(MOD_ROLE, str(self.mod_role)).replace(EVERYONE_ROLE, str(self.guild))
                .replace(OWNER, str(self.owner)).replace(MODERATOR, str(self.moderator)).replace(BOT, str(self.bot)))


ZWJ, ZWSP = "\u200d", "\u200b"

# Pieces an attacker (or an unlucky paste) puts in text.
TOKENS = [
    "@everyone", "@here", f"<@&{MOD_ROLE}>", f"<@&{EVERYONE_ROLE}>", f"<@{OWNER}>", f"<@!{OWNER}>", f"<@{MODERATOR}>",
    f"<@!{BOT}>", "`@everyone`", "```\n@here\n```", f"@every{ZWJ}one", f"@{ZWSP}here", "＠everyone", "@Moderator",
    "<#1>", "<@&>", "<@!>", "<@123456789012345678>", "<@&999999999999999999>", "\n", "\r\n", "\t", "> ", ">>> ",
    "**", "__", "~~", "||", "# ", "-# ", "[link](https://example.org)", "https://discord.gg/x", "\u202e", "\u0000",
    "yes", "Yes!", "no", "all", "funders", "law_enforcement", "IHRRC", "COI", "🙂", "👍🏽", "é", "ß", "ﬁ", "İ", "中文",
    "عربى", "\ufe0f", "\\", "\"", "'", "%s", "{0}", "<t:0:R>", "</about:1>", "@", "<", ">", "&", " ",
]

# Explicit examples every text entry point runs (placeholders filled at run time).
ADVERSARIAL = [
    "@everyone",
    "@here",
    f"<@{OWNER}>",
    f"<@!{OWNER}>",
    f"<@&{MOD_ROLE}>",
    f"<@&{EVERYONE_ROLE}>",
    "`@everyone`",
    f"@every{ZWJ}one and @{ZWSP}here",
    f"please look @everyone @here <@&{MOD_ROLE}> <@{OWNER}> <@!{MODERATOR}> <@&{EVERYONE_ROLE}> thanks",
    "",
    "   \n\t  ",
    "yes",
    "Yes — I am committed! @everyone",
    "x" * 4000,
    ("@everyone " * 400)[:4000],
    "中文 عربى 🙂👍🏽 é\u0301 \u202eoverride\u202c İ ß ﬁ",
    "line one\nline two\r\n> quoted\n>>> block\n# heading\n-# small\n```py\n@here\n```",
    "**bold** __under__ ~~strike~~ ||spoiler|| [link](https://example.org) <t:0:R> </about:1>",
    "nul\u0000byte",
]


def with_examples(*extra: str, **others: Any) -> Any:
    """Decorator: every ADVERSARIAL string (and `extra`) as an explicit example of the `text`
    argument; `others` gives the other arguments' values in those examples."""
    def apply(fn: Any) -> Any:
        for text in [*ADVERSARIAL, *extra]:
            fn = example(text=text, **others)(fn)
        return fn
    return apply


def _joined(parts: list[str]) -> str:
    return "".join(parts)


def text_strategy(max_size: int = 4000) -> st.SearchStrategy[str]:
    """Free text as people type it, plus mention bait and formatting, plus very long text."""
    any_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=min(max_size, 200))
    pieces = st.one_of(st.sampled_from(TOKENS), st.text(st.characters(blacklist_categories=["Cs"]), max_size=12))
    bait = st.lists(pieces, max_size=24).map(_joined)
    long = st.builds(lambda s, n: (s * n)[:max_size], st.sampled_from([*TOKENS[:10], "a", "é ", "🙂"]),
                     st.integers(min_value=1, max_value=max_size))
    return st.one_of(any_text, bait, bait, long)


def fit(text: str, max_length: int) -> str:
    """What Discord lets through a field with this max_length (it counts UTF-16 code units... we
    clip by code points, which is never longer)."""
    return text[:max_length]


# --- evidence checks ------------------------------------------------------------------------------------

MASS = re.compile(r"@(everyone|here)")
USER = re.compile(r"<@!?(\d+)>")
ROLE = re.compile(r"<@&(\d+)>")

MESSAGE_ROUTES = {
    "POST /channels/{channel_id}/messages",
    "PATCH /channels/{channel_id}/messages/{message_id}",
    "POST /webhooks/{webhook_id}/{webhook_token}",
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
}
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
THREADS = {"POST /channels/{channel_id}/threads", "POST /channels/{channel_id}/messages/{message_id}/threads"}


def message_bodies(route: str, body: Any) -> Iterator[dict[str, Any]]:
    """The message payload(s) one bot request carries."""
    if not isinstance(body, dict):
        return
    if route in MESSAGE_ROUTES:
        yield body
    elif route == CALLBACK and body.get("type") in (4, 7) and isinstance(body.get("data"), dict):
        yield body["data"]
    elif route in THREADS and isinstance(body.get("message"), dict):
        yield body["message"]


def walk(components: Any) -> Iterator[dict[str, Any]]:
    for c in components or []:
        if isinstance(c, dict):
            yield c
            yield from walk(c.get("components"))
            if isinstance(c.get("component"), dict):
                yield from walk([c["component"]])
            if isinstance(c.get("accessory"), dict):
                yield from walk([c["accessory"]])


def pingable_text(body: dict[str, Any]) -> str:
    """Text whose mentions can notify: content, and text displays of components v2."""
    parts = [str(body.get("content") or "")]
    parts += [str(c.get("content") or "") for c in walk(body.get("components")) if c.get("type") == 10]
    return "\n".join(parts)


def mention_problems(body: dict[str, Any], *, method: str, bait_ids: set[int], allowed_users: set[int],
                     allowed_roles: set[int]) -> list[str]:
    """Why this payload could ping someone it must not (empty when safe)."""
    text = pingable_text(body)
    mass = bool(MASS.search(text))
    users = {int(x) for x in USER.findall(text)}
    roles = {int(x) for x in ROLE.findall(text)}
    if not (mass or users or roles):
        return []
    am = body.get("allowed_mentions")
    if not isinstance(am, dict):
        # Absent: Discord parses every mention (for an edit, the message's previous setting applies;
        # the bot must not rely on that).
        return [f"{method} with mentions in its text but no allowed_mentions: {text[:120]!r}"]
    parse = set(am.get("parse") or [])
    problems = []
    if mass and "everyone" in parse:
        problems.append("parses @everyone/@here")
    pinged_users = users if "users" in parse else users & {int(x) for x in am.get("users") or []}
    pinged_roles = roles if "roles" in parse else roles & {int(x) for x in am.get("roles") or []}
    if pinged_users - allowed_users or pinged_users & bait_ids:
        problems.append(f"may ping users {sorted(pinged_users)} (allowed {sorted(allowed_users)})")
    if pinged_roles - allowed_roles or pinged_roles & bait_ids:
        problems.append(f"may ping roles {sorted(pinged_roles)} (allowed {sorted(allowed_roles)})")
    return [f"{p}: {text[:120]!r}" for p in problems]


def embed_size(e: dict[str, Any]) -> int:
    n = len(e.get("title") or "") + len(e.get("description") or "")
    n += len((e.get("footer") or {}).get("text") or "") + len((e.get("author") or {}).get("name") or "")
    for f in e.get("fields") or []:
        n += len(f.get("name") or "") + len(f.get("value") or "")
    return n


def limit_problems(body: dict[str, Any]) -> list[str]:
    """Discord's documented message limits (the emulator accepts more, Discord answers 400)."""
    out = []
    content = body.get("content")
    if content is not None and len(content) > 2000:
        out.append(f"content of {len(content)} characters")
    embeds = body.get("embeds") or ([body["embed"]] if body.get("embed") else [])
    if len(embeds) > 10:
        out.append(f"{len(embeds)} embeds")
    total = 0
    for e in embeds:
        total += embed_size(e)
        checks = [("title", len(e.get("title") or ""), 256), ("description", len(e.get("description") or ""), 4096),
                  ("footer", len((e.get("footer") or {}).get("text") or ""), 2048),
                  ("author", len((e.get("author") or {}).get("name") or ""), 256),
                  ("fields", len(e.get("fields") or []), 25)]
        for f in e.get("fields") or []:
            checks += [("field name", len(f.get("name") or ""), 256), ("field value", len(f.get("value") or ""), 1024)]
            if not f.get("name") or not f.get("value"):
                out.append("an embed field with an empty name or value")
        out += [f"embed {what} of {n} (max {cap})" for what, n, cap in checks if n > cap]
    if total > 6000:
        out.append(f"embeds total {total} characters (max 6000)")
    for c in walk(body.get("components")):
        if c.get("type") == 2 and len(c.get("label") or "") > 80:
            out.append("a button label over 80 characters")
        if c.get("type") == 3:
            for o in c.get("options") or []:
                if not 1 <= len(o.get("label") or "") <= 100 or len(o.get("description") or "") > 100:
                    out.append(f"a select option label/description out of range: {o.get('label')!r}")
    return out


def choice_problems(body: dict[str, Any]) -> list[str]:
    """Autocomplete results (callback type 8)."""
    choices = (body.get("data") or {}).get("choices") or []
    out = [f"{len(choices)} choices (max 25)"] if len(choices) > 25 else []
    for c in choices:
        name, value = str(c.get("name") or ""), c.get("value")
        if not 1 <= len(name) <= 100:
            out.append(f"choice name of {len(name)} characters")
        if isinstance(value, str) and not 1 <= len(value) <= 100:
            out.append(f"choice value of {len(value)} characters")
    return out


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(repr=False)
class Guard:
    """What a whole test may ping on purpose (e.g. exactly one newcomer in the welcome channel)."""

    emu: Emulator
    sg: StandardGuild
    allowed_users: set[int] = field(default_factory=set)
    allowed_roles: set[int] = field(default_factory=set)
    bait_ids: set[int] = field(default_factory=set)
    responses_checked: int = 0
    echoes: dict[str, int] = field(default_factory=dict)
    # State a test keeps across its examples (e.g. the newcomer whose flow is in use).
    state: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Guard checked={self.responses_checked} echoes={self.echoes}>"

    @property
    def ids(self) -> Ids:
        return Ids.of(self.sg)

    def probe(self, *texts: str) -> Probe:
        return Probe(self, texts)

    def check_requests(self, start: int = 0, end: int | None = None) -> list[str]:
        problems = []
        for r in self.emu.request_log[start:end]:
            if r.bot_id != self.sg.bot.id or r.status >= 400:
                continue
            if r.route == CALLBACK and isinstance(r.body, dict) and r.body.get("type") == 8:
                self.responses_checked += 1
                problems += [f"autocomplete: {p}" for p in choice_problems(r.body)]
            for body in message_bodies(r.route, r.body):
                self.responses_checked += 1
                problems += mention_problems(body, method=r.route, bait_ids=self.bait_ids,
                                             allowed_users=self.allowed_users, allowed_roles=self.allowed_roles)
                problems += [f"{r.route}: {p}" for p in limit_problems(body)]
        return problems

    def check_stored_messages(self) -> list[str]:
        problems = []
        for msg in list(self.emu.world.messages.values()):
            if msg.author.id != self.sg.bot.id:
                continue
            if msg.pings_everyone:
                problems.append(f"stored message {msg.id} pings @everyone/@here: {msg.content[:120]!r}")
            users, roles = set(msg.pinged_user_ids), set(msg.pinged_role_ids)
            if users - self.allowed_users or users & self.bait_ids:
                problems.append(f"stored message {msg.id} pings users {sorted(users)}: {msg.content[:120]!r}")
            if roles - self.allowed_roles or roles & self.bait_ids:
                problems.append(f"stored message {msg.id} pings roles {sorted(roles)}: {msg.content[:120]!r}")
        return problems

    def note_echo(self, entry: str, seen: bool) -> None:
        """Count (and report to `--hypothesis-show-statistics`) inputs that reached a message."""
        event(f"{entry}: {'echoed' if seen else 'not echoed'}")
        if seen:
            self.echoes[entry] = self.echoes.get(entry, 0) + 1


class Probe:
    """One example: capture errors and requests, then check them (see the module docstring)."""

    def __init__(self, guard: Guard, texts: Iterable[str]) -> None:
        self.guard = guard
        self.texts = list(texts)
        self.handler = ErrorLog()

    async def __aenter__(self) -> Probe:
        emu = self.guard.emu
        self.start = len(emu.request_log)
        self.interactions_before = set(emu.interactions.by_id)
        for text in self.texts:
            self.guard.bait_ids |= {int(x) for x in USER.findall(text) + ROLE.findall(text)}
        logging.getLogger().addHandler(self.handler)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        logging.getLogger().removeHandler(self.handler)
        if exc is not None:
            return
        errors = [f"{r.name}: {r.getMessage()}\n{logging.Formatter().formatException(r.exc_info)}"
                  if r.exc_info else f"{r.name}: {r.getMessage()}" for r in self.handler.records]
        assert not errors, "errors logged while handling the input:\n" + "\n".join(errors)
        emu = self.guard.emu
        unanswered = [r for r in emu.unacknowledged_interactions() if r.id not in self.interactions_before]
        assert not unanswered, [f"{r.data.get('name') or r.data.get('custom_id')}" for r in unanswered]
        problems = self.guard.check_requests(self.start) + self.guard.check_stored_messages()
        assert not problems, "\n".join(problems)


def normalised(text: str) -> str:
    """For echo detection only: case-folded, no zero-width characters, whitespace collapsed."""
    text = text.replace(ZWSP, "").replace(ZWJ, "")
    return " ".join(text.split()).casefold()


def echoed_in(text: str, haystack: str, probe_len: int = 40) -> bool:
    """Did (a recognisable start of) `text` make it into `haystack`?"""
    core = normalised(text)[:probe_len]
    return bool(core) and core in normalised(haystack)


def interesting(text: str) -> bool:
    """Text carrying mention syntax (for counting how often bait really reached a message)."""
    return bool(MASS.search(text) or USER.search(text) or ROLE.search(text))


def bot_text_since(emu: Emulator, sg: StandardGuild, start: int) -> str:
    """All pingable and embed text the bot sent since request `start` (for echo detection)."""
    out = []
    for r in emu.request_log[start:]:
        if r.bot_id != sg.bot.id:
            continue
        for body in message_bodies(r.route, r.body):
            out.append(pingable_text(body))
            for e in body.get("embeds") or []:
                out += [e.get("description") or ""] + [f.get("value") or "" for f in e.get("fields") or []]
    return "\n".join(out)


@pytest.fixture
async def guard(emulator: Emulator, standard_guild: StandardGuild) -> AsyncIterator[Guard]:
    """The per-test `Guard`; at teardown the whole test's requests and messages are checked again
    (catching anything the bot sent after an example had ended)."""
    g = Guard(emulator, standard_guild)
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        yield g
    finally:
        logging.getLogger().removeHandler(errors)
    # Also errors after an example ended (e.g. a second DM listener still running when the first replied).
    assert not errors.records, "errors logged during the test:\n" + "\n".join(
        f"{r.name}: {r.getMessage()}" for r in errors.records)
    problems = g.check_requests() + g.check_stored_messages()
    assert not problems, "\n".join(problems)
    assert g.responses_checked > 0, "no message or choice list of the bot was checked: the test exercised nothing"
