"""webhook attempts: one row per HTTP attempt of a delivery; test deliveries carry their body

Revision ID: 0026
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lotline.adapters.types as lt

revision = '0026'
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.alter_column('event_id', existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=True))
    op.create_table(
        'webhook_attempts',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  autoincrement=True, nullable=False),
        sa.Column('delivery_id', sa.String(length=36), nullable=False),
        sa.Column('endpoint_id', sa.String(length=36), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('attempted_at', lt.UTCDateTime(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=2000), nullable=True),
        sa.Column('response_body', sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], ondelete='CASCADE',
                                name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts')),
    )
    op.create_index('ix_webhook_attempts_delivery_id_number', 'webhook_attempts',
                    ['delivery_id', 'number'], unique=False)
    op.create_index('ix_webhook_attempts_endpoint_id', 'webhook_attempts', ['endpoint_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_webhook_attempts_endpoint_id', table_name='webhook_attempts')
    op.drop_index('ix_webhook_attempts_delivery_id_number', table_name='webhook_attempts')
    op.drop_table('webhook_attempts')
    op.execute(sa.text("DELETE FROM webhook_deliveries WHERE event_id IS NULL"))
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_column('payload')
        batch_op.alter_column('event_id', existing_type=sa.BigInteger(), nullable=False)
