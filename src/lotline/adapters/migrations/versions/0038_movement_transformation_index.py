"""movement transformation index: the movements of a transformation found by it.
A lot's EPCIS export and a recall drill read each transformation of their trace whole
(lot_events.whole); with no index on `transformation_id` that read went through the
organization's whole ledger. Partial: only transformation movements are in it.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0038'
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    made = sa.text("transformation_id IS NOT NULL")
    op.create_index('ix_movements_transformation_id', 'movements', ['transformation_id'],
                    unique=False, sqlite_where=made, postgresql_where=made)


def downgrade() -> None:
    op.drop_index('ix_movements_transformation_id', table_name='movements')
