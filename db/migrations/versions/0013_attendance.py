"""meeting attendance by organization: organizations, affiliations, check-ins, and the meeting's kind

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        # Meetings opened before this version were not marked: "other" (they don't count).
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='other', nullable=False))

    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=100), nullable=False),
    sa.Column('added_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('guild_id', 'name_key', name=op.f('uq_organization_guild_id'))
    )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_guild_id'), ['guild_id'], unique=False)

    op.create_table('organization_affiliation',
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('set_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id', 'user_id', name=op.f('pk_organization_affiliation'))
    )
    with op.batch_alter_table('organization_affiliation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_affiliation_organization_id'), ['organization_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_organization_affiliation_user_id'), ['user_id'], unique=False)

    op.create_table('attendance_checkin',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_attendance_checkin'))
    )
    with op.batch_alter_table('attendance_checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_checkin_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_checkin_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_checkin_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attendance_checkin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_checkin_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_checkin_organization_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_checkin_guild_id'))
    op.drop_table('attendance_checkin')
    with op.batch_alter_table('organization_affiliation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_affiliation_user_id'))
        batch_op.drop_index(batch_op.f('ix_organization_affiliation_organization_id'))
    op.drop_table('organization_affiliation')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_guild_id'))
    op.drop_table('organization')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('kind')
