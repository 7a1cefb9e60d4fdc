"""Customer orders: enough to assign units to them (allocation flows build on this)."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from lotline.domain.errors import Conflict, InsufficientStock, NotFound, ValidationError
from lotline.domain.flows import Allocation, OrderFacts, OrderView, PickItem, Shipment
from lotline.domain.ids import new_id
from lotline.domain.lots import LotRecord
from lotline.domain.model import Order, Page, Product
from lotline.domain.statuses import Role
from lotline.domain.values import (
    ErrorCollector,
    apply_aliases,
    clean_number,
    clean_text,
    optional_decimal,
    required_text,
    to_decimal,
)
from lotline.service_layer.allocating import Held, Target, allocate_target
from lotline.service_layer.base import (
    Service,
    lock_order,
    need_customer,
    need_order,
    need_product,
    snapshot,
)
from lotline.service_layer.corrections import reverse_shipment
from lotline.service_layer.event_data import Known, order_data
from lotline.service_layer.order_allocations import OrderAllocations
from lotline.service_layer.order_views import order_view, pick_list, shipment_view, status_after
from lotline.service_layer.picking import pick_scans
from lotline.service_layer.scan import ScanResult
from lotline.service_layer.shipping import (
    check_shippable,
    parse_return_lines,
    release_allocations,
    return_units,
    ship_allocations,
)
from lotline.service_layer.unit_of_work import UnitOfWork, retry_transient

LINE_FIELDS = ("product_id", "quantity", "unit_price")


def parse_lines(lines: Any) -> list[dict[str, Any]]:
    if not isinstance(lines, list) or not lines:
        raise ValidationError.single("lines", "must be a non-empty list of order lines", lines)
    errors = ErrorCollector()
    parsed: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        prefix = f"lines.{index}"
        if not isinstance(line, Mapping):
            errors.add(prefix, "must be an object with product_id and quantity", line)
            continue
        fields = errors.take(apply_aliases, dict(line), {"item_id": "product_id"}, LINE_FIELDS)
        if fields is None:
            continue
        quantity = errors.take(to_decimal, fields.get("quantity"), f"{prefix}.quantity")
        if quantity is not None and quantity <= 0:
            errors.add(f"{prefix}.quantity", "must be greater than 0", str(quantity))
        if not fields.get("product_id"):
            errors.add(f"{prefix}.product_id", "is required")
        parsed.append({"product_id": fields.get("product_id"), "quantity": quantity,
                       "unit_price": errors.take(optional_decimal, fields.get("unit_price"),
                                                 f"{prefix}.unit_price")})
    errors.raise_if_any()
    return parsed


class OrderService(Service):
    def create_order(self, reference: str, customer_id: str, lines: Any) -> Order:
        self.actor.require(Role.MANAGER, "creating orders")
        errors = ErrorCollector()
        clean_reference = errors.take(clean_number, reference, "reference")
        parsed = errors.take(parse_lines, lines)
        errors.raise_if_any()
        assert clean_reference is not None and parsed is not None
        now = self.actor.now()
        order_id = new_id()
        with self.writing() as uow:
            need_customer(uow, customer_id)
            for index, line in enumerate(parsed):
                need_product(uow, line["product_id"], f"lines.{index}.product_id")
            if uow.orders.by_reference(clean_reference) is not None:
                raise Conflict(f"order {clean_reference!r} already exists",
                               reference=clean_reference)
            uow.orders.insert({"id": order_id, "reference": clean_reference,
                               "customer_id": customer_id, "status": "open",
                               "created_at": now, "updated_at": now})
            uow.orders.add_lines([{"id": new_id(), "order_id": order_id, "line_no": index + 1,
                                   **line} for index, line in enumerate(parsed)])
            order = need_order(uow, order_id)
            uow.audit.record(actor=self.actor.name, entity="order", entity_id=order_id,
                             action="create", before=None, after=snapshot(order), moment=now)
            uow.events.add("order.created", order_data(uow, order_view(uow, order_id)))
        return order

    def get(self, order_id: str) -> Order:
        with self.reading() as uow:
            return need_order(uow, order_id)

    def by_reference(self, reference: str) -> Order:
        with self.reading() as uow:
            order = uow.orders.by_reference(reference.strip())
        if order is None:
            raise NotFound("order", reference, "reference")
        return order

    def list(self, customer_id: str | None = None, status: str | None = None,
             limit: int = 50, cursor: str | None = None) -> Page[Order]:
        with self.reading(may_lag=True) as uow:
            return uow.orders.list_page(customer_id, status, limit, cursor)

    # --- fulfilment ----------------------------------------------------------------------

    def view(self, order_id: str) -> OrderView:
        """The order with its lines' allocations, shipments and cost of goods."""
        with self.reading() as uow:
            return order_view(uow, order_id)

    @retry_transient
    def allocate(self, order_id: str, *, partial: bool = False,
                 lines: Any = None) -> OrderView:
        """Allocate what is still open, by each product's strategy (or to named lots and
        serials); a shortfall fails the whole call unless `partial`."""
        self.actor.require(Role.MANAGER, "allocating")
        with self.writing() as uow:
            facts = _open_order(uow, order_id)
            order, shipment_ids, customer = facts.order, facts.shipment_ids, facts.customer
            today = self.today(uow)
            held = Held(OrderAllocations(uow.flows, order.id), {})
            products: dict[str, Product] = dict(facts.products)
            shortfall: dict[str, Decimal] = {}
            for target in _targets(order, lines, held.allocations.allocated_by_line()):
                product_id = target.line.product_id
                product = products.get(product_id) or need_product(uow, product_id)
                products[product_id] = product
                short = allocate_target(uow, order, customer, product, target, today, held)
                if short > 0:
                    shortfall[product.sku] = shortfall.get(product.sku, Decimal(0)) + short
            if shortfall and not partial:
                raise InsufficientStock(
                    "not enough allocatable stock: " + ", ".join(
                        f"{sku} short by {qty}" for sku, qty in sorted(shortfall.items())),
                    shortfall={sku: str(qty) for sku, qty in shortfall.items()})
            refreshed, allocations = _refresh_status(uow, order, held.allocations.every())
            view = order_view(uow, order.id, order=refreshed, allocations=allocations,
                              shipment_ids=shipment_ids)
            uow.events.add("order.allocated", order_data(
                uow, view, Known(customer=customer, products=products, lots=held.lots)))
            return view

    def pick_list(self, order_id: str) -> builtins.list[PickItem]:
        with self.reading() as uow:
            return pick_list(uow, order_id)

    @retry_transient
    def pick(self, order_id: str, scans: Any) -> OrderView:
        self.actor.require(Role.MANAGER, "picking")
        if not isinstance(scans, list) or not scans:
            raise ValidationError.single("scans", "must be a non-empty list of scans", scans)
        with self.writing() as uow:
            facts = _open_order(uow, order_id)
            order = facts.order
            book = OrderAllocations(uow.flows, order.id)
            lots: dict[str, LotRecord] = {}
            pick_scans(uow, order, scans, self.today(uow), book, lots)
            view = order_view(uow, order.id, order=order, allocations=book.every(),
                              shipment_ids=facts.shipment_ids)
            uow.events.add("order.picked", order_data(uow, view, Known(
                customer=facts.customer, products=facts.products, lots=lots)))
            return view

    @retry_transient
    def pick_scan(self, order_id: str, data: Any) -> ScanResult:
        """Pick one scan (the web's scan box) and say what it was: the scan is resolved once,
        in the pick's transaction, by the resolver every door uses."""
        self.actor.require(Role.MANAGER, "picking")
        with self.writing() as uow:
            order = _open_order(uow, order_id).order
            picked = pick_scans(uow, order, [data], self.today(uow),
                                OrderAllocations(uow.flows, order.id), {})[0]
            assert picked is not None  # a text scan always resolves or is rejected
            return picked

    @retry_transient
    def ship(self, order_id: str, *, carrier: str | None = None,
             tracking_number: str | None = None, ship_to: dict[str, Any] | None = None,
             shipped_at: dt.datetime | None = None) -> OrderView:
        """Ship everything allocated (picked or not) as one shipment."""
        self.actor.require(Role.MANAGER, "shipping")
        errors = ErrorCollector()
        details = {"carrier": errors.take(clean_text, carrier, "carrier"),
                   "tracking_number": errors.take(clean_text, tracking_number,
                                                  "tracking_number"),
                   "ship_to": ship_to, "shipped_at": shipped_at}
        errors.raise_if_any()
        with self.writing() as uow:
            facts = _open_order(uow, order_id)
            order, customer = facts.order, facts.customer
            book = OrderAllocations(uow.flows, order.id)
            pending = book.allocations(order.id, ("allocated", "picked"))
            if not pending:
                raise Conflict(f"order {order.reference!r} has nothing allocated to ship; "
                               "allocate it first", order_id=order.id)
            today = self.today(uow)
            lots: dict[str, LotRecord | None] = {}
            check_shippable(uow, pending, today, lots)
            shipped, allocations, shipment_id = ship_allocations(
                uow, order, customer, pending, details, today, lots, book)
            view = order_view(uow, order.id, order=shipped, allocations=allocations,
                              shipment_ids=sorted([*facts.shipment_ids, shipment_id]))
            uow.events.add("order.shipped", order_data(
                uow, view, Known(customer=customer, products=facts.products,
                                 lots={i: lot for i, lot in lots.items() if lot is not None}),
                shipment_id=view.shipments[-1] if view.shipments else None,
                carrier=details["carrier"], tracking_number=details["tracking_number"]))
            return view

    @retry_transient
    def cancel(self, order_id: str, reason: str | None = None) -> OrderView:
        self.actor.require(Role.MANAGER, "cancelling orders")
        with self.writing() as uow:
            order = _open_order(uow, order_id).order
            flows = uow.flows
            if flows.allocations(order.id, ("shipped",)):
                raise Conflict(f"order {order.reference!r} has shipped units; it cannot be "
                               "cancelled (return them instead)", order_id=order.id)
            release_allocations(uow, order, flows.allocations(order.id, ("allocated", "picked")),
                                self.today(uow), reason or "order cancelled")
            uow.orders.update(order.id, {"status": "cancelled", "updated_at": self.actor.now()})
            return order_view(uow, order.id)

    @retry_transient
    def returns(self, order_id: str, lines: Any, reason: str,
                warehouse_id: str | None = None) -> OrderView:
        """A customer return (RMA): serials RETURNED into RETURNS, lots back into their lot."""
        self.actor.require(Role.MANAGER, "recording returns")
        errors = ErrorCollector()
        parsed = errors.take(parse_return_lines, lines)
        note = errors.take(required_text, reason, "reason", max_length=2000)
        errors.raise_if_any()
        assert parsed is not None and note is not None
        with self.writing() as uow:
            order = lock_order(uow, order_id)
            return_units(uow, order, parsed, note, warehouse_id, self.today(uow))
            view = order_view(uow, order.id)
            uow.events.add("order.returned", order_data(uow, view, reason=note,
                                                        returned_lines=parsed))
            return view

    @retry_transient
    def reverse_shipment(self, shipment_id: str, reason: str) -> OrderView:
        """Undo a shipment entered by mistake: its units are allocated to the order again."""
        self.actor.require(Role.MANAGER, "reversing shipments")
        note = required_text(reason, "reason", max_length=2000)
        with self.writing() as uow:
            shipment = shipment_view(uow, shipment_id)
            lock_order(uow, shipment.order_id)  # then the shipment is read again, under it
            reverse_shipment(uow, shipment.id, note)
            return order_view(uow, shipment.order_id)

    def shipment(self, shipment_id: str) -> Shipment:
        with self.reading() as uow:
            return shipment_view(uow, shipment_id)


def _open_order(uow: UnitOfWork, order_id: str) -> OrderFacts:
    """The order (its row locked, as base.lock_order) with its shipments' ids, customer and
    products, in one read."""
    found = uow.orders.facts(str(order_id), for_update=True)
    if found is None:
        raise NotFound("order", order_id, "order_id")
    order = found.order
    if order.status in ("cancelled", "shipped"):
        raise Conflict(f"order {order.reference!r} is {order.status}", order_id=order.id)
    return found


def _refresh_status(uow: UnitOfWork, order: Order, allocations: list[Allocation]
                    ) -> tuple[Order, list[Allocation]]:
    """The order's status from its allocations (every one it has), written; the order as it
    is now, and the allocations."""
    status, now = status_after(order, allocations), uow.actor.now()
    uow.orders.update(order.id, {"status": status, "updated_at": now})
    return order.with_status(status, now), allocations


def _targets(order: Order, lines: Any, allocated: dict[str, Decimal]) -> list[Target]:
    """Explicit lines ({line_id, batch_id?, serial_numbers?, quantity?}) or every open line,
    given what each line has allocated already."""
    by_id = {line.id: line for line in order.lines}
    if lines is None:
        return [Target(line, line.quantity - allocated.get(line.id, Decimal(0)))
                for line in order.lines if line.quantity > allocated.get(line.id, Decimal(0))]
    if not isinstance(lines, list) or not lines:
        raise ValidationError.single("lines", "must be a non-empty list", lines)
    errors = ErrorCollector()
    targets = []
    for index, raw in enumerate(lines):
        line = by_id.get(str(raw.get("line_id"))) if isinstance(raw, dict) else None
        if line is None:
            errors.add(f"lines.{index}.line_id", "is not a line of this order",
                       raw.get("line_id") if isinstance(raw, dict) else raw)
            continue
        open_quantity = line.quantity - allocated.get(line.id, Decimal(0))
        numbers = tuple(str(n).strip() for n in raw.get("serial_numbers") or ())
        quantity = errors.take(to_decimal, raw.get("quantity", len(numbers) or open_quantity),
                               f"lines.{index}.quantity")
        if quantity is not None and (quantity <= 0 or quantity > open_quantity):
            errors.add(f"lines.{index}.quantity", f"must be between 0 and the {open_quantity} "
                       "still open on the line", str(quantity))
        targets.append(Target(line, quantity or Decimal(0), raw.get("batch_id"), numbers))
    errors.raise_if_any()
    return targets
