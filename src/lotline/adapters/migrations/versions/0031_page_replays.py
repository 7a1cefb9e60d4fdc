"""page replays: the page a web form's POST answered, kept two minutes for its GET in the
database (it was in one server process's memory: with several workers, the GET could reach
another)

Revision ID: 0031
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lotline.adapters.types as lt

revision = '0031'
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'page_replays',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('owner_hash', sa.String(length=64), nullable=False),
        sa.Column('path', sa.String(length=2000), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('expires_at', lt.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_page_replays')),
    )
    op.create_index('ix_page_replays_expires_at', 'page_replays', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_page_replays_expires_at', table_name='page_replays')
    op.drop_table('page_replays')
