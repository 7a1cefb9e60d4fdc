"""EPCIS recordTime: when the repository stored each captured event (EPCIS 2.0 §7.4.1),
answered in queries and matched by GE_recordTime / LT_recordTime. Events captured before this
revision get their capture job's creation time.

Revision ID: 0032
Revises: 0023
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lotline.adapters.types as lt

revision = '0032'
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('epcis_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_time', lt.UTCDateTime(), nullable=True))
    op.execute("UPDATE epcis_events SET record_time = (SELECT c.created_at FROM epcis_captures c "
               "WHERE c.id = epcis_events.capture_id)")
    with op.batch_alter_table('epcis_events', schema=None) as batch_op:
        batch_op.alter_column('record_time', existing_type=lt.UTCDateTime(), nullable=False)
    op.create_index('ix_epcis_events_org_id_record_time', 'epcis_events',
                    ['org_id', 'record_time'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_epcis_events_org_id_record_time', table_name='epcis_events')
    with op.batch_alter_table('epcis_events', schema=None) as batch_op:
        batch_op.drop_column('record_time')
