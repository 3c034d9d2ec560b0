"""person_language: each person's language (chosen, or their Discord app's)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('person_language',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('chosen', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_person_language'))
    )


def downgrade() -> None:
    op.drop_table('person_language')
