"""list page indexes: keyset pages of products, suppliers, customers, locations and orders
(the web UI's lists: 50 rows in id order without sorting the organization's every row), and
on PostgreSQL trigram indexes for their substring search (ILIKE '%...%'); receipt lines keep
the lots their ASN announced (`expected_lots`, JSON)

Revision ID: 0024
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = "0021"
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_products_org_id_id', 'products', ['org_id', 'id']),
    ('ix_suppliers_org_id_id', 'suppliers', ['org_id', 'id']),
    ('ix_customers_org_id_id', 'customers', ['org_id', 'id']),
    ('ix_locations_org_id_id', 'locations', ['org_id', 'id']),
    ('ix_orders_org_id_id', 'orders', ['org_id', 'id']),
    ('ix_orders_org_id_status_id', 'orders', ['org_id', 'status', 'id']),
)
# Searched text columns (repositories' `q`); like ix_serials_serial_number_trgm, these live
# outside `tables.metadata` (PostgreSQL only, and only where pg_trgm could be created).
SEARCHED = (('products', 'sku'), ('products', 'name'), ('suppliers', 'name'),
            ('suppliers', 'code'), ('customers', 'name'), ('customers', 'code'),
            ('locations', 'code'))


def upgrade() -> None:
    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_lots', sa.JSON(), nullable=True))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, column in SEARCHED:
        op.execute("DO $$ DECLARE trgm_schema text; BEGIN "
                   "SELECT n.nspname INTO trgm_schema FROM pg_extension e "
                   "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'; "
                   "IF trgm_schema IS NOT NULL THEN EXECUTE format('CREATE INDEX "
                   f"ix_{table}_{column}_trgm ON {table} USING gin "
                   f"({column} %I.gin_trgm_ops)', trgm_schema); END IF; END $$")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in SEARCHED:
            op.execute(f'DROP INDEX IF EXISTS ix_{table}_{column}_trgm')
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.drop_column('expected_lots')
