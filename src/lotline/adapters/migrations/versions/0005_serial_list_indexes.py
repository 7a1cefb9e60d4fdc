"""serial list indexes: keyset pages of every status (the web UI's All tab)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_serials_org_id_id', 'serials', ['org_id', 'id'], unique=False)
    op.create_index('ix_serials_org_id_product_id_id', 'serials', ['org_id', 'product_id', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_serials_org_id_product_id_id', table_name='serials')
    op.drop_index('ix_serials_org_id_id', table_name='serials')
