"""person_language.updated_at: when a person's language last changed (other shard processes pick it up)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: the rows already there were read by every process at start-up and stay NULL until
    # they change.
    with op.batch_alter_table('person_language', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_language_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('person_language', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_language_updated_at'))
        batch_op.drop_column('updated_at')
