"""access_request (/access request), and recording_exception.access_request_id (granted from one)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('access_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.BigInteger(), nullable=True),
    sa.Column('needs', sa.String(length=120), nullable=False),
    sa.Column('detail_enc', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('summary_message_id', sa.BigInteger(), nullable=True),
    sa.Column('recording_channel_id', sa.BigInteger(), nullable=True),
    sa.Column('recording_allowed_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_request')),
    sa.UniqueConstraint('guild_id', 'number', name='uq_access_request_guild_number'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('access_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_request_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_request_requester_id'), ['requester_id'], unique=False)

    with op.batch_alter_table('recording_exception', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_request_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_recording_exception_access_request_id'), ['access_request_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_recording_exception_access_request_id_access_request'),
                                    'access_request', ['access_request_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('recording_exception', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_recording_exception_access_request_id_access_request'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_recording_exception_access_request_id'))
        batch_op.drop_column('access_request_id')

    with op.batch_alter_table('access_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_request_requester_id'))
        batch_op.drop_index(batch_op.f('ix_access_request_guild_id'))

    op.drop_table('access_request')
