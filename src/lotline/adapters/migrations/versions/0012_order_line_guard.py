"""order line guard: an allocation of a lot or untracked line (no serial) is refused by the
database when the line would hold more than it orders (allocated, picked or shipped)

The service locks the order before deciding (that is what keeps concurrent clients right);
this trigger is the last line if code ever gets it wrong. Serial allocations are left out:
they are one row per unit, and the sum per row would make a 10,000-unit order quadratic;
their line is counted under the same order lock (`check_order`).

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0007'
branch_labels = None
depends_on = None

NAME = "order_allocations_within_line"
# The order's index finds its allocations; the row being updated is left out of the sum.
OVER = ("(SELECT COALESCE(SUM(a.quantity), 0) FROM order_allocations a "
        "WHERE a.order_id = NEW.order_id AND a.order_line_id = NEW.order_line_id "
        "AND a.status <> 'released' AND a.id <> NEW.id) + NEW.quantity > "
        "(SELECT l.quantity FROM order_lines l WHERE l.id = NEW.order_line_id)")
MESSAGE = "order line over-allocated: an order line cannot hold more than it orders"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event, suffix in (("INSERT", "insert"), ("UPDATE OF quantity, status", "update")):
            op.execute(f"CREATE TRIGGER {NAME}_{suffix} BEFORE {event} ON order_allocations "
                       f"WHEN NEW.serial_id IS NULL AND NEW.status <> 'released' AND {OVER} "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        return
    op.execute(f"CREATE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               f"IF NEW.status <> 'released' AND {OVER} THEN "
               f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation'; END IF; "
               f"RETURN NEW; END $$")
    op.execute(f"CREATE TRIGGER {NAME} BEFORE INSERT OR UPDATE OF quantity, status "
               f"ON order_allocations FOR EACH ROW WHEN (NEW.serial_id IS NULL) "
               f"EXECUTE FUNCTION {NAME}()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {NAME}_insert")
        op.execute(f"DROP TRIGGER {NAME}_update")
        return
    op.execute(f"DROP TRIGGER {NAME} ON order_allocations")
    op.execute(f"DROP FUNCTION {NAME}()")
