"""The one scan resolver in picking (DESIGN §6): picking takes what the resolver found, so a
keyboard-wedge scan picks the same unit the scan box names, a refused scan is refused with the
resolver's reason, and nothing is written. Every `ambiguous` error names its candidates;
partial serial search ignores case (DESIGN §2)."""

from __future__ import annotations

import pytest
from flow_support import Flows

from lotline.adapters import tables as t
from lotline.errors import Ambiguous, Conflict
from support import Kit

GTIN = "09506000134352"


def _allocated(flows: Flows, numbers: list[str]) -> tuple[str, str]:
    svc = flows.svc
    pen = flows.product("lot_serial", sku="PEN", gtin=GTIN)
    flows.stock_serials(pen, numbers, number="LOT-A")
    order = flows.order(pen, quantity=1)
    svc.orders.allocate(order.id, lines=[{"line_id": order.lines[0].id,
                                          "serial_numbers": [numbers[0]]}])
    return pen.id, order.id


def test_a_keyboard_wedge_scan_picks_the_unit_it_names(flows: Flows) -> None:
    _, order_id = _allocated(flows, ["SN1", "SN2"])
    view = flows.svc.orders.pick(order_id, [f"01{GTIN}21SN1~17270101"])
    assert view.lines[0].picked_quantity == 1
    assert flows.serial("SN1")[0] == "PICKED"


def test_the_web_pick_returns_what_the_resolver_found(flows: Flows) -> None:
    _, order_id = _allocated(flows, ["SN1", "SN2"])
    picked = flows.svc.orders.pick_scan(order_id, f"]d201{GTIN}21SN1|10LOT-A")
    assert picked.serial_record is not None
    assert (picked.serial_record.serial_number, picked.lot, picked.form, picked.symbology) == (
        "SN1", "LOT-A", "element-string", "]d2")
    assert flows.serial("SN1")[0] == "PICKED"


@pytest.mark.parametrize(("scan", "reason"), [
    ("(00)106141412345678909", "check digit: AI (00) SSCC 106141412345678909 has a wrong "
                               "check digit (expected 8, got 9)"),
    (f"(01){GTIN}(21)SN1(ABC)", "leftover text: bracketed form: '(ABC)' is left over after "
                                "AI (21) (a value holding a parenthesis cannot be read from "
                                "the bracketed form; scan the barcode itself)"),
    ("NOPE-404", "no serial or lot with this number"),
])
def test_a_refused_scan_writes_nothing(flows: Flows, kit: Kit, scan: str, reason: str) -> None:
    _, order_id = _allocated(flows, ["SN1", "SN2"])
    before = (len(flows.movements()), kit.count(t.order_allocations))
    with pytest.raises(Conflict) as error:
        flows.svc.orders.pick(order_id, ["SN1", scan])
    assert error.value.details["rejected"] == [{"scan": scan, "reason": reason}]
    assert (len(flows.movements()), kit.count(t.order_allocations)) == before
    assert flows.serial("SN1")[0] == "ALLOCATED"


def test_a_serial_number_two_products_share(flows: Flows) -> None:
    svc = flows.svc
    svc.settings.update(serial_scope="product")
    pen_id, order_id = _allocated(flows, ["SAME", "SN2"])
    cap = flows.product("serial", sku="CAP")
    flows.stock_serials(cap, ["SAME"])
    with pytest.raises(Ambiguous) as error:
        svc.serials.lookup("SAME")
    ids = {c["sku"]: c["id"] for c in error.value.candidates}
    assert set(ids) == {"PEN", "CAP"}
    assert error.value.message == (
        f"serial number 'SAME' matches 2 records: PEN (id {ids['PEN']}), CAP (id "
        f"{ids['CAP']}); name one of them")
    with pytest.raises(Ambiguous) as scanned:
        svc.scan.parse("SAME")
    assert scanned.value.message == error.value.message
    # The order's products settle it: picking takes the unit of the product it wants.
    svc.orders.pick(order_id, ["SAME"])
    picked = svc.serials.lookup("SAME", product_id=pen_id)
    assert picked.status.value == "PICKED"


def test_a_lot_number_two_lots_share_is_named_with_product_and_supplier(flows: Flows) -> None:
    svc = flows.svc
    acme = flows.supplier(name="Acme")
    oil, pen = flows.product("lot", sku="OIL"), flows.product("lot", sku="PEN")
    flows.stock_lot(oil, "L-7", 2, supplier=acme)
    flows.stock_lot(pen, "L-7", 3)
    lots = sorted(svc.batches.by_number("L-7"), key=lambda b: b.id)
    with pytest.raises(Ambiguous) as error:
        svc.trace.scan("l-7")
    named = [f"lot L-7 of OIL from Acme (id {lots[0].id})",
             f"lot L-7 of PEN from {svc.suppliers.get(str(lots[1].supplier_id)).name} "
             f"(id {lots[1].id})"]
    assert error.value.message == ("lot number 'L-7' matches 2 records: " + ", ".join(named)
                                   + "; name one of them")
    with pytest.raises(Ambiguous) as by_number:
        svc.batches.one_by_number("L-7")
    assert by_number.value.message.endswith(", ".join(named) + "; name one of them")


def test_partial_serial_search_ignores_case(flows: Flows) -> None:
    svc = flows.svc
    device = flows.product("serial")
    flows.stock_serials(device, ["T-0001", "T-0002", "X-9"])

    def found(q: str) -> list[str]:
        return [s.serial_number for s in svc.serials.search(q=q).items]

    assert found("t-0001") == ["T-0001"]  # through the trigram index
    assert found("t-") == ["T-0001", "T-0002"]  # shorter than a trigram: the walk
    assert found("x-9") == found("X-9") == ["X-9"]
    assert svc.serials.find("t-0001") is None  # exact lookup stays exact
