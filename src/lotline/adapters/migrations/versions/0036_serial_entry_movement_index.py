"""serial entry-movement index: the serials a bulk movement registered, found without a scan
(`ledger verify` reads them for every bulk movement's hash; the EPCIS export for its events).
Without it verify read the whole serials table once per lot: about 50 minutes at 1,000,000
serials in 10,000 lots on PostgreSQL, seconds with it (issue 18, cost curve).

Revision ID: 0036
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0036'
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    has_entry = sa.text("entry_movement_id IS NOT NULL")
    op.create_index('ix_serials_entry_movement_id', 'serials', ['entry_movement_id'],
                    unique=False, sqlite_where=has_entry, postgresql_where=has_entry)


def downgrade() -> None:
    op.drop_index('ix_serials_entry_movement_id', table_name='serials')
