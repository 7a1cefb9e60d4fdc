"""no hot row (issue 18): the per-status serial counts are striped over slots, one picked by
the serial's ledger stream, so writers of different lots of one product do not queue (or
deadlock) on one count row; a slot may go below zero, the sum per status is what counts

Existing counts stay whole in slot 0. The hash chains were already one per lot (or product):
nothing to move there.

Revision ID: 0030
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = "0031"
branch_labels = None
depends_on = None

KEYS = ['org_id', 'product_id', 'status']


def upgrade() -> None:
    with op.batch_alter_table('serial_status_counts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot', sa.SmallInteger(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.drop_constraint(batch_op.f('ck_serial_status_counts_count'), type_='check')
        batch_op.drop_constraint(batch_op.f('pk_serial_status_counts'), type_='primary')
        batch_op.create_primary_key(batch_op.f('pk_serial_status_counts'), [*KEYS, 'slot'])


def downgrade() -> None:
    # One row per status again: the slots' sums go to slot 0, the other slots go.
    op.execute("UPDATE serial_status_counts SET count = (SELECT sum(s.count) "
               "FROM serial_status_counts s WHERE s.org_id = serial_status_counts.org_id "
               "AND s.product_id = serial_status_counts.product_id "
               "AND s.status = serial_status_counts.status) WHERE slot = 0")
    op.execute("INSERT INTO serial_status_counts (org_id, product_id, status, slot, count) "
               "SELECT org_id, product_id, status, 0, sum(count) FROM serial_status_counts "
               "GROUP BY org_id, product_id, status HAVING min(slot) > 0")
    op.execute("DELETE FROM serial_status_counts WHERE slot <> 0")
    with op.batch_alter_table('serial_status_counts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('pk_serial_status_counts'), type_='primary')
        batch_op.create_primary_key(batch_op.f('pk_serial_status_counts'), KEYS)
        batch_op.create_check_constraint(batch_op.f('ck_serial_status_counts_count'),
                                         'count >= 0')
        batch_op.drop_column('slot')
