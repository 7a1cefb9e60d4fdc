"""serial reservations: a unit ALLOCATED for a customer without an order (seed 001's
"Reserved — set aside for a specific order or client") carries the customer

Revision ID: 0028
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('serials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_serials_customer_id_customers'),
                                    'customers', ['customer_id'], ['id'])
    has_customer = sa.text("customer_id IS NOT NULL")
    op.create_index('ix_serials_customer_id', 'serials', ['customer_id'], unique=False,
                    sqlite_where=has_customer, postgresql_where=has_customer)


def downgrade() -> None:
    op.drop_index('ix_serials_customer_id', table_name='serials')
    with op.batch_alter_table('serials', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_serials_customer_id_customers'),
                                 type_='foreignkey')
        batch_op.drop_column('customer_id')
