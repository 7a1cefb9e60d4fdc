"""A lot's EPCIS movements and a recall drill's read find the lots' movements by index (lot,
order, transformation), then the movements by id: never the organization's whole ledger, which
the OR they were written as before read through (org_id, recorded_at) whatever the lots' share
of it. SQLite's plan is checked (it has no statistics to steer it); on both databases the rows
are the ones the lots' events are made of (test_recall_drill.py, test_epcis_*.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select

from lotline.adapters.repositories import drill_rows, epcis_rows, reports
from lotline.service_layer.epcis import MOVEMENT_KINDS

ORG = "01a252a3-2571-7251-b551-b86b21a16dd4"


def _reads() -> list[Select[Any]]:
    return [reports._whole(drill_rows.lean_select(ORG, MOVEMENT_KINDS, by_ids=True),
                           ["lot-a", "lot-b"]),
            reports._whole(epcis_rows.movement_select(ORG, MOVEMENT_KINDS, by_ids=True),
                           "lot-a")]


@pytest.mark.parametrize("read", [0, 1], ids=["recall drill", "lot's EPCIS export"])
def test_the_lots_movements_are_found_by_index_not_by_reading_the_organizations_ledger(
        database: Any, read: int) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the plan of SQLite, which has no statistics to steer it")
    statement = _reads()[read]
    with database.engine.connect() as conn:
        sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    movements = [step for step in plan if " movements " in f"{step} " or
                 step.split(" USING")[0].endswith(("movements", "part", "traced"))]
    assert "SEARCH movements USING INDEX sqlite_autoindex_movements_1 (id=?)" in movements
    assert not [step for step in movements if "ix_movements_org_id_recorded_at" in step
                or step.startswith("SCAN")], plan
    assert any("ix_movements_batch_id" in step for step in movements), plan
    assert any("ix_movements_order_id" in step for step in movements), plan
    if read == 0:  # several lots: their transformations too
        assert any("ix_movements_transformation_id" in step for step in movements), plan
