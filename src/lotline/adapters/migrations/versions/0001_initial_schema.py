"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lotline.adapters.types as lt

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organizations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organizations_slug'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('occurred_at', lt.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_audit_log_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_org_id_entity_entity_id', ['org_id', 'entity', 'entity_id'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=200), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=200), nullable=True),
    sa.Column('postal_code', sa.String(length=40), nullable=True),
    sa.Column('country', sa.String(length=200), nullable=True),
    sa.Column('min_remaining_shelf_life_days', sa.Integer(), nullable=True),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.CheckConstraint('min_remaining_shelf_life_days IS NULL OR min_remaining_shelf_life_days >= 0', name=op.f('ck_customers_min_shelf_life')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_customers_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_org_id_name', ['org_id', 'name'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('sku', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('uom', sa.String(length=8), nullable=False),
    sa.Column('tracking', sa.String(length=12), nullable=False),
    sa.Column('removal_strategy', sa.String(length=8), nullable=False),
    sa.Column('shelf_life_days', sa.Integer(), nullable=True),
    sa.Column('expiry_alert_days', sa.Integer(), nullable=False),
    sa.Column('serial_pattern', sa.String(length=100), nullable=True),
    sa.Column('chain_seq', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('chain_head', sa.String(length=64), server_default='0000000000000000000000000000000000000000000000000000000000000000', nullable=False),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.CheckConstraint("tracking IN ('none', 'lot', 'serial', 'lot_serial')", name=op.f('ck_products_tracking')),
    sa.CheckConstraint('expiry_alert_days >= 0', name=op.f('ck_products_alert_days')),
    sa.CheckConstraint('shelf_life_days IS NULL OR shelf_life_days >= 0', name=op.f('ck_products_shelf_life')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_products_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('org_id', 'sku', name=op.f('uq_products_org_id_sku'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('uq_products_org_id_gtin', ['org_id', 'gtin'], unique=True, sqlite_where=sa.text('gtin IS NOT NULL'), postgresql_where=sa.text('gtin IS NOT NULL'))

    op.create_table('suppliers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=200), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=200), nullable=True),
    sa.Column('postal_code', sa.String(length=40), nullable=True),
    sa.Column('country', sa.String(length=200), nullable=True),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_suppliers_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppliers'))
    )
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.create_index('ix_suppliers_org_id_name', ['org_id', 'name'], unique=False)

    op.create_table('warehouses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_warehouses_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('org_id', 'code', name=op.f('uq_warehouses_org_id_code'))
    )
    op.create_table('locations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('hold_reason', sa.String(length=2000), nullable=True),
    sa.Column('hold_kind', sa.String(length=20), nullable=True),
    sa.Column('hold_since', lt.UTCDateTime(), nullable=True),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_locations_org_id_organizations')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_locations_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('warehouse_id', 'code', name=op.f('uq_locations_warehouse_id_code'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index('ix_locations_org_id_warehouse_id', ['org_id', 'warehouse_id'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_orders_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('org_id', 'reference', name=op.f('uq_orders_org_id_reference'))
    )
    op.create_table('serial_status_counts',
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_serial_status_counts_count')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_serial_status_counts_org_id_organizations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_serial_status_counts_product_id_products')),
    sa.PrimaryKeyConstraint('org_id', 'product_id', 'status', name=op.f('pk_serial_status_counts'))
    )
    op.create_table('batches',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=True),
    sa.Column('supplier_key', sa.String(length=36), nullable=False),
    sa.Column('batch_number', sa.String(length=100), nullable=False),
    sa.Column('batch_number_folded', sa.String(length=200), nullable=False),
    sa.Column('manufacturer_batch_number', sa.String(length=100), nullable=True),
    sa.Column('internal_batch_number', sa.String(length=100), nullable=True),
    sa.Column('external_batch_number', sa.String(length=100), nullable=True),
    sa.Column('manufacturing_date', sa.Date(), nullable=True),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('quantity', lt.Amount(), nullable=False),
    sa.Column('unit_cost', lt.Amount(), nullable=True),
    sa.Column('purchase_date', sa.Date(), nullable=False),
    sa.Column('received_at', lt.UTCDateTime(), nullable=False),
    sa.Column('entry_transaction_ref', sa.String(length=36), nullable=True),
    sa.Column('location_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('hold_reason', sa.String(length=2000), nullable=True),
    sa.Column('hold_kind', sa.String(length=20), nullable=True),
    sa.Column('hold_since', lt.UTCDateTime(), nullable=True),
    sa.Column('sales_rate', lt.Amount(), nullable=True),
    sa.Column('label_rate', lt.Amount(), nullable=True),
    sa.Column('custom_fields', sa.JSON(), nullable=False),
    sa.Column('serial_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('chain_seq', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('chain_head', sa.String(length=64), server_default='0000000000000000000000000000000000000000000000000000000000000000', nullable=False),
    sa.Column('deleted_at', lt.UTCDateTime(), nullable=True),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f('ck_batches_status')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_batches_quantity')),
    sa.CheckConstraint('serial_count >= 0', name=op.f('ck_batches_serial_count')),
    sa.CheckConstraint('unit_cost IS NULL OR unit_cost >= 0', name=op.f('ck_batches_unit_cost')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_batches_location_id_locations')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_batches_org_id_organizations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_batches_product_id_products')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_batches_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches'))
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index('ix_batches_org_id_batch_number_folded', ['org_id', 'batch_number_folded'], unique=False)
        batch_op.create_index('ix_batches_org_id_expiry_date', ['org_id', 'expiry_date'], unique=False)
        batch_op.create_index('ix_batches_org_id_product_id_expiry_date', ['org_id', 'product_id', 'expiry_date'], unique=False)
        batch_op.create_index('uq_batches_identity', ['org_id', 'product_id', 'supplier_key', 'batch_number_folded'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('order_lines',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', lt.Amount(), nullable=False),
    sa.Column('unit_price', lt.Amount(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_lines_quantity')),
    sa.CheckConstraint('unit_price IS NULL OR unit_price >= 0', name=op.f('ck_order_lines_unit_price')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_order_lines_org_id_organizations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_order_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines')),
    sa.UniqueConstraint('order_id', 'line_no', name=op.f('uq_order_lines_order_id_line_no'))
    )
    op.create_table('lot_balances',
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('location_id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('in_quantity', lt.Amount(), nullable=False),
    sa.Column('balance_quantity', lt.Amount(), nullable=False),
    sa.Column('allocated_quantity', lt.Amount(), nullable=False),
    sa.CheckConstraint('allocated_quantity >= 0 AND allocated_quantity <= balance_quantity', name=op.f('ck_lot_balances_allocated')),
    sa.CheckConstraint('balance_quantity >= 0', name=op.f('ck_lot_balances_balance')),
    sa.CheckConstraint('in_quantity >= 0', name=op.f('ck_lot_balances_in_quantity')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_lot_balances_batch_id_batches')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_lot_balances_location_id_locations')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_lot_balances_org_id_organizations')),
    sa.PrimaryKeyConstraint('batch_id', 'location_id', name=op.f('pk_lot_balances'))
    )
    op.create_table('serials',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('scope_key', sa.String(length=36), nullable=False),
    sa.Column('serial_number', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=True),
    sa.Column('location_id', sa.String(length=36), nullable=True),
    sa.Column('warehouse_id', sa.String(length=36), nullable=True),
    sa.Column('purchase_date', sa.Date(), nullable=True),
    sa.Column('warranty_expiry', sa.Date(), nullable=True),
    sa.Column('unit_cost', lt.Amount(), nullable=True),
    sa.Column('hold_reason', sa.String(length=2000), nullable=True),
    sa.Column('hold_kind', sa.String(length=20), nullable=True),
    sa.Column('hold_since', lt.UTCDateTime(), nullable=True),
    sa.Column('parent_serial_id', sa.String(length=36), nullable=True),
    sa.Column('entry_movement_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.CheckConstraint('unit_cost IS NULL OR unit_cost >= 0', name=op.f('ck_serials_unit_cost')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_serials_batch_id_batches')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_serials_location_id_locations')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_serials_order_id_orders')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_serials_org_id_organizations')),
    sa.ForeignKeyConstraint(['parent_serial_id'], ['serials.id'], name=op.f('fk_serials_parent_serial_id_serials')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_serials_product_id_products')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_serials_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_serials'))
    )
    with op.batch_alter_table('serials', schema=None) as batch_op:
        batch_op.create_index('ix_serials_batch_id_status', ['batch_id', 'status'], unique=False)
        batch_op.create_index('ix_serials_order_id', ['order_id'], unique=False, sqlite_where=sa.text('order_id IS NOT NULL'), postgresql_where=sa.text('order_id IS NOT NULL'))
        batch_op.create_index('ix_serials_org_id_product_id_status_id', ['org_id', 'product_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_serials_org_id_status_id', ['org_id', 'status', 'id'], unique=False)
        batch_op.create_index('uq_serials_org_id_serial_number_scope_key', ['org_id', 'serial_number', 'scope_key'], unique=True)

    op.create_table('movements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('stream_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', lt.UTCDateTime(), nullable=False),
    sa.Column('recorded_at', lt.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('serial_id', sa.String(length=36), nullable=True),
    sa.Column('quantity', lt.Amount(), nullable=False),
    sa.Column('from_location_id', sa.String(length=36), nullable=True),
    sa.Column('to_location_id', sa.String(length=36), nullable=True),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=True),
    sa.Column('order_id', sa.String(length=36), nullable=True),
    sa.Column('receipt_id', sa.String(length=36), nullable=True),
    sa.Column('transformation_id', sa.String(length=36), nullable=True),
    sa.Column('reverses_id', sa.String(length=36), nullable=True),
    sa.Column('unit_cost', lt.Amount(), nullable=True),
    sa.Column('reason', sa.String(length=2000), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_movements_quantity')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_movements_batch_id_batches')),
    sa.ForeignKeyConstraint(['from_location_id'], ['locations.id'], name=op.f('fk_movements_from_location_id_locations')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_movements_order_id_orders')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_movements_org_id_organizations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_movements_product_id_products')),
    sa.ForeignKeyConstraint(['reverses_id'], ['movements.id'], name=op.f('fk_movements_reverses_id_movements')),
    sa.ForeignKeyConstraint(['serial_id'], ['serials.id'], name=op.f('fk_movements_serial_id_serials')),
    sa.ForeignKeyConstraint(['to_location_id'], ['locations.id'], name=op.f('fk_movements_to_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_movements')),
    sa.UniqueConstraint('stream_id', 'seq', name=op.f('uq_movements_stream_id_seq'))
    )
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.create_index('ix_movements_batch_id', ['batch_id'], unique=False)
        batch_op.create_index('ix_movements_order_id', ['order_id'], unique=False, sqlite_where=sa.text('order_id IS NOT NULL'), postgresql_where=sa.text('order_id IS NOT NULL'))
        batch_op.create_index('ix_movements_org_id_recorded_at', ['org_id', 'recorded_at'], unique=False)
        batch_op.create_index('ix_movements_serial_id', ['serial_id'], unique=False, sqlite_where=sa.text('serial_id IS NOT NULL'), postgresql_where=sa.text('serial_id IS NOT NULL'))

    _serial_search_index()
    _append_only("movements")
    _append_only("audit_log")


def _serial_search_index() -> None:
    """Substring search over serial numbers without a full scan (DESIGN §7)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE serials_fts USING fts5(serial_number, content='serials', "
                   "content_rowid='rowid', tokenize='trigram case_sensitive 1')")
        op.execute("CREATE TRIGGER serials_fts_insert AFTER INSERT ON serials BEGIN "
                   "INSERT INTO serials_fts(rowid, serial_number) "
                   "VALUES (new.rowid, new.serial_number); END")
        op.execute("CREATE TRIGGER serials_fts_delete AFTER DELETE ON serials BEGIN "
                   "INSERT INTO serials_fts(serials_fts, rowid, serial_number) "
                   "VALUES ('delete', old.rowid, old.serial_number); END")
        return
    # pg_trgm is a trusted extension. It lives in `public` (not in a schema a test run drops);
    # where it cannot be created, search still works, by scan.
    op.execute("DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public; "
               "EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm unavailable: %', SQLERRM; "
               "END $$")
    op.execute("DO $$ DECLARE trgm_schema text; BEGIN "
               "SELECT n.nspname INTO trgm_schema FROM pg_extension e "
               "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'; "
               "IF trgm_schema IS NOT NULL THEN EXECUTE format('CREATE INDEX "
               "ix_serials_serial_number_trgm ON serials USING gin "
               "(serial_number %I.gin_trgm_ops)', trgm_schema); END IF; END $$")


def _append_only(table: str) -> None:
    """The ledger and the audit log are append-only in the database too, not only in code."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        return
    op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
               f"$$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$")
    op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE serials_fts")
    else:
        for table in ("movements", "audit_log"):
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION {table}_append_only()")
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.drop_index('ix_movements_serial_id', sqlite_where=sa.text('serial_id IS NOT NULL'), postgresql_where=sa.text('serial_id IS NOT NULL'))
        batch_op.drop_index('ix_movements_org_id_recorded_at')
        batch_op.drop_index('ix_movements_order_id', sqlite_where=sa.text('order_id IS NOT NULL'), postgresql_where=sa.text('order_id IS NOT NULL'))
        batch_op.drop_index('ix_movements_batch_id')

    op.drop_table('movements')
    with op.batch_alter_table('serials', schema=None) as batch_op:
        batch_op.drop_index('uq_serials_org_id_serial_number_scope_key')
        batch_op.drop_index('ix_serials_org_id_status_id')
        batch_op.drop_index('ix_serials_org_id_product_id_status_id')
        batch_op.drop_index('ix_serials_order_id', sqlite_where=sa.text('order_id IS NOT NULL'), postgresql_where=sa.text('order_id IS NOT NULL'))
        batch_op.drop_index('ix_serials_batch_id_status')

    op.drop_table('serials')
    op.drop_table('lot_balances')
    op.drop_table('order_lines')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index('uq_batches_identity', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_batches_org_id_product_id_expiry_date')
        batch_op.drop_index('ix_batches_org_id_expiry_date')
        batch_op.drop_index('ix_batches_org_id_batch_number_folded')

    op.drop_table('batches')
    op.drop_table('serial_status_counts')
    op.drop_table('orders')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index('ix_locations_org_id_warehouse_id')

    op.drop_table('locations')
    op.drop_table('warehouses')
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_index('ix_suppliers_org_id_name')

    op.drop_table('suppliers')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('uq_products_org_id_gtin', sqlite_where=sa.text('gtin IS NOT NULL'), postgresql_where=sa.text('gtin IS NOT NULL'))

    op.drop_table('products')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_org_id_name')

    op.drop_table('customers')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_org_id_entity_entity_id')

    op.drop_table('audit_log')
    op.drop_table('organizations')
