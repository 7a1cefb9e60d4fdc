"""serial parent index: the components installed in a unit, found without a scan (assembly
trace, recall recovery when an assembly comes back)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    has_parent = sa.text("parent_serial_id IS NOT NULL")
    op.create_index('ix_serials_parent_serial_id', 'serials', ['parent_serial_id'],
                    unique=False, sqlite_where=has_parent, postgresql_where=has_parent)


def downgrade() -> None:
    op.drop_index('ix_serials_parent_serial_id', table_name='serials')
