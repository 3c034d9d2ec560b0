"""README's "What the bot stores and why" must match the ORM models exactly, and every
column that can hold a person's ID must have an erasure rule."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table

import db.models  # noqa: F401  (registers every table)
from bot.rotate import BLIND_INDEXES, encrypted_columns
from cogs.privacy.inventory import INVENTORY, extract_block, parse_markdown, render_markdown
from db.base import Base
from db.repositories.privacy import PERSON_COLUMNS, stale_person_columns, unhandled_person_columns

README = Path(__file__).resolve().parents[2] / "README.md"


def model_columns() -> set[str]:
    return {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns}


def readme_columns() -> set[str]:
    block = extract_block(README.read_text(encoding="utf-8"))
    assert block is not None, "README.md lacks the <!-- inventory:start --> / <!-- inventory:end --> markers"
    return {f"{table}.{column}" for table, columns in parse_markdown(block).items() for column in columns}


def test_readme_documents_every_column_and_nothing_else() -> None:
    documented, actual = readme_columns(), model_columns()
    undocumented = sorted(actual - documented)
    stale = sorted(documented - actual)
    assert not undocumented, (f"columns missing from README's data inventory: {undocumented}. Add them to "
                              "cogs/privacy/inventory.py and run `python -m cogs.privacy.inventory`")
    assert not stale, f"README's data inventory lists columns that no longer exist: {stale}"


def test_readme_block_is_the_rendered_inventory() -> None:
    """/privacy shows INVENTORY; README must say exactly the same."""
    block = extract_block(README.read_text(encoding="utf-8"))
    assert block == render_markdown().strip("\n"), "README inventory is out of date: run " \
                                                   "`python -m cogs.privacy.inventory`"


def test_every_table_says_why_and_when_deleted() -> None:
    assert {t.name for t in INVENTORY} == set(Base.metadata.tables)
    for table in INVENTORY:
        assert len(table.why) > 20 and len(table.deleted) > 10, table.name
        assert all(text.strip() for _name, text in table.columns), table.name


def test_every_person_column_has_an_erasure_rule() -> None:
    assert unhandled_person_columns() == [], (
        "a column may hold a person's Discord ID but db/repositories/privacy.py PERSON_COLUMNS does not say "
        "what erasing that person does to it")
    assert stale_person_columns() == []


def test_detector_flags_a_new_table_with_user_ids() -> None:
    """The check above can fail: a new feature table with a user column is caught."""
    metadata = MetaData()
    Table("new_feature_thing", metadata, Column("id", Integer, primary_key=True),
          Column("guild_id", BigInteger), Column("channel_id", BigInteger), Column("member_id", BigInteger),
          Column("reviewer", BigInteger))
    assert unhandled_person_columns(metadata) == ["new_feature_thing.member_id", "new_feature_thing.reviewer"]


def test_every_table_with_a_user_column_is_covered() -> None:
    for table in Base.metadata.sorted_tables:
        if any(c.name in ("user_id", "actor_id") for c in table.columns):
            assert table.name in PERSON_COLUMNS, table.name


def test_rotation_knows_every_encrypted_column_and_blind_index() -> None:
    encrypted = {f"{t}.{c}" for t, cols in encrypted_columns().items() for c in cols}
    assert "repair_case.requester_enc" in encrypted and "onboarding_question.question_enc" in encrypted
    binary = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
              if c.name.endswith("_enc")}
    assert encrypted == binary
    indexes = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
               if c.name.endswith("_index") and c.name != "step_index"}
    assert indexes == {f"{table.__tablename__}.{index}" for table, index, _source in BLIND_INDEXES}
