"""The warehouse flows over HTTP, end to end on each backend: an ASN with two lots and serials,
receiving, putaway, an order allocated FEFO, scan-verified picking (a wrong scan rejected with
its reason and nothing written), shipping, a customer return and the restock — with the lots'
balances (GET /batches/{id}), the serials (GET /serials/{id}) and the ledger (counts per kind,
and `svc.ledger.verify()` through the library on the same engine) checked after each step."""

from __future__ import annotations

from collections import Counter
from typing import Any

from api_kit import JSON, Api, assert_problem, field_names, unique
from sqlalchemy import select

from lotline.adapters import tables as t

LATE, EARLY = "2027-06-30", "2026-12-31"
GTIN = "09506000134352"


class Ledger:
    """The tenant's ledger read through the library on the app's engine: movements per kind
    since the last look, and a verification of every hash chain and projection."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.seen: Counter[str] = Counter()

    def kinds(self) -> Counter[str]:
        m = t.movements.c
        with self.api.app.state.engine.connect() as conn:
            rows = conn.execute(select(m.kind).where(m.org_id == self.api.tenant.org_id))
            return Counter(kind for (kind,) in rows)

    def new(self) -> dict[str, int]:
        """Movements written since the previous call, per kind; the ledger verifies."""
        report = self.api.services().ledger.verify()
        assert report.ok, report.problems
        now = self.kinds()
        added = {kind: count - self.seen[kind] for kind, count in now.items()
                 if count != self.seen[kind]}
        self.seen = now
        return added


def balances(api: Api, batch_id: str) -> tuple[Any, Any, dict[str, Any]]:
    """(on hand, available, {location code: balance}) of a lot, zero balances left out."""
    codes = {loc["id"]: loc["code"]
             for loc in api.get("/locations", params={"limit": 500}).json()["items"]}
    batch = api.get(f"/batches/{batch_id}", role="viewer").json()
    return (batch["balance_quantity"], batch["available_quantity"],
            {codes[b["location_id"]]: b["balance_quantity"]
             for b in batch["associated_locations"] if b["balance_quantity"] != 0})


def serial_state(api: Api, number: str) -> tuple[str, str | None, str | None]:
    """(status, location code, order id) of a serial, read by number then by id."""
    found = api.get(f"/serials/lookup/{number}", role="viewer").json()
    serial = api.get(f"/serials/{found['id']}", role="viewer").json()
    code = (api.get(f"/locations/{serial['location_id']}").json()["code"]
            if serial["location_id"] else None)
    return serial["status"], code, serial["order_id"]


def lots_of(api: Api, product_id: str) -> dict[str, str]:
    items = api.get("/batches", params={"product_id": product_id}).json()["items"]
    return {b["batch_number"]: b["id"] for b in items}


def ok(response: Any, status: int = 200) -> JSON:
    assert response.status_code == status, response.text
    body: JSON = response.json()
    return body


def test_asn_to_return_end_to_end(api: Api) -> None:
    ledger = Ledger(api)
    pen = api.product("lot_serial", gtin=GTIN)
    supplier, customer = api.supplier(), api.customer()
    serials = ["SN-A1", "SN-A2", "SN-B1", "SN-B2"]

    # An ASN announcing four serials of one product.
    receipt = ok(api.post("/receipts", role="manager", json={
        "reference": "ASN-1001", "supplier_id": supplier["id"],
        "lines": [{"product_id": pen["id"], "expected_quantity": 4, "unit_cost": "12.50",
                   "expected_serials": serials}]}), 201)
    line = receipt["lines"][0]
    assert (receipt["status"], line["expected_quantity"], line["received_quantity"],
            line["unit_cost"], line["expected_serials"]) == ("open", 4, 0, 12.5, serials)
    assert len(line["id"]) == 36
    assert ok(api.get(f"/receipts/{receipt['id']}", role="viewer")) == receipt
    assert [serial_state(api, n) for n in serials] == [("EXPECTED", None, None)] * 4
    assert ledger.new() == {"status_change": 1}

    # Received as two lots into RECEIVING.
    received = ok(api.post(f"/receipts/{receipt['id']}/receive", role="manager", json={
        "lines": [{"line_id": line["id"], "lots": [
            {"batch_number": "LOT-LATE", "expiry_date": LATE, "quantity": 2,
             "serial_numbers": ["SN-A1", "SN-A2"]},
            {"batch_number": "LOT-EARLY", "expiry_date": EARLY, "quantity": 2,
             "serial_numbers": ["SN-B1", "SN-B2"]}]}]}))
    assert (received["status"], received["lines"][0]["received_quantity"]) == ("received", 4)
    lots = lots_of(api, pen["id"])
    late, early = lots["LOT-LATE"], lots["LOT-EARLY"]
    assert balances(api, early) == (2, 0, {"RECEIVING": 2})
    assert balances(api, late) == (2, 0, {"RECEIVING": 2})
    assert serial_state(api, "SN-B1") == ("RECEIVED", "RECEIVING", None)
    assert ledger.new() == {"receipt": 4}

    # Put away into STOCK: available now.
    ok(api.post(f"/receipts/{receipt['id']}/putaway", role="manager", json={}))
    assert balances(api, early) == (2, 2, {"STOCK": 2})
    assert balances(api, late) == (2, 2, {"STOCK": 2})
    assert [serial_state(api, n)[:2] for n in serials] == [("IN_STOCK", "STOCK")] * 4
    assert ledger.new() == {"putaway": 4}

    # An order for two: FEFO takes the earlier-expiring lot.
    order = ok(api.post("/orders", role="manager", json={
        "reference": "SO-2001", "customer_id": customer["id"],
        "lines": [{"product_id": pen["id"], "quantity": 2, "unit_price": "30"}]}), 201)
    assert (order["status"], order["lines"][0]["allocations"], order["cost_of_goods"]) == (
        "open", [], None)
    assert ledger.new() == {}
    allocated = ok(api.post(f"/orders/{order['id']}/allocate", role="manager", json={}))
    assert allocated["status"] == "allocated"
    assert allocated["lines"][0]["allocations"] == [
        {"batch_id": early, "quantity": 2, "unit_cost": 12.5,
         "serial_numbers": ["SN-B1", "SN-B2"]}]
    assert (allocated["lines"][0]["allocated_quantity"],
            allocated["lines"][0]["backordered_quantity"]) == (2, 0)
    assert balances(api, early) == (2, 0, {"STOCK": 2})
    assert balances(api, late) == (2, 2, {"STOCK": 2})
    assert serial_state(api, "SN-B1") == ("ALLOCATED", "STOCK", order["id"])
    assert ledger.new() == {"allocation": 2}
    pick_list = ok(api.get(f"/orders/{order['id']}/pick-list", role="viewer"))["items"]
    assert [(i["location_code"], i["batch_number"], i["expiry_date"], i["quantity"],
             i["serial_numbers"]) for i in pick_list] == [
        ("STOCK", "LOT-EARLY", EARLY, 2, ["SN-B1", "SN-B2"])]

    # A wrong scan: rejected with its reason, and the right scan in the same call not written.
    gadget = api.product("serial")
    api.serial("OTHER-1", product_id=gadget["id"])
    rejected = assert_problem(api.post(f"/orders/{order['id']}/pick", role="manager", json={
        "scans": ["SN-B1", "NOPE-9", "OTHER-1"]}), 409, "conflict")
    assert rejected["rejected"] == [
        {"scan": "NOPE-9", "reason": "no serial or lot with this number"},
        {"scan": "OTHER-1", "reason": "this order has no line for its product"}]
    assert "NOPE-9: no serial or lot with this number" in rejected["detail"]
    assert serial_state(api, "SN-B1") == ("ALLOCATED", "STOCK", order["id"])
    assert ledger.new() == {"receipt": 1}  # OTHER-1's registration only

    # The right scans: a number with a scanner's whitespace, and a GS1 barcode.
    picked = ok(api.post(f"/orders/{order['id']}/pick", role="manager",
                         json={"scans": ["SN-B1 ", f"(01){GTIN}(21)SN-B2"]}))
    assert picked["lines"][0]["picked_quantity"] == 2
    assert [serial_state(api, n)[0] for n in ("SN-B1", "SN-B2")] == ["PICKED", "PICKED"]
    assert ok(api.get(f"/orders/{order['id']}/pick-list"))["items"] == []
    assert ledger.new() == {"pick": 2}

    # Ship: cost of goods from the lot's cost, the units leave custody.
    shipped = ok(api.post(f"/orders/{order['id']}/ship", role="manager",
                          json={"carrier": "DHL", "tracking_number": "JD0001"}))
    assert (shipped["status"], shipped["cost_of_goods"], shipped["lines"][0]["shipped_quantity"]
            ) == ("shipped", 25, 2)
    assert shipped["lines"][0]["allocations"] == allocated["lines"][0]["allocations"]
    shipment = ok(api.get(f"/shipments/{shipped['shipments'][0]}", role="viewer"))
    assert (shipment["order_id"], shipment["carrier"], shipment["tracking_number"],
            shipment["cost_of_goods"], shipment["ship_to"]["name"], shipment["lines"]) == (
        order["id"], "DHL", "JD0001", 25, "Bolt Retail", allocated["lines"][0]["allocations"])
    assert balances(api, early) == (0, 0, {})
    assert serial_state(api, "SN-B1") == ("SHIPPED", None, order["id"])
    assert ledger.new() == {"shipment": 2}
    assert ok(api.get(f"/orders/{order['id']}", role="viewer")) == shipped

    # A customer return: RETURNED into RETURNS, cost of goods down by the unit's cost.
    returned = ok(api.post(f"/orders/{order['id']}/returns", role="manager", json={
        "lines": [{"serial_number": "SN-B1"}], "reason": "damaged box"}))
    assert (returned["cost_of_goods"], returned["lines"][0]["returned_quantity"]) == (12.5, 1)
    assert serial_state(api, "SN-B1") == ("RETURNED", "RETURNS", order["id"])
    assert balances(api, early) == (1, 0, {"RETURNS": 1})
    assert ledger.new() == {"return": 1}

    # Restock: back to STOCK, available again, the order link cleared.
    sn_b1 = api.get("/serials/lookup/SN-B1").json()
    restocked = ok(api.post(f"/serials/{sn_b1['id']}/status", role="manager", json={
        "status": "IN_STOCK", "location_id": api.location_id("STOCK"),
        "reason": "inspected, resaleable"}))
    assert (restocked["status"], restocked["order_id"]) == ("IN_STOCK", None)
    assert balances(api, early) == (1, 1, {"STOCK": 1})
    assert ledger.new() == {"putaway": 1}
    history = api.get(f"/serials/{sn_b1['id']}/history", role="viewer").json()["items"]
    assert [m["kind"] for m in history] == [
        "status_change", "receipt", "putaway", "allocation", "pick", "shipment", "return",
        "putaway"]


def test_lot_quantities_through_the_flow_and_stock_control(api: Api) -> None:
    """An untracked-by-serial product: a short receipt with a reason, FEFO over two lots, a
    lot scan at picking, a partial return by quantity, a transfer back to STOCK, an
    adjustment and a cycle count."""
    ledger = Ledger(api)
    oil, supplier, customer = api.product("lot"), api.supplier(), api.customer()
    receipt = ok(api.post("/receipts", json={
        "reference": "ASN-OIL", "supplier_id": supplier["id"],
        "lines": [{"product_id": oil["id"], "expected_quantity": 20, "unit_cost": 2}]}), 201)
    line_id = receipt["lines"][0]["id"]
    short = ok(api.post(f"/receipts/{receipt['id']}/receive", json={"lines": [{
        "line_id": line_id, "reason": "one case missing", "lots": [
            {"batch_number": "OIL-B", "expiry_date": LATE, "quantity": "10.5"},
            {"batch_number": "OIL-A", "expiry_date": EARLY, "quantity": 6}]}]}))
    assert (short["status"], short["lines"][0]["received_quantity"],
            short["lines"][0]["reason"]) == ("received", 16.5, "one case missing")
    ok(api.post(f"/receipts/{receipt['id']}/putaway"))
    lots = lots_of(api, oil["id"])
    oil_a, oil_b = lots["OIL-A"], lots["OIL-B"]
    assert balances(api, oil_a) == (6, 6, {"STOCK": 6})
    assert ledger.new() == {"receipt": 2, "putaway": 2}

    order = ok(api.post("/orders", json={"reference": "SO-OIL", "customer_id": customer["id"],
                                         "lines": [{"product_id": oil["id"], "quantity": 8}]}),
               201)
    view = ok(api.post(f"/orders/{order['id']}/allocate", json={}))
    assert view["lines"][0]["allocations"] == [
        {"batch_id": oil_a, "quantity": 6, "unit_cost": 2, "serial_numbers": []},
        {"batch_id": oil_b, "quantity": 2, "unit_cost": 2, "serial_numbers": []}]
    assert balances(api, oil_a) == (6, 0, {"STOCK": 6})
    assert balances(api, oil_b) == (10.5, 8.5, {"STOCK": 10.5})
    too_many = assert_problem(api.post(f"/orders/{order['id']}/pick", json={
        "scans": [{"batch_id": oil_a, "quantity": 7}]}), 409, "conflict")
    assert too_many["rejected"] == [{"scan": f"lot {oil_a} x 7",
                                     "reason": "only 6 of this lot are left to pick"}]
    picked = ok(api.post(f"/orders/{order['id']}/pick", json={
        "scans": [{"batch_number": "oil-a", "quantity": 6}, "OIL-B", "OIL-B"]}))
    assert picked["lines"][0]["picked_quantity"] == 8
    assert ledger.new() == {"allocation": 2, "pick": 3}
    shipped = ok(api.post(f"/orders/{order['id']}/ship"))
    assert (shipped["status"], shipped["cost_of_goods"]) == ("shipped", 16)
    assert balances(api, oil_a) == (0, 0, {})
    assert ledger.new() == {"shipment": 2}

    back = ok(api.post(f"/orders/{order['id']}/returns", json={
        "lines": [{"batch_id": oil_a, "quantity": "1.5"}], "reason": "leaking"}))
    assert (back["cost_of_goods"], back["lines"][0]["returned_quantity"]) == (13, 1.5)
    assert balances(api, oil_a) == (1.5, 0, {"RETURNS": 1.5})
    moved = ok(api.post("/transfers", json={
        "from_location_id": api.location_id("RETURNS"), "to_location_id": api.location_id("STOCK"),
        "batch_id": oil_a, "quantity": 1, "reason": "restock"}))
    assert (moved["quantity"], moved["serial_numbers"]) == (1, [])
    assert balances(api, oil_a) == (1.5, 1, {"RETURNS": 0.5, "STOCK": 1})
    assert ledger.new() == {"return": 1, "transfer": 1}

    adjusted = ok(api.post("/adjustments", json={"batch_id": oil_a, "quantity_delta": "-0.5",
                                                  "location_id": api.location_id("RETURNS"),
                                                  "reason": "damage"}))
    assert adjusted["quantity_delta"] == -0.5
    counted = ok(api.post("/cycle-counts", json={
        "location_id": api.location_id("STOCK"),
        "counts": [{"batch_id": oil_a, "quantity": 2}, {"batch_id": oil_b, "quantity": 8.5}]}))
    assert counted["lots"] == [
        {"batch_id": b, "expected": e, "counted": c, "adjusted_by": d}
        for b, e, c, d in sorted([(oil_a, 1, 2, 1), (oil_b, 8.5, 8.5, 0)])]
    assert balances(api, oil_a) == (2, 2, {"STOCK": 2})
    assert ledger.new() == {"adjustment": 2}
    nothing_counted = assert_problem(api.post("/cycle-counts", json={
        "location_id": api.location_id("STOCK")}), 422, "validation_error")
    assert [e["field"] for e in nothing_counted["errors"]] == ["counts"]
    assert ledger.new() == {}


def test_holds_cancel_and_reversals(api: Api) -> None:
    ledger = Ledger(api)
    scanner, supplier, customer = api.product("serial"), api.supplier(), api.customer()
    receipt = ok(api.post("/receipts", json={
        "reference": "ASN-R", "supplier_id": supplier["id"],
        "lines": [{"product_id": scanner["id"], "expected_quantity": 2}]}), 201)
    ok(api.post(f"/receipts/{receipt['id']}/receive", json={"lines": [{
        "line_id": receipt["lines"][0]["id"], "lots": [{"serial_numbers": ["S-1", "S-2"]}]}]}))
    ok(api.post(f"/receipts/{receipt['id']}/putaway",
                json={"location_id": api.location_id("STOCK")}))
    order = ok(api.post("/orders", json={"reference": "SO-H", "customer_id": customer["id"],
                                         "lines": [{"product_id": scanner["id"], "quantity": 2}]}),
               201)
    s1 = api.get("/serials/lookup/S-1").json()
    held = ok(api.post(f"/serials/{s1['id']}/hold", role="manager",
                       json={"reason": "dented", "kind": "quarantine"}))
    assert held["hold"]["reason"] == "dented"
    short = assert_problem(api.post(f"/orders/{order['id']}/allocate", json={}), 409,
                           "insufficient_stock")
    assert short["detail"] == f"not enough allocatable stock: {scanner['sku']} short by 1"
    assert short["shortfall"] == {scanner["sku"]: "1"}
    assert ok(api.post(f"/serials/{s1['id']}/release", role="manager"))["hold"] is None
    stock = api.location_id("STOCK")
    assert ok(api.post(f"/locations/{stock}/hold", json={"reason": "audit"}))["hold"]["kind"] \
        == "quarantine"
    assert_problem(api.post(f"/orders/{order['id']}/allocate", json={}), 409,
                   "insufficient_stock")
    partial = ok(api.post(f"/orders/{order['id']}/allocate", json={"partial": True}))
    assert partial["lines"][0]["allocated_quantity"] == 0
    assert ok(api.post(f"/locations/{stock}/release"))["hold"] is None
    ok(api.post(f"/orders/{order['id']}/allocate", json={"lines": [
        {"line_id": order["lines"][0]["id"], "serial_numbers": ["S-2"]}]}))
    view = ok(api.post(f"/orders/{order['id']}/allocate"))
    assert view["lines"][0]["allocations"][0]["serial_numbers"] == ["S-2", "S-1"]
    shipped = ok(api.post(f"/orders/{order['id']}/ship", json={}))
    reversed_order = ok(api.post(f"/shipments/{shipped['shipments'][0]}/reverse",
                                 json={"reason": "keyed in by mistake"}))
    assert (reversed_order["status"], reversed_order["cost_of_goods"]) == ("allocated", None)
    assert ok(api.get(f"/shipments/{shipped['shipments'][0]}"))["reversed_at"] is not None
    assert serial_state(api, "S-1") == ("ALLOCATED", "STOCK", order["id"])
    again = assert_problem(api.post(f"/shipments/{shipped['shipments'][0]}/reverse",
                                    json={"reason": "twice"}), 409, "conflict")
    assert again["detail"] == "this shipment is already reversed"
    cancelled = ok(api.post(f"/orders/{order['id']}/cancel", json={"reason": "customer left"}))
    assert (cancelled["status"], cancelled["lines"][0]["allocations"]) == ("cancelled", [])
    assert serial_state(api, "S-1") == ("IN_STOCK", "STOCK", None)
    assert_problem(api.post(f"/orders/{order['id']}/allocate", json={}), 409, "conflict")
    reversed_receipt = ok(api.post(f"/receipts/{receipt['id']}/reverse",
                                   json={"reason": "wrong supplier"}))
    assert reversed_receipt["status"] == "cancelled"
    assert [serial_state(api, n)[:2] for n in ("S-1", "S-2")] == [("CANCELLED", None)] * 2
    ledger.new()
    listed = ok(api.get("/receipts", role="viewer", params={"supplier_id": supplier["id"]}))
    assert ([r["id"] for r in listed["items"]], listed["next_cursor"]) == ([receipt["id"]], None)
    assert ok(api.get("/receipts", params={"status": "open"}))["items"] == []


def test_bad_input_is_a_problem_naming_the_value(api: Api, other: Api) -> None:
    pen, supplier, customer = api.product("lot_serial"), api.supplier(), api.customer()
    asn = {"reference": "ASN-BAD", "supplier_id": supplier["id"],
           "lines": [{"product_id": pen["id"], "expected_quantity": 2}]}
    assert field_names(api.post("/receipts", json={**asn, "lines": []})) == ["lines"]
    assert field_names(api.post("/receipts", json={**asn, "lines": [
        {"product_id": pen["id"], "expected_quantity": 0},
        {"product_id": pen["id"], "expected_quantity": 1, "colour": "red"}]})) == [
        "lines.0.expected_quantity", "lines.1.colour"]
    missing = assert_problem(api.post("/receipts", json={**asn, "supplier_id": "nope"}), 404,
                             "not_found")
    assert missing["detail"] == "supplier not found: supplier_id=nope"
    foreign = other.product()
    assert assert_problem(api.post("/receipts", json={**asn, "lines": [
        {"product_id": foreign["id"], "expected_quantity": 1}]}), 404, "not_found")["detail"] \
        == f"product not found: lines.0.product_id={foreign['id']}"
    receipt = ok(api.post("/receipts", json=asn), 201)
    duplicate = assert_problem(api.post("/receipts", json=asn), 409, "conflict")
    assert duplicate["detail"] == "receipt 'ASN-BAD' already exists"

    line_id = receipt["lines"][0]["id"]
    mismatch = assert_problem(api.post(f"/receipts/{receipt['id']}/receive", json={"lines": [
        {"line_id": line_id, "lots": [{"batch_number": "L1", "serial_numbers": ["P-1"]}]}]}),
        422, "validation_error")
    assert mismatch["errors"] == [{
        "field": "lines.0.lots", "value": "1",
        "message": "lots add up to 1 but the line expects 2; give a reason for a short or over "
                   "receipt"}]
    unknown_line = assert_problem(api.post(f"/receipts/{receipt['id']}/receive", json={
        "lines": [{"line_id": "no-such-line", "lots": [{"quantity": 2}]}]}), 422,
        "validation_error")
    assert unknown_line["errors"] == [{"field": "lines.0.line_id", "value": "no-such-line",
                                       "message": "is not a line of this receipt"}]
    assert field_names(api.post(f"/receipts/{receipt['id']}/receive", json={"lines": [
        {"line_id": line_id, "lots": [{"quantity": -1, "expiry_date": "2026-02-30"}]}]})) == [
        "lines.0.lots.0.expiry_date", "lines.0.lots.0.quantity"]
    assert api.get(f"/receipts/{receipt['id']}").json()["lines"][0]["received_quantity"] == 0
    assert_problem(api.post("/receipts/nope/putaway"), 404, "not_found")
    assert field_names(api.post(f"/receipts/{receipt['id']}/reverse", json={})) == ["reason"]

    order = ok(api.post("/orders", json={"reference": "SO-BAD", "customer_id": customer["id"],
                                         "lines": [{"product_id": pen["id"], "quantity": 3}]}),
               201)
    short = assert_problem(api.post(f"/orders/{order['id']}/allocate", json={}), 409,
                           "insufficient_stock")
    assert short["detail"] == f"not enough allocatable stock: {pen['sku']} short by 3"
    nothing = assert_problem(api.post(f"/orders/{order['id']}/ship", json={}), 409, "conflict")
    assert nothing["detail"] == "order 'SO-BAD' has nothing allocated to ship; allocate it first"
    assert field_names(api.post(f"/orders/{order['id']}/pick", json={"scans": []})) == ["scans"]
    assert field_names(api.post(f"/orders/{order['id']}/allocate", json={"partial": "maybe"})) \
        == ["partial"]
    not_shipped = assert_problem(api.post(f"/orders/{order['id']}/returns", json={
        "lines": [{"serial_number": "P-404"}], "reason": "x"}), 409, "conflict")
    assert (not_shipped["detail"], not_shipped["serial_number"], not_shipped["field"]) == (
        "serial 'P-404' was not shipped on order 'SO-BAD'", "P-404", "lines.0.serial_number")
    bad_line = assert_problem(api.post(f"/orders/{order['id']}/returns", json={
        "lines": [{"quantity": 1}], "reason": "x"}), 422, "validation_error")
    assert bad_line["errors"][0]["field"] == "lines.0"
    assert_problem(api.post("/shipments/nope/reverse", json={"reason": "x"}), 404, "not_found")
    assert_problem(api.get(f"/orders/{order['id']}/pick-list", role=None), 401, "unauthorized")
    assert_problem(other.post(f"/orders/{order['id']}/allocate", json={}), 404, "not_found")
    assert_problem(api.post(f"/orders/{order['id']}/cancel", role="viewer"), 403, "forbidden")

    stock, returns = api.location_id("STOCK"), api.location_id("RETURNS")
    same = assert_problem(api.post("/transfers", json={"from_location_id": stock,
                                                       "to_location_id": stock, "quantity": 1}),
                          422, "validation_error")
    assert same["errors"][0] == {"field": "to_location_id", "value": stock,
                                 "message": "is the same as from_location_id"}
    oil = api.product("lot")
    lot = api.batch(oil["id"], "OIL-1", quantity=2)
    below = assert_problem(api.post("/adjustments", json={
        "batch_id": lot["id"], "quantity_delta": -3, "reason": "damage"}), 409,
        "insufficient_stock")
    assert below["detail"] == "STOCK holds 2 free; an adjustment of -3 would go below zero"
    assert field_names(api.post("/adjustments", json={"batch_id": lot["id"],
                                                      "quantity_delta": 0, "reason": "x"})) \
        == ["quantity_delta"]
    too_much = assert_problem(api.post("/transfers", json={
        "from_location_id": stock, "to_location_id": returns, "batch_id": lot["id"],
        "quantity": 5}), 409, "insufficient_stock")
    assert too_much["detail"] == "only 2 free at STOCK; 5 were asked for (short by 3)"
    assert api.get(f"/batches/{lot['id']}").json()["balance_quantity"] == 2
    assert_problem(api.post("/transfers", role="viewer", json={
        "from_location_id": stock, "to_location_id": returns, "batch_id": lot["id"],
        "quantity": 1}), 403, "forbidden")


def test_unknown_ids_are_404_naming_them(api: Api) -> None:
    for path in ("/receipts/x", "/shipments/x", "/orders/x/pick-list"):
        assert_problem(api.get(path), 404, "not_found")
    assert assert_problem(api.post("/orders/x/ship", json={}), 404,
                          "not_found")["detail"] == "order not found: order_id=x"
    assert assert_problem(api.post("/serials/x/hold", json={"reason": "r"}), 404,
                          "not_found")["detail"].startswith("serial not found")
    assert assert_problem(api.post("/locations/x/release"), 404,
                          "not_found")["detail"].startswith("location not found")
    assert assert_problem(api.post("/cycle-counts", json={"location_id": unique("L"),
                                                          "serial_numbers": []}), 404,
                          "not_found")["detail"].startswith("location not found")
