"""serial search index filled set-wise, not by a per-row trigger

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS serials_fts_insert")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER serials_fts_insert AFTER INSERT ON serials BEGIN "
                   "INSERT INTO serials_fts(rowid, serial_number) "
                   "VALUES (new.rowid, new.serial_number); END")
