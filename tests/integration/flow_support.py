"""Helpers for the warehouse-flow tests (receiving, allocation, shipping, returns, stock
control, corrections): a clock the test moves, one-call receipts, and exact readings of
balances per location and of serial states."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from decimal import Decimal
from typing import Any

from lotline.bootstrap import Services
from lotline.domain.flows import OrderView, Receipt
from lotline.domain.model import Batch, Customer, Movement, Product, Supplier
from support import FIXED_NOW, Kit

D = Decimal


class MovableClock:
    """A clock that stands still until the test moves it (thread-safe)."""

    def __init__(self, moment: dt.datetime = FIXED_NOW) -> None:
        self.moment = moment
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self.moment

    def advance(self, **delta: float) -> dt.datetime:
        with self._lock:
            self.moment = self.moment + dt.timedelta(**delta)
            return self.moment

    @property
    def today(self) -> dt.date:
        return self.moment.date()


class Flows:
    """Warehouse flows with few words, on top of a Kit."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.svc: Services = kit.svc
        self._refs = itertools.count(1)
        self._codes: dict[str, str] | None = None

    # --- master data ---------------------------------------------------------------------

    def product(self, tracking: str = "lot", **fields: Any) -> Product:
        return self.kit.product(tracking, **fields)

    def supplier(self, **fields: Any) -> Supplier:
        return self.kit.supplier(**fields)

    def customer(self, **fields: Any) -> Customer:
        return self.kit.customer(**fields)

    def location(self, code: str, kind: str = "storage") -> str:
        warehouse = self.svc.warehouses.default()
        location = self.svc.warehouses.create_location(warehouse.id, code, kind)
        self._codes = None
        return location.id

    def loc(self, code: str) -> str:
        return self.kit.location_id(code)

    def code_of(self, location_id: str | None) -> str | None:
        if location_id is None:
            return None
        if self._codes is None or location_id not in self._codes:
            page = self.svc.warehouses.list_locations(limit=500)
            self._codes = {loc.id: loc.code for loc in page.items}
        return self._codes[location_id]

    # --- receiving -----------------------------------------------------------------------

    def asn(self, supplier: Supplier, *lines: dict[str, Any], reference: str | None = None
            ) -> Receipt:
        return self.svc.receipts.create_receipt(
            reference=reference or f"ASN-{next(self._refs)}", supplier_id=supplier.id,
            lines=list(lines))

    def receive(self, product: Product, lots: list[dict[str, Any]], *,
                supplier: Supplier | None = None, unit_cost: Any = None,
                putaway: bool = True, location_id: str | None = None) -> Receipt:
        """One receipt of one line whose expected quantity is what the lots add up to."""
        supplier = supplier or self.supplier()
        total = sum((D(str(lot.get("quantity", len(lot.get("serial_numbers") or ()))))
                     for lot in lots), D(0))
        line: dict[str, Any] = {"product_id": product.id, "expected_quantity": total}
        if unit_cost is not None:
            line["unit_cost"] = unit_cost
        receipt = self.asn(supplier, line)
        receipt = self.svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id,
                                                          "lots": lots}])
        if putaway:
            self.svc.receipts.putaway(receipt.id, location_id)
        return receipt

    def stock_lot(self, product: Product, number: str, quantity: Any, *,
                  unit_cost: Any = "1", expiry: dt.date | None = None,
                  supplier: Supplier | None = None, location_id: str | None = None,
                  **entry: Any) -> Batch:
        """Receive `quantity` of lot `number` and put it away (STOCK by default)."""
        lot: dict[str, Any] = {"batch_number": number, "quantity": quantity, **entry}
        if expiry is not None:
            lot["expiry_date"] = expiry
        supplier = supplier or self.supplier()
        self.receive(product, [lot], supplier=supplier, unit_cost=unit_cost,
                     location_id=location_id)
        return self.lot(product, number, supplier)

    def stock_serials(self, product: Product, numbers: list[str], *, number: str | None = None,
                      unit_cost: Any = "10", expiry: dt.date | None = None,
                      supplier: Supplier | None = None) -> Batch | None:
        lot: dict[str, Any] = {"quantity": len(numbers), "serial_numbers": numbers}
        if number is not None:
            lot["batch_number"] = number
        if expiry is not None:
            lot["expiry_date"] = expiry
        supplier = supplier or self.supplier()
        self.receive(product, [lot], supplier=supplier, unit_cost=unit_cost)
        return self.lot(product, number, supplier) if number is not None else None

    def lot(self, product: Product, number: str, supplier: Supplier | None = None) -> Batch:
        found = [b for b in self.svc.batches.by_number(number, product.id)
                 if supplier is None or b.supplier_id == supplier.id]
        assert len(found) == 1, found
        return found[0]

    # --- reading -------------------------------------------------------------------------

    def balances(self, batch_id: str) -> dict[str, Decimal]:
        """{location code: balance} of a lot, zero balances left out."""
        batch = self.svc.batches.get(batch_id)
        return {str(self.code_of(b.location_id)): b.balance_quantity
                for b in batch.associated_locations if b.balance_quantity != 0}

    def serial(self, number: str) -> tuple[str, str | None, str | None]:
        """(status, location code, order id) of a serial."""
        serial = self.svc.serials.lookup(number)
        return serial.status.value, self.code_of(serial.location_id), serial.order_id

    def statuses(self, *numbers: str) -> dict[str, tuple[str, str | None]]:
        return {n: self.serial(n)[:2] for n in numbers}

    def movements(self, **where: Any) -> list[Movement]:
        return self.kit.movements(**where)

    def kinds(self, **where: Any) -> list[tuple[str, Decimal]]:
        return sorted((m.kind.value, m.quantity) for m in self.movements(**where))

    def allocations(self, view: OrderView, line: int = 0) -> list[tuple[str | None, Decimal,
                                                                        Decimal | None,
                                                                        list[str]]]:
        return [(a.batch_id, a.quantity, a.unit_cost, a.serial_numbers)
                for a in view.lines[line].allocations]

    def order(self, *products: Product, quantity: Any = 1, customer: Customer | None = None
              ) -> Any:
        customer = customer or self.customer()
        return self.svc.orders.create_order(
            reference=f"SO-{next(self._refs)}", customer_id=customer.id,
            lines=[{"product_id": p.id, "quantity": quantity} for p in products])

    def verified(self) -> None:
        report = self.svc.ledger.verify()
        assert report.ok, report.problems
        assert self.kit.chain_problems() == []
