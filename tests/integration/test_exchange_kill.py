"""A serial import killed with SIGKILL, while staging or inside its final transaction, leaves
the database as it was; the same file then imports cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lotline.adapters import tables as t
from support import count_rows

ROWS = 25_000  # more than one staging chunk
CHILD = textwrap.dedent("""
    import sys, time
    import lotline
    from lotline.adapters.repositories import staging

    url, organization, path, stop_in = sys.argv[1:5]
    original = getattr(staging.SerialStaging, stop_in)

    def stall(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        print("stalled", flush=True)
        time.sleep(120)
        return result

    setattr(staging.SerialStaging, stop_in, stall)
    svc = lotline.create_services(url, organization)
    svc.imports.serials(path, batch_id=sys.argv[5])
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("stop_in", ["add", "insert_into_serials"])
def test_sigkill_mid_import_leaves_nothing(database: Any, tmp_path: Path, stop_in: str) -> None:
    svc = database.services()
    product = svc.products.create_product(sku="K", name="Killed", tracking="lot_serial")
    lot = svc.batches.create(product_id=product.id, batch_number="K-1", quantity=ROWS)
    path = tmp_path / "serials.csv"
    path.write_text("serial_number\n" + "".join(f"K-{i:06d}\n" for i in range(ROWS)))
    organization = _organization_name(svc)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database.url, organization, str(path), stop_in, lot.id],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "stalled", child.stderr.read() if child.stderr else line
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert count_rows(svc.engine, t.serials, svc.org_id) == 0
    assert count_rows(svc.engine, t.movements, svc.org_id) == 0
    assert svc.batches.get(lot.id).balance_quantity == 0
    report = svc.imports.serials(path, batch_id=lot.id)
    assert report.written == ROWS
    assert svc.ledger.verify().problems == []


def _organization_name(svc: Any) -> str:
    with svc.engine.connect() as conn:
        return str(conn.execute(select(t.organizations.c.name).where(
            t.organizations.c.id == svc.org_id)).scalar_one())
