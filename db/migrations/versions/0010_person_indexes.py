"""indexes on user columns /mydata looks a person up by (membership, coi_tag, audit_log)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('coi_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coi_tag_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
    with op.batch_alter_table('coi_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coi_tag_user_id'))
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
