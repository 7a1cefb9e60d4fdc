"""movement reversal index: an organization's reversals found without reading its ledger.
`not_reversed` (every trace, recall, EPCIS export and recall drill) reads the ids the
organization's reversals reverse; with no index on `reverses_id` SQLite read every movement
of the organization for them (a recall drill of a lot shipped to 40,000 orders: 100,000
rows). The index holds the reversals only (rare), with the organization first.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0037'
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    reversal = sa.text("reverses_id IS NOT NULL")
    op.create_index('ix_movements_org_id_reverses_id', 'movements', ['org_id', 'reverses_id'],
                    unique=False, sqlite_where=reversal, postgresql_where=reversal)


def downgrade() -> None:
    op.drop_index('ix_movements_org_id_reverses_id', table_name='movements')
