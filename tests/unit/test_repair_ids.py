"""Repair's custom_ids: each spec builds what it parses, within Discord's 100 characters, in the
shapes earlier versions posted (so old buttons and forms keep working)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.interactions import BadCustomId
from cogs.repair import ids, logic
from cogs.repair.filing import filing_values
from cogs.repair.logic import Filing

MAX_SNOWFLAKE = 2**63 - 1


@given(st.integers(1, MAX_SNOWFLAKE), st.booleans(), st.lists(st.integers(1, MAX_SNOWFLAKE), max_size=8))
def test_a_filing_round_trips_and_fits(guild: int, anonymous: bool, excluded: list[int]) -> None:
    filing = Filing(guild, anonymous, tuple(excluded[: logic.MAX_EXCLUDED]))
    for spec in (ids.FILE, ids.FILING_FORM):
        custom_id = spec.build(**filing_values(filing))
        assert len(custom_id) <= 100
        values = spec.parse(custom_id)
        assert Filing(values["guild"], values["mode"] == "a", values["excluded"]) == filing


def test_shapes_earlier_versions_posted_still_parse() -> None:
    assert ids.FILING_FORM.parse("repair:file:2n9c:n:") == {"guild": int("2n9c", 36), "mode": "n", "excluded": ()}
    assert ids.FILE.parse("repair:go:2n9c:a:1.z")["excluded"] == (1, 35)
    assert ids.CASE.parse("repair:ack:17") == {"action": "ack", "case": 17}
    assert ids.FORM.parse("repair:closem:17") == {"form": "closem", "case": 17}
    assert ids.EXCLUDE.parse("repair:ex:2n9c") == {"guild": int("2n9c", 36)}
    assert ids.RELAY.parse("repair:relay:123") == {"message": 123}
    assert ids.START.parse("repair:start") == {} and ids.GUILD.parse("repair:guild") == {}


@pytest.mark.parametrize("forged", ["repair:file:2N9C:n:", "repair:file:2n9c:x:", "repair:ack:x", "repair:closem:",
                                    "repair:go:2n9c:n:" + "a" * 71])
def test_forged_ids_are_refused(forged: str) -> None:
    specs = (ids.FILING_FORM, ids.CASE, ids.FORM, ids.FILE)
    assert all(spec.match(forged) is None for spec in specs)
    with pytest.raises(BadCustomId):
        ids.FILING_FORM.parse(forged)


async def test_an_old_relay_picker_refuses_a_forged_value_kindly() -> None:
    """'Which case is this message for?' pickers from before the DM router stay in people's DMs; a value
    that is no case ID is a kind refusal (the one error mapping answers it), never a crash in int()."""
    from types import SimpleNamespace

    from bot.errors import BadInput
    from cogs.repair import texts
    from cogs.repair.relay import RelaySelect

    picker = RelaySelect(message=123)
    for values in (["abc"], [], ["1", "2"]):
        with pytest.raises(BadInput, match=texts.PICK_A_CASE):
            await picker.act(SimpleNamespace(data={"values": values}))  # type: ignore[arg-type]
