"""Customer orders: enough to assign units to them (allocation flows build on this)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lotline.domain.errors import Conflict, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.model import Order, Page
from lotline.domain.statuses import Role
from lotline.domain.values import (
    ErrorCollector,
    apply_aliases,
    clean_number,
    optional_decimal,
    to_decimal,
)
from lotline.service_layer.base import Service, need_customer, need_order, need_product, snapshot

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
        with self.reading() as uow:
            return uow.orders.list_page(customer_id, status, limit, cursor)
