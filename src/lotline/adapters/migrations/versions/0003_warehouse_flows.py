"""warehouse flows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lotline.adapters.types as lt

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('counters',
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_counters_org_id_organizations')),
    sa.PrimaryKeyConstraint('org_id', 'name', name=op.f('pk_counters'))
    )
    op.create_table('receipts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_receipts_org_id_organizations')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_receipts_supplier_id_suppliers')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_receipts_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
    sa.UniqueConstraint('org_id', 'reference', name=op.f('uq_receipts_org_id_reference'))
    )
    op.create_table('receipt_lines',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('receipt_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('expected_quantity', lt.Amount(), nullable=False),
    sa.Column('received_quantity', lt.Amount(), nullable=False),
    sa.Column('unit_cost', lt.Amount(), nullable=True),
    sa.Column('reason', sa.String(length=2000), nullable=True),
    sa.CheckConstraint('expected_quantity > 0', name=op.f('ck_receipt_lines_expected')),
    sa.CheckConstraint('received_quantity >= 0', name=op.f('ck_receipt_lines_received')),
    sa.CheckConstraint('unit_cost IS NULL OR unit_cost >= 0', name=op.f('ck_receipt_lines_unit_cost')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_receipt_lines_org_id_organizations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_receipt_lines_product_id_products')),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_receipt_lines_receipt_id_receipts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_lines')),
    sa.UniqueConstraint('receipt_id', 'line_no', name=op.f('uq_receipt_lines_receipt_id_line_no'))
    )
    op.create_table('shipments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('shipped_at', lt.UTCDateTime(), nullable=False),
    sa.Column('carrier', sa.String(length=200), nullable=True),
    sa.Column('tracking_number', sa.String(length=200), nullable=True),
    sa.Column('ship_to', sa.JSON(), nullable=False),
    sa.Column('cost_of_goods', lt.Amount(), nullable=False),
    sa.Column('reversed_at', lt.UTCDateTime(), nullable=True),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_shipments_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index('ix_shipments_order_id', ['order_id'], unique=False)

    op.create_table('order_allocations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('order_line_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('serial_id', sa.String(length=36), nullable=True),
    sa.Column('location_id', sa.String(length=36), nullable=True),
    sa.Column('quantity', lt.Amount(), nullable=False),
    sa.Column('picked_quantity', lt.Amount(), nullable=False),
    sa.Column('returned_quantity', lt.Amount(), nullable=False),
    sa.Column('unit_cost', lt.Amount(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('shipment_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('allocated', 'picked', 'shipped', 'released')", name=op.f('ck_order_allocations_status')),
    sa.CheckConstraint('picked_quantity >= 0 AND picked_quantity <= quantity', name=op.f('ck_order_allocations_picked')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_allocations_quantity')),
    sa.CheckConstraint('returned_quantity >= 0 AND returned_quantity <= quantity', name=op.f('ck_order_allocations_returned')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_order_allocations_batch_id_batches')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_order_allocations_location_id_locations')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_allocations_order_id_orders')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_order_allocations_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_order_allocations_org_id_organizations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_order_allocations_product_id_products')),
    sa.ForeignKeyConstraint(['serial_id'], ['serials.id'], name=op.f('fk_order_allocations_serial_id_serials')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_order_allocations_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_allocations'))
    )
    with op.batch_alter_table('order_allocations', schema=None) as batch_op:
        batch_op.create_index('ix_order_allocations_batch_id_status', ['batch_id', 'status'], unique=False)
        batch_op.create_index('ix_order_allocations_order_id', ['order_id'], unique=False)
        batch_op.create_index('ix_order_allocations_serial_id', ['serial_id'], unique=False, sqlite_where=sa.text('serial_id IS NOT NULL'), postgresql_where=sa.text('serial_id IS NOT NULL'))

    op.create_table('receipt_expected_serials',
    sa.Column('receipt_line_id', sa.String(length=36), nullable=False),
    sa.Column('serial_id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_receipt_expected_serials_org_id_organizations')),
    sa.ForeignKeyConstraint(['receipt_line_id'], ['receipt_lines.id'], name=op.f('fk_receipt_expected_serials_receipt_line_id_receipt_lines')),
    sa.ForeignKeyConstraint(['serial_id'], ['serials.id'], name=op.f('fk_receipt_expected_serials_serial_id_serials')),
    sa.PrimaryKeyConstraint('receipt_line_id', 'serial_id', name=op.f('pk_receipt_expected_serials'))
    )


def downgrade() -> None:
    op.drop_table('receipt_expected_serials')
    with op.batch_alter_table('order_allocations', schema=None) as batch_op:
        batch_op.drop_index('ix_order_allocations_serial_id', sqlite_where=sa.text('serial_id IS NOT NULL'), postgresql_where=sa.text('serial_id IS NOT NULL'))
        batch_op.drop_index('ix_order_allocations_order_id')
        batch_op.drop_index('ix_order_allocations_batch_id_status')

    op.drop_table('order_allocations')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('ix_shipments_order_id')

    op.drop_table('shipments')
    op.drop_table('receipt_lines')
    op.drop_table('receipts')
    op.drop_table('counters')
