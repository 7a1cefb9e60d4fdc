"""serial search ignores case: the SQLite FTS5 trigram index rebuilt with case_sensitive 0
(PostgreSQL's pg_trgm index already serves ILIKE)

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None


def _rebuild(case_sensitive: int) -> None:
    op.execute("DROP TRIGGER IF EXISTS serials_fts_delete")
    op.execute("DROP TABLE IF EXISTS serials_fts")
    op.execute("CREATE VIRTUAL TABLE serials_fts USING fts5(serial_number, content='serials', "
               f"content_rowid='rowid', tokenize='trigram case_sensitive {case_sensitive}')")
    op.execute("INSERT INTO serials_fts(serials_fts) VALUES ('rebuild')")
    op.execute("CREATE TRIGGER serials_fts_delete AFTER DELETE ON serials BEGIN "
               "INSERT INTO serials_fts(serials_fts, rowid, serial_number) "
               "VALUES ('delete', old.rowid, old.serial_number); END")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(0)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(1)
