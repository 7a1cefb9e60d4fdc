"""Seed 000's commercio example, end to end, asserting what its console.log lines print."""

from __future__ import annotations

import datetime as dt
import uuid

from lotline import SerialStatus
from lotline.bootstrap import Services


def test_commercio_example_flow(fixed_svc: Services) -> None:
    svc = fixed_svc  # "today" is 2026-04-10, so the lot is not yet expired
    product = svc.products.create_product(sku="WIDGET-1", name="Widget", tracking="lot_serial")
    supplier = svc.suppliers.create_supplier(name="Acme Parts")
    customer = svc.customers.create_customer(name="Bolt Retail")
    order = svc.orders.create_order(reference="SO-1001", customer_id=customer.id,
                                    lines=[{"product_id": product.id, "quantity": 1}])
    bt = svc.batch_tracking

    # Create a batch for a product
    batch = bt.create_batch(product_id=product.id, batch_number="LOT-2026-04-A", quantity=500,
                            supplier_id=supplier.id, manufacturing_date=dt.date(2026, 3, 15),
                            expiry_date=dt.date(2027, 3, 15))
    assert str(uuid.UUID(batch.id)) == batch.id       # console.log(batch.id); // UUID
    assert batch.batch_number == "LOT-2026-04-A"      # "LOT-2026-04-A"
    assert batch.quantity == 500                      # 500

    # Register individual serial numbers in a batch
    serial = bt.register_serial(batch_id=batch.id, serial_number="SN-00042")
    assert serial.status is SerialStatus.AVAILABLE    # "AVAILABLE" ...
    assert serial.status.value == "IN_STOCK"          # ... shown by its canonical name

    # Bulk register serials
    serials = bt.register_serials(batch.id, ["SN-00043", "SN-00044", "SN-00045"])
    assert len(serials) == 3                          # 3
    assert [s.serial_number for s in serials] == ["SN-00043", "SN-00044", "SN-00045"]

    # Assign a serial number to an order
    assigned = bt.assign_to_order(serial.id, order.id)
    assert assigned.status is SerialStatus.ASSIGNED   # "ASSIGNED"
    assert assigned.status.value == "ALLOCATED"
    assert assigned.order_id == order.id              # order UUID

    # Look up a serial number
    found = bt.lookup_serial("SN-00042")
    assert found is not None
    assert found.batch_id == batch.id                 # Parent batch
    assert found.order_id == order.id                 # Assigned order (or null)
    assert found.status is SerialStatus.ALLOCATED     # Current status

    # Get all serials in a batch
    batch_serials = bt.get_serials_by_batch(batch.id)
    assert [s.serial_number for s in batch_serials] == [
        "SN-00042", "SN-00043", "SN-00044", "SN-00045"]
    assert [s.status.value for s in batch_serials] == [
        "ALLOCATED", "IN_STOCK", "IN_STOCK", "IN_STOCK"]

    # Get expired batches (expired on and after the expiry date)
    assert bt.get_expired_batches(as_of=dt.date(2027, 3, 14)) == []
    expired = bt.get_expired_batches(as_of=dt.date(2027, 3, 15))
    assert [f"{b.batch_number} expired on {b.expiry_date}" for b in expired] == [
        "LOT-2026-04-A expired on 2027-03-15"]

    # The lot counts what it holds: 4 units on hand, 3 still free to allocate.
    lot = bt.get_batch(batch.id)
    assert (lot.quantity, lot.balance_quantity, lot.available_quantity) == (500, 4, 3)
