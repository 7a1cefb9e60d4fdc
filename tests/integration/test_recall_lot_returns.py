"""A lot quantity shipped and partly returned: the forward trace and the recall report name
what each order received and what came back, read in one pass over the lot's ledger."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817

from lotline.bootstrap import Services
from support import Kit


def test_returned_lot_quantities_show_per_order_in_trace_and_recall(svc: Services) -> None:
    kit = Kit(svc)
    product = kit.product()
    lot = kit.lot(product, number="RET-1", quantity=10)
    first = kit.order(product, quantity=4, customer=kit.customer("Ana"))
    second = kit.order(product, quantity=3, customer=kit.customer("Bruno"))
    untouched = kit.order(product, quantity=2, customer=kit.customer("Carla"))
    for order in (first, second):
        svc.orders.allocate(order.id)
        svc.orders.ship(order.id)
    svc.orders.allocate(untouched.id)  # allocated, never shipped: no delivery
    svc.orders.returns(first.id, [{"batch_id": lot.id, "quantity": 1}], reason="dented")
    svc.orders.returns(first.id, [{"batch_id": lot.id, "quantity": "0.5"}], reason="dented")

    forward = svc.trace.forward(lot.id)
    assert [(d.customer_name, d.order_reference, d.quantity, d.returned_quantity,
             d.serial_numbers, d.first_shipped_at <= d.last_shipped_at)
            for d in forward.deliveries] == [
        ("Ana", first.reference, D(4), D("1.5"), [], True),
        ("Bruno", second.reference, D(3), D(0), [], True)]

    recall = svc.recalls.create(reason="dents", batch_ids=[lot.id])
    shown = [(entry["customer"]["name"], entry["quantity"],
              [(d["order_reference"], d["quantity"], d["returned_quantity"], d["batch_number"])
               for order in entry["orders"] for d in order["deliveries"]])
             for entry in recall.report["customers"]]
    assert shown == [("Ana", D(4), [(first.reference, D(4), D("1.5"), "RET-1")]),
                     ("Bruno", D(3), [(second.reference, D(3), D(0), "RET-1")])]
    assert recall.shipped_quantity == D(7)
    assert svc.recalls.get(recall.id).report["customers"] == recall.report["customers"]
