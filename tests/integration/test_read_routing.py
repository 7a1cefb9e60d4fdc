"""Which use cases may be served by a replica (DESIGN §9): they open their unit of work with
`may_lag=True`; a write, and a point read, ask for the primary."""

from __future__ import annotations

from typing import Any

import pytest

from lotline.bootstrap import Services


class Recording:
    """The services' unit-of-work factory, noting what each use case asked for."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.opened: list[str] = []

    def __call__(self, actor: Any, *, write: bool = True, autocommit: bool = False,
                 may_lag: bool = False) -> Any:
        self.opened.append("write" if write else "may_lag" if may_lag else "read")
        return self.inner(actor, write=write, autocommit=autocommit, may_lag=may_lag)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def recorded(svc: Services) -> tuple[Services, Recording]:
    recording = Recording(svc.uows)
    svc.__dict__["uows"] = recording  # before any service is built on it
    return svc, recording


def test_lists_search_trace_reports_and_epcis_may_lag(
        recorded: tuple[Services, Recording]) -> None:
    svc, recording = recorded
    product = svc.products.create_product(sku="FLOUR", name="Flour", tracking="lot")
    lot = svc.batches.create(product_id=product.id, batch_number="L1", quantity=3)
    recording.opened.clear()
    assert [p.sku for p in svc.products.list().items] == ["FLOUR"]
    assert svc.serials.search(q="SN").items == []
    assert svc.serials.counts()["ALL"] == 0
    assert svc.trace.forward(lot.id).lot.batch_id == lot.id
    assert [r["batch_number"] for r in svc.reports.lot_inventory().rows] == ["L1"]
    assert [b.batch_number for b in svc.batches.list(product_id=product.id).items] == ["L1"]
    assert svc.epcis_query.events({}).document["type"] == "EPCISQueryDocument"
    assert recording.opened == ["may_lag"] * 8  # the EPCIS query: two units


def test_writes_and_point_reads_ask_for_the_primary(
        recorded: tuple[Services, Recording]) -> None:
    svc, recording = recorded
    product = svc.products.create_product(sku="OIL", name="Oil", tracking="none")
    assert "may_lag" not in recording.opened and recording.opened[0] == "write"
    recording.opened.clear()
    assert svc.products.get(product.id).name == "Oil"
    assert svc.products.by_sku("OIL").id == product.id
    assert recording.opened == ["read", "read"]
