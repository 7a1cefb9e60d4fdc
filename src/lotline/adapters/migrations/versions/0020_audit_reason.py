"""the audit log keeps the reason of an edit, and is read newest first and by time

Revision ID: 0020
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=2000), nullable=True))
        batch_op.create_index('ix_audit_log_org_id_id', ['org_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_log_org_id_occurred_at', ['org_id', 'occurred_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_org_id_occurred_at')
        batch_op.drop_index('ix_audit_log_org_id_id')
        batch_op.drop_column('reason')
