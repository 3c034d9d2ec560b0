"""guild_wiring: the roles and channels each server uses, held by ID after set-up

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('guild_wiring',
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('configured', sa.String(length=100), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'key', name=op.f('pk_guild_wiring'))
    )


def downgrade() -> None:
    op.drop_table('guild_wiring')
