"""Pure checks behind the property-based e2e tests (tests/e2e/test_properties_*.py).

1. The checker itself can fail: payloads that would ping are reported, safe ones are not.
2. Text-bearing renderers stay within Discord's limits for any input (regressions for the two
   limit bugs the e2e properties found in repair: the summary embed over 6,000 characters and
   the relayed DM over 4,096 after defusing mass mentions).
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cogs.repair import logic as repair_logic
from cogs.repair import views as repair_views
from tests.e2e.property_support import (
    ADVERSARIAL,
    choice_problems,
    limit_problems,
    mention_problems,
    text_strategy,
)

NONE: dict[str, object] = {"parse": []}


def problems(body: dict[str, object], *, method: str = "POST", bait: set[int] = frozenset(),  # type: ignore[assignment]
             users: set[int] = frozenset(), roles: set[int] = frozenset()) -> list[str]:  # type: ignore[assignment]
    return mention_problems(body, method=method, bait_ids=set(bait), allowed_users=set(users),
                            allowed_roles=set(roles))


# --- the checker -------------------------------------------------------------------------------------------


def test_mentions_without_allowed_mentions_are_reported() -> None:
    assert problems({"content": "hi @everyone"})
    assert problems({"content": "hi <@123>"}, method="PATCH")
    assert problems({"content": "hi <@&5>"})


def test_no_mentions_needs_no_allowed_mentions() -> None:
    assert problems({"content": "plain text, an email a@b.org"}) == []
    assert problems({"embeds": [{"description": "@everyone <@1>"}]}) == [], "embeds never ping"


def test_parse_lists_are_judged() -> None:
    assert problems({"content": "@here", "allowed_mentions": {"parse": ["everyone"]}})
    assert problems({"content": "<@1>", "allowed_mentions": {"parse": ["users"]}})
    assert problems({"content": "<@&2>", "allowed_mentions": {"parse": ["roles"]}})
    assert problems({"content": "@everyone <@1> <@!1> <@&2>", "allowed_mentions": NONE}) == []


def test_deliberate_pings_only_of_the_intended_ids() -> None:
    welcome = {"content": "Welcome, <@7>!", "allowed_mentions": {"parse": [], "users": ["7"]}}
    assert problems(welcome, users={7}) == []
    assert problems(welcome) != [], "not an intended ping in this test"
    assert problems(welcome, users={7}, bait={7}) != [], "an ID typed by someone is never pinged"
    reminder = {"content": "<@&9> Reminder", "allowed_mentions": {"parse": [], "roles": ["9"]}}
    assert problems(reminder, roles={9}) == []
    assert problems({"content": "<@&9> <@&10>", "allowed_mentions": {"parse": [], "roles": ["9", "10"]}},
                    roles={9})


def test_components_v2_text_displays_count_as_pingable() -> None:
    body = {"components": [{"type": 17, "components": [{"type": 10, "content": "@everyone"}]}]}
    assert problems(body)
    assert problems({**body, "allowed_mentions": NONE}) == []


def test_limits() -> None:
    assert limit_problems({"content": "x" * 2000}) == []
    assert limit_problems({"content": "x" * 2001})
    assert limit_problems({"embeds": [{"description": "x" * 4097}]})
    assert limit_problems({"embeds": [{"description": "x" * 4000, "fields": [{"name": "n", "value": "v" * 1024}] * 2}]})
    assert limit_problems({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]})
    assert limit_problems({"embeds": [{"description": "ok"}]}) == []
    assert choice_problems({"data": {"choices": [{"name": "a", "value": "a"}] * 26}})
    assert choice_problems({"data": {"choices": [{"name": "x" * 101, "value": "a"}]}})
    assert choice_problems({"data": {"choices": [{"name": "ok", "value": "x" * 101}]}})
    assert choice_problems({"data": {"choices": [{"name": "ok", "value": "ok"}]}}) == []


# --- repair renderers within Discord's limits --------------------------------------------------------------

TEXT = text_strategy()
LONGEST = {k: ("@everyone " * 400)[:n] for k, n in repair_views.LIMITS.items()}


def case_view(what: str, who: str | None, help: str | None, cw: str | None, resolution: str | None,
              excluded: tuple[int, ...]) -> repair_views.CaseView:
    return repair_views.CaseView(
        case_id=1, number=12345, status="resolved", anonymous=False, requester_id=10**18, what_happened=what,
        who_involved=who, what_would_help=help, content_warning=cw, resolution=resolution, assignee_id=10**18 + 1,
        excluded_ids=excluded, created_at=datetime(2026, 1, 1, tzinfo=UTC), for_alternates=True)


@settings(max_examples=200, derandomize=True, database=None)
@example(what=LONGEST["what"], who=LONGEST["who"], help=LONGEST["help"], cw=LONGEST["cw"],
         resolution=("@everyone " * 200)[:1500], excluded=tuple(10**18 + i for i in range(5)))
@given(what=TEXT.map(lambda t: t[:3000]), who=st.none() | TEXT.map(lambda t: t[:500]),
       help=st.none() | TEXT.map(lambda t: t[:1000]), cw=st.none() | TEXT.map(lambda t: t[:300]),
       resolution=st.none() | TEXT.map(lambda t: t[:1500]),
       excluded=st.lists(st.integers(10**17, 10**19), max_size=repair_logic.MAX_EXCLUDED).map(tuple))
def test_summary_embed_fits_discord_for_any_case(what: str, who: str | None, help: str | None, cw: str | None,
                                                 resolution: str | None, excluded: tuple[int, ...]) -> None:
    embed = repair_views.summary_embed(case_view(what or "x", who, help, cw, resolution, excluded))
    assert limit_problems({"embeds": [embed.to_dict()]}) == []
    description = embed.description or ""
    if cw and cw.strip():
        assert description.startswith("**⚠️ Please read first"), "the content warning stays first"
    if len(embed) >= repair_views.EMBED_TOTAL_LIMIT - 100:
        assert description.endswith(repair_views.SHORTENED) or len(embed) <= repair_views.EMBED_TOTAL_LIMIT


@settings(max_examples=200, derandomize=True, database=None)
@example(text=("@everyone " * 400)[:4000])
@example(text="@here" * 800)
@given(text=TEXT)
def test_relayed_message_embed_fits_discord(text: str) -> None:
    case = type("Case", (), {"anonymous": True, "number": 3})()
    header, embed = repair_views.relay_message(case, None, repair_logic.clip(text, 4000))
    assert len(header) <= 2000
    assert limit_problems({"embeds": [embed.to_dict()]}) == []
    assert "@everyone" not in (embed.description or "") and "@here" not in (embed.description or "")


def test_adversarial_examples_cover_the_issue() -> None:
    joined = "\n".join(ADVERSARIAL)
    for bait in ("@everyone", "@here", "<@&", "<@!", "`@everyone`", "\u200d"):
        assert bait in joined
