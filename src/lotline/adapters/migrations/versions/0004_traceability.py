"""traceability

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lotline.adapters.types as lt

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recalls',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('shipped_quantity', lt.Amount(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('closed_at', lt.UTCDateTime(), nullable=True),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lt.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_recalls_status')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_recalls_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recalls')),
    sa.UniqueConstraint('org_id', 'reference', name=op.f('uq_recalls_org_id_reference'))
    )
    op.create_table('transformations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', lt.UTCDateTime(), nullable=False),
    sa.Column('notes', sa.String(length=2000), nullable=True),
    sa.Column('location_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', lt.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('production', 'repacking', 'kitting')", name=op.f('ck_transformations_kind')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_transformations_location_id_locations')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_transformations_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transformations')),
    sa.UniqueConstraint('org_id', 'reference', name=op.f('uq_transformations_org_id_reference'))
    )
    op.create_table('recall_lots',
    sa.Column('recall_id', sa.String(length=36), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_recall_lots_batch_id_batches')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_recall_lots_org_id_organizations')),
    sa.ForeignKeyConstraint(['recall_id'], ['recalls.id'], name=op.f('fk_recall_lots_recall_id_recalls')),
    sa.PrimaryKeyConstraint('recall_id', 'batch_id', name=op.f('pk_recall_lots'))
    )
    with op.batch_alter_table('recall_lots', schema=None) as batch_op:
        batch_op.create_index('ix_recall_lots_batch_id', ['batch_id'], unique=False)

    op.create_table('genealogy',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('transformation_id', sa.String(length=36), nullable=False),
    sa.Column('input_batch_id', sa.String(length=36), nullable=True),
    sa.Column('input_serial_id', sa.String(length=36), nullable=True),
    sa.Column('input_product_id', sa.String(length=36), nullable=False),
    sa.Column('input_quantity', lt.Amount(), nullable=False),
    sa.Column('output_batch_id', sa.String(length=36), nullable=True),
    sa.Column('output_serial_id', sa.String(length=36), nullable=True),
    sa.Column('output_product_id', sa.String(length=36), nullable=False),
    sa.Column('output_quantity', lt.Amount(), nullable=False),
    sa.ForeignKeyConstraint(['input_batch_id'], ['batches.id'], name=op.f('fk_genealogy_input_batch_id_batches')),
    sa.ForeignKeyConstraint(['input_product_id'], ['products.id'], name=op.f('fk_genealogy_input_product_id_products')),
    sa.ForeignKeyConstraint(['input_serial_id'], ['serials.id'], name=op.f('fk_genealogy_input_serial_id_serials')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_genealogy_org_id_organizations')),
    sa.ForeignKeyConstraint(['output_batch_id'], ['batches.id'], name=op.f('fk_genealogy_output_batch_id_batches')),
    sa.ForeignKeyConstraint(['output_product_id'], ['products.id'], name=op.f('fk_genealogy_output_product_id_products')),
    sa.ForeignKeyConstraint(['output_serial_id'], ['serials.id'], name=op.f('fk_genealogy_output_serial_id_serials')),
    sa.ForeignKeyConstraint(['transformation_id'], ['transformations.id'], name=op.f('fk_genealogy_transformation_id_transformations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_genealogy'))
    )
    with op.batch_alter_table('genealogy', schema=None) as batch_op:
        batch_op.create_index('ix_genealogy_input_batch_id', ['input_batch_id'], unique=False)
        batch_op.create_index('ix_genealogy_output_batch_id', ['output_batch_id'], unique=False)
        batch_op.create_index('ix_genealogy_transformation_id', ['transformation_id'], unique=False)

    op.create_table('recall_recoveries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('recall_id', sa.String(length=36), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('serial_id', sa.String(length=36), nullable=True),
    sa.Column('quantity', lt.Amount(), nullable=False),
    sa.Column('movement_id', sa.String(length=36), nullable=True),
    sa.Column('recorded_at', lt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_recall_recoveries_batch_id_batches')),
    sa.ForeignKeyConstraint(['movement_id'], ['movements.id'], name=op.f('fk_recall_recoveries_movement_id_movements')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_recall_recoveries_org_id_organizations')),
    sa.ForeignKeyConstraint(['recall_id'], ['recalls.id'], name=op.f('fk_recall_recoveries_recall_id_recalls')),
    sa.ForeignKeyConstraint(['serial_id'], ['serials.id'], name=op.f('fk_recall_recoveries_serial_id_serials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recall_recoveries'))
    )
    with op.batch_alter_table('recall_recoveries', schema=None) as batch_op:
        batch_op.create_index('ix_recall_recoveries_recall_id', ['recall_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recall_recoveries', schema=None) as batch_op:
        batch_op.drop_index('ix_recall_recoveries_recall_id')

    op.drop_table('recall_recoveries')
    with op.batch_alter_table('genealogy', schema=None) as batch_op:
        batch_op.drop_index('ix_genealogy_transformation_id')
        batch_op.drop_index('ix_genealogy_output_batch_id')
        batch_op.drop_index('ix_genealogy_input_batch_id')

    op.drop_table('genealogy')
    with op.batch_alter_table('recall_lots', schema=None) as batch_op:
        batch_op.drop_index('ix_recall_lots_batch_id')

    op.drop_table('recall_lots')
    op.drop_table('transformations')
    op.drop_table('recalls')
