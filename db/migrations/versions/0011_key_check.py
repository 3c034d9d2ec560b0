"""key_check: which keys encrypted the data, and the blind-index secret

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'key_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fingerprints', sa.String(length=400), nullable=False),
        sa.Column('index_secret_enc', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('key_check')
