"""ledger checkpoints: signed heads of every hash chain, append-only

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lotline.adapters.types import UTCDateTime

revision = '0009'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLE = "ledger_checkpoints"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('org_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.Column('stream_count', sa.BigInteger(), nullable=False),
        sa.Column('movement_count', sa.BigInteger(), nullable=False),
        sa.Column('heads_digest', sa.String(length=64), nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.Column('signature', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                                name=op.f('fk_ledger_checkpoints_org_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_checkpoints')),
    )
    op.create_index('ix_ledger_checkpoints_org_id_created_at', TABLE,
                    ['org_id', 'created_at'], unique=False)
    # Append-only in the database too, as the ledger is (migration 0001).
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
                       f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END")
        return
    op.execute(f"CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
               f"$$ BEGIN RAISE EXCEPTION '{TABLE} is append-only'; END $$")
    op.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
               f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(f"DROP TRIGGER {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_append_only()")
    op.drop_index('ix_ledger_checkpoints_org_id_created_at', table_name=TABLE)
    op.drop_table(TABLE)
