"""Receiving against an ASN: lots matched case-insensitively per supplier, serials checked
against the announced ones, units landing in RECEIVING as RECEIVED; then putaway."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from lotline.domain.errors import Conflict, NotFound, ValidationError
from lotline.domain.events import EVENT_SERIALS_LIMIT
from lotline.domain.flows import Receipt, ReceiptLine
from lotline.domain.ids import new_id
from lotline.domain.model import Page, Product
from lotline.domain.statuses import Role, SerialStatus
from lotline.domain.values import (
    ErrorCollector,
    apply_aliases,
    clean_number,
    clean_text,
    optional_decimal,
    required_text,
    to_decimal,
)
from lotline.service_layer.base import (
    Service,
    need_location,
    need_product,
    need_supplier,
    need_warehouse,
)
from lotline.service_layer.corrections import reverse_receipt
from lotline.service_layer.event_data import receipt_data, received_lots
from lotline.service_layer.expected_lots import (
    check_expected_lots,
    parse_expected_lots,
    unexpected_lot,
)
from lotline.service_layer.putaway import put_away
from lotline.service_layer.receipt_lots import LotEntry, parse_lot_entries, receive_entry
from lotline.service_layer.registration import clean_serial_numbers, insert_serials
from lotline.service_layer.unit_of_work import UnitOfWork, retry_transient
from lotline.service_layer.warehouses import default_location

LINE_FIELDS = ("product_id", "expected_quantity", "unit_cost", "expected_serials",
               "expected_lots")


def need_receipt(uow: UnitOfWork, receipt_id: str, *, lock: bool = False) -> Receipt:
    """The receipt; `lock` takes its row lock first, before what it holds is read, so two
    clients receiving (putting away) one receipt at once act one after the other."""
    flows = uow.flows
    if lock:
        flows.receipt_row(str(receipt_id), for_update=True)
    receipt = flows.receipt(str(receipt_id))
    if receipt is None:
        raise NotFound("receipt", receipt_id, "receipt_id")
    return receipt


def parse_asn_lines(lines: Any) -> list[dict[str, Any]]:
    if not isinstance(lines, list) or not lines:
        raise ValidationError.single("lines", "must be a non-empty list of receipt lines", lines)
    errors = ErrorCollector()
    parsed = []
    for index, line in enumerate(lines):
        prefix = f"lines.{index}"
        if not isinstance(line, Mapping):
            errors.add(prefix, "must be an object with product_id and expected_quantity", line)
            continue
        fields = errors.take(apply_aliases, dict(line), {"item_id": "product_id"}, LINE_FIELDS) \
            or {}
        expected = errors.take(to_decimal, fields.get("expected_quantity"),
                               f"{prefix}.expected_quantity")
        if expected is not None and expected <= 0:
            errors.add(f"{prefix}.expected_quantity", "must be greater than 0", str(expected))
        serials = fields.get("expected_serials")
        parsed.append({
            "product_id": fields.get("product_id"), "expected_quantity": expected,
            "unit_cost": errors.take(optional_decimal, fields.get("unit_cost"),
                                     f"{prefix}.unit_cost"),
            "expected_serials": (errors.take(clean_serial_numbers, serials,
                                             f"{prefix}.expected_serials") or [])
            if serials else [],
            "expected_lots": errors.take(parse_expected_lots, fields.get("expected_lots"),
                                         f"{prefix}.expected_lots") or []})
        if not fields.get("product_id"):
            errors.add(f"{prefix}.product_id", "is required")
    errors.raise_if_any()
    return parsed


def open_receipt(uow: UnitOfWork, now: Any, reference: str, supplier_id: str,
                 parsed: list[dict[str, Any]], warehouse_id: str | None = None) -> Receipt:
    """An open receipt (ASN) with its lines and announced serials, in `uow`'s transaction
    (`parsed`: lines as `parse_asn_lines` gives them). Also what EPCIS capture uses."""
    flows = uow.flows
    need_supplier(uow, supplier_id)
    warehouse = (need_warehouse(uow, warehouse_id) if warehouse_id
                 else uow.warehouses.default())
    assert warehouse is not None
    if flows.receipt_by_reference(reference) is not None:
        raise Conflict(f"receipt {reference!r} already exists", reference=reference)
    products = [_line_product(uow, line, i) for i, line in enumerate(parsed)]
    receipt_id = new_id()
    rows = [{"id": new_id(), "receipt_id": receipt_id, "line_no": i + 1,
             "product_id": p.id, "expected_quantity": line["expected_quantity"],
             "received_quantity": Decimal(0), "unit_cost": line["unit_cost"],
             "expected_lots": line.get("expected_lots") or None}
            for i, (line, p) in enumerate(zip(parsed, products, strict=True))]
    flows.add_receipt({"id": receipt_id, "reference": reference,
                       "supplier_id": supplier_id, "warehouse_id": warehouse.id,
                       "status": "open", "created_at": now, "updated_at": now}, rows)
    _announce_serials(uow, parsed, rows, products)
    receipt = need_receipt(uow, receipt_id)
    uow.events.add("receipt.created", receipt_data(uow, receipt, expected_serials={
        row["id"]: line["expected_serials"][:EVENT_SERIALS_LIMIT]
        for line, row in zip(parsed, rows, strict=True) if line["expected_serials"]}))
    return receipt


def _line_product(uow: UnitOfWork, line: dict[str, Any], index: int) -> Product:
    product = need_product(uow, line["product_id"], f"lines.{index}.product_id")
    check_expected_lots(line.get("expected_lots") or [], product, line["expected_quantity"],
                        f"lines.{index}.expected_lots")
    if line["expected_serials"]:
        if not product.tracking.uses_serials:
            raise ValidationError.single(f"lines.{index}.expected_serials",
                                         f"product {product.sku!r} takes no serials")
        if len(line["expected_serials"]) > line["expected_quantity"]:
            raise ValidationError.single(f"lines.{index}.expected_serials",
                                         "more serials than the expected quantity")
    return product


def _announce_serials(uow: UnitOfWork, parsed: list[dict[str, Any]],
                      rows: list[dict[str, Any]], products: list[Product]) -> None:
    """Announced serials become EXPECTED serials linked to their line, in the receipt's
    own transaction (a duplicate number leaves no receipt behind)."""
    for line, row, product in zip(parsed, rows, products, strict=True):
        if not line["expected_serials"]:
            continue
        created = insert_serials(uow, line["expected_serials"], product, None,
                                 SerialStatus.EXPECTED, None, None, None, None)
        uow.flows.link_expected(row["id"], created.ids)


class ReceiptService(Service):
    def create_receipt(self, reference: str, supplier_id: str, lines: Any,
                       warehouse_id: str | None = None) -> Receipt:
        self.actor.require(Role.MANAGER, "creating receipts")
        errors = ErrorCollector()
        clean_reference = errors.take(clean_number, reference, "reference")
        parsed = errors.take(parse_asn_lines, lines)
        errors.raise_if_any()
        assert clean_reference is not None and parsed is not None
        with self.writing() as uow:
            return open_receipt(uow, self.actor.now(), clean_reference, supplier_id, parsed,
                                warehouse_id)

    def get(self, receipt_id: str) -> Receipt:
        with self.reading() as uow:
            return need_receipt(uow, receipt_id)

    def received_by_lot(self, receipt_id: str) -> list[tuple[str, str, Decimal]]:
        """(product id, lot number, quantity) this receipt has received so far."""
        with self.reading() as uow:
            need_receipt(uow, receipt_id)
            return uow.movements.received_by_lot(str(receipt_id))

    def by_reference(self, reference: str) -> Receipt:
        with self.reading() as uow:
            row = uow.flows.receipt_by_reference(
                reference.strip())
            if row is None:
                raise NotFound("receipt", reference, "reference")
            return need_receipt(uow, row.id)

    @retry_transient
    def receive(self, receipt_id: str, lines: Any) -> Receipt:
        """Receive lots (and serials) against lines; all or nothing for the whole call."""
        self.actor.require(Role.MANAGER, "receiving")
        if not isinstance(lines, list) or not lines:
            raise ValidationError.single("lines", "must be a non-empty list", lines)
        with self.writing() as uow:
            receipt = need_receipt(uow, receipt_id, lock=True)
            if receipt.status == "cancelled":
                raise Conflict(f"receipt {receipt.reference!r} is cancelled")
            plan = self._plan(uow, receipt, lines)
            for index, (line, entries, reason) in enumerate(plan):
                self._receive_line(uow, receipt, line, entries, reason, index)
            self._update_status(uow, receipt.id)
            received = need_receipt(uow, receipt.id)
            uow.events.add("receipt.received", receipt_data(
                uow, received, received_lots=received_lots(plan)))
            return received

    def _plan(self, uow: UnitOfWork, receipt: Receipt, lines: list[Any]
              ) -> list[tuple[ReceiptLine, list[LotEntry], str | None]]:
        by_id = {line.id: line for line in receipt.lines}
        errors = ErrorCollector()
        plan: list[tuple[ReceiptLine, list[LotEntry], str | None]] = []
        seen_serials: dict[str, str] = {}
        for index, raw in enumerate(lines):
            prefix = f"lines.{index}"
            if not isinstance(raw, Mapping) or raw.get("line_id") not in by_id:
                errors.add(f"{prefix}.line_id", "is not a line of this receipt",
                           raw.get("line_id") if isinstance(raw, Mapping) else raw)
                continue
            line = by_id[raw["line_id"]]
            product = need_product(uow, line.product_id)
            entries = errors.take(parse_lot_entries, raw.get("lots"), product, prefix) or []
            reason = errors.take(clean_text, raw.get("reason"), f"{prefix}.reason",
                                 max_length=2000)
            self._check_totals(errors, line, entries, reason, prefix)
            for position, entry in enumerate(entries):
                refusal = unexpected_lot(line, entry.batch_number, product.sku)
                if refusal is not None:
                    errors.add(f"{prefix}.lots.{position}.batch_number", refusal,
                               entry.batch_number)
            for entry in entries:
                for number in entry.serial_numbers:
                    if number in seen_serials:
                        errors.add(f"{prefix}.lots", f"serial {number!r} is scanned twice in "
                                   "this receipt", number)
                    seen_serials[number] = prefix
            plan.append((line, entries, reason))
        errors.raise_if_any()
        return plan

    @staticmethod
    def _check_totals(errors: ErrorCollector, line: ReceiptLine, entries: list[LotEntry],
                      reason: str | None, prefix: str) -> None:
        total = sum((entry.quantity for entry in entries), Decimal(0))
        after = line.received_quantity + total
        if entries and after != line.expected_quantity and reason is None:
            before = (f" ({after} with the {line.received_quantity} received before)"
                      if line.received_quantity else "")
            errors.add(f"{prefix}.lots", f"lots add up to {total}{before} but the line expects "
                       f"{line.expected_quantity}; give a reason for a short or over receipt",
                       str(total))

    def _receive_line(self, uow: UnitOfWork, receipt: Receipt, line: ReceiptLine,
                      entries: list[LotEntry], reason: str | None, index: int) -> None:
        product = need_product(uow, line.product_id)
        flows = uow.flows
        expected = flows.expected_serial_ids(line.id)
        for entry in entries:
            receive_entry(uow, receipt, line, product, entry, expected, f"lines.{index}")
        total = sum((entry.quantity for entry in entries), Decimal(0))
        values: dict[str, Any] = {"received_quantity": line.received_quantity + total}
        if reason is not None:
            values["reason"] = reason
        flows.update_receipt_line(line.id, values)

    def _update_status(self, uow: UnitOfWork, receipt_id: str) -> None:
        receipt = need_receipt(uow, receipt_id)
        done = all(line.received_quantity >= line.expected_quantity or line.reason
                   for line in receipt.lines)
        uow.flows.update_receipt(receipt_id, {
            "status": "received" if done else "partially_received",
            "updated_at": self.actor.now()})

    @retry_transient
    def putaway(self, receipt_id: str, location_id: str | None = None) -> Receipt:
        """Everything this receipt brought into RECEIVING goes to STOCK (or `location_id`)."""
        self.actor.require(Role.MANAGER, "putting away")
        with self.writing() as uow:
            receipt = need_receipt(uow, receipt_id, lock=True)
            receiving = default_location(uow, "RECEIVING", receipt.warehouse_id)
            destination = (need_location(uow, location_id) if location_id
                           else default_location(uow, "STOCK", receipt.warehouse_id))
            put_away(uow, receipt, receiving, destination, self.today(uow))
            return receipt

    def reverse(self, receipt_id: str, reason: str) -> Receipt:
        """Undo a receipt entered by mistake with reversing movements (nothing is edited)."""
        self.actor.require(Role.MANAGER, "reversing receipts")
        note = required_text(reason, "reason", max_length=2000)
        with self.writing() as uow:
            reverse_receipt(uow, str(receipt_id), note)
            return need_receipt(uow, receipt_id)

    # Last in the class: the name `list` shadows the builtin in the annotations after it.
    def list(self, supplier_id: str | None = None, status: str | None = None,
             limit: int = 50, cursor: str | None = None) -> Page[Receipt]:
        """Receipts, oldest first; optionally one supplier's or those in one status."""
        with self.reading(may_lag=True) as uow:
            return uow.flows.receipt_page(
                supplier_id, status, limit, cursor)
