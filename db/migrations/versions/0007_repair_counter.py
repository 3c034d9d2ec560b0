"""repair_counter (case numbers and IDs never reused); where onboarding questions were posted

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'repair_counter',
        sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('guild_id', name=op.f('pk_repair_counter')),
    )
    # Start from what exists: numbers and IDs already given out are never given out again.
    op.execute("INSERT INTO repair_counter (guild_id, last_number) "
               "SELECT guild_id, MAX(number) FROM repair_case GROUP BY guild_id")
    op.execute("INSERT INTO repair_counter (guild_id, last_number) SELECT 0, MAX(id) FROM repair_case "
               "HAVING COUNT(*) > 0")
    with op.batch_alter_table('onboarding_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_channel_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('post_message_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('onboarding_question', schema=None) as batch_op:
        batch_op.drop_column('post_message_id')
        batch_op.drop_column('post_channel_id')
    op.drop_table('repair_counter')
