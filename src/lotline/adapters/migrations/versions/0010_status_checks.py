"""status columns hold only the statuses declared in the domain (CHECK constraints)

Serials, serial counts, movements, orders and receipts get a CHECK listing their declared
statuses (lots, allocations and recalls had one). SQLite cannot add a constraint to a table, so
there each table is rebuilt (batch mode) and what the rebuild drops is made again: the ledger's
append-only triggers, the serial search index's delete trigger and its rowid mapping.

The values are written out here, not read from the domain: a migration states the schema of its
time. A status added later comes with its own migration (until it does,
tests/integration/test_status_checks.py::test_every_declared_status_can_be_stored fails).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SERIAL = ("EXPECTED", "RECEIVED", "IN_STOCK", "ALLOCATED", "PICKED", "SHIPPED", "RETURNED",
          "DEFECTIVE", "SCRAPPED", "CONSUMED", "INSTALLED", "CANCELLED")
ORDER = ("open", "allocated", "partially_shipped", "shipped", "cancelled")
RECEIPT = ("open", "partially_received", "received", "cancelled")

# (table, constraint, column, allowed values, column nullable)
CHECKS = (
    ("serials", "ck_serials_status", "status", SERIAL, False),
    ("serial_status_counts", "ck_serial_status_counts_status", "status", SERIAL, False),
    ("movements", "ck_movements_from_status", "from_status", SERIAL, True),
    ("movements", "ck_movements_to_status", "to_status", SERIAL, True),
    ("orders", "ck_orders_status", "status", ORDER, False),
    ("receipts", "ck_receipts_status", "status", RECEIPT, False),
)


def _condition(column: str, values: tuple[str, ...], nullable: bool) -> str:
    allowed = f"{column} IN ({', '.join(repr(v) for v in values)})"
    return f"{column} IS NULL OR {allowed}" if nullable else allowed


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in dict.fromkeys(check[0] for check in CHECKS):
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            for name_, _table, column, values, nullable in _checks_of(table):
                batch.create_check_constraint(op.f(name_),
                                              _condition(column, values, nullable))
    if sqlite:
        _restore_sqlite_extras()


def _checks_of(table: str) -> list[tuple[str, str, str, tuple[str, ...], bool]]:
    return [(name, t, column, values, nullable)
            for t, name, column, values, nullable in CHECKS if t == table]


def _restore_sqlite_extras() -> None:
    """What a SQLite rebuild drops with the old table: its triggers. The serial search index
    maps rowids, which a rebuild renumbers, so it is rebuilt from the table."""
    for action in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER movements_no_{action.lower()} BEFORE {action} ON movements "
                   f"BEGIN SELECT RAISE(ABORT, 'movements is append-only'); END")
    op.execute("CREATE TRIGGER serials_fts_delete AFTER DELETE ON serials BEGIN "
               "INSERT INTO serials_fts(serials_fts, rowid, serial_number) "
               "VALUES ('delete', old.rowid, old.serial_number); END")
    op.execute("INSERT INTO serials_fts(serials_fts) VALUES ('rebuild')")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in dict.fromkeys(check[0] for check in CHECKS):
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            for name_, *_ in _checks_of(table):
                batch.drop_constraint(op.f(name_), type_="check")
    if sqlite:
        _restore_sqlite_extras()
