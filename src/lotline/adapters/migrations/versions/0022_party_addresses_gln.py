"""suppliers, customers and warehouses have a full address (region) and an optional GLN;
warehouses get a phone and an address (FSMA 204 location descriptions, EPCIS SGLNs)

Revision ID: 0022
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None

PARTY_TABLES = ('suppliers', 'customers')
WAREHOUSE_COLUMNS = (('phone', 200), ('street', 200), ('city', 200), ('postal_code', 40),
                     ('country', 200))


def upgrade() -> None:
    for table in PARTY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('region', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('gln', sa.String(length=13), nullable=True))
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        for name, length in WAREHOUSE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(sa.Column('region', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('gln', sa.String(length=13), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_column('gln')
        batch_op.drop_column('region')
        for name, _ in reversed(WAREHOUSE_COLUMNS):
            batch_op.drop_column(name)
    for table in PARTY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('gln')
            batch_op.drop_column('region')
