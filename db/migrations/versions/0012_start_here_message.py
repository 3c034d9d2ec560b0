"""guild_state.start_here_message_id: the welcome channel's "Start here" message

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('guild_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_here_message_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('guild_state', schema=None) as batch_op:
        batch_op.drop_column('start_here_message_id')
