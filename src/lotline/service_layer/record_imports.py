"""Importing products and lots (with their opening stock): every row checked first, then all
rows written in one transaction through the same code the services use (audit log, ledger
movement for each lot received into stock). Files of master data are small next to serials,
so the checked rows are kept in memory."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from lotline.domain.errors import ValidationError
from lotline.domain.exchange import HeaderMap, ImportReport
from lotline.domain.ids import new_id
from lotline.domain.lots import parse_batch_fields
from lotline.domain.model import Product
from lotline.domain.statuses import Tracking
from lotline.domain.values import fold_number
from lotline.files.tabular import Table
from lotline.service_layer.batch_views import audit_batch
from lotline.service_layer.batches import insert_lot
from lotline.service_layer.catalog import parse_product_fields
from lotline.service_layer.exchange_refs import References
from lotline.service_layer.serial_import import ProgressFn
from lotline.service_layer.unit_of_work import UnitOfWork

PRODUCT_DEFAULTS = {"tracking": "none", "uom": "EA", "removal_strategy": "fefo",
                    "expiry_alert_days": 30}
LOT_FIELDS = ("manufacturer_batch_number", "internal_batch_number", "external_batch_number",
              "manufacturing_date", "expiry_date", "quantity", "unit_cost", "purchase_date",
              "status")


def _report_invalid(report: ImportReport, line: int, error: ValidationError,
                    raw: dict[str, str]) -> None:
    for problem in error.errors:
        column = problem.field.split(".")[0]
        report.add(line, column, raw.get(column), problem.message)


def _rows(table: Table, report: ImportReport, progress: ProgressFn | None
          ) -> Iterator[tuple[int, list[str]]]:
    for line, cells in table.rows:
        report.rows += 1
        if progress is not None and report.rows % 1000 == 0:
            progress("reading", table.position(), table.size)
        yield line, cells


# --- products --------------------------------------------------------------------------------


def check_products(table: Table, header: HeaderMap, refs: References,
                   report: ImportReport, progress: ProgressFn | None) -> list[dict[str, Any]]:
    names = ("sku", "name", "tracking", "gtin", "uom", "removal_strategy", "shelf_life_days",
             "expiry_alert_days", "serial_pattern")
    checked: list[dict[str, Any]] = []
    skus: dict[str, int] = {}
    gtins: dict[str, int] = {}
    for line, cells in _rows(table, report, progress):
        raw = header.cells(cells, names)
        problems = report.error_count
        for required in ("sku", "name"):
            if required not in raw:
                report.add(line, required, None, "is required")
        try:
            values = {**PRODUCT_DEFAULTS, **parse_product_fields(raw)}
        except ValidationError as error:
            _report_invalid(report, line, error, raw)
            continue
        for column, seen in (("sku", skus), ("gtin", gtins)):
            value = values.get(column)
            if value is None:
                continue
            if value in seen:
                report.add(line, column, raw.get(column), f"repeated in the file (row "
                                                          f"{seen[value]})")
            elif refs.taken(column, value):
                report.add(line, column, raw.get(column), "already used by a product")
            seen.setdefault(value, line)
        if report.error_count == problems:
            checked.append(values)
    return checked


def write_products(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    now = uow.actor.now()
    for values in rows:
        product_id = new_id()
        uow.products.insert({"id": product_id, **values, "created_at": now, "updated_at": now})
        uow.audit.record(actor=uow.actor.name, entity="product", entity_id=product_id,
                         action="import", before=None, after=_plain(values), moment=now)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


# --- lots and opening stock ------------------------------------------------------------------


class LotChecker:
    def __init__(self, header: HeaderMap, refs: References, report: ImportReport,
                 stock: bool) -> None:
        self.header = header
        self.refs = refs
        self.report = report
        self.stock = stock
        self.seen: dict[tuple[str, str, str], int] = {}

    def check(self, line: int, cells: list[str]) -> tuple[Product, dict[str, Any]] | None:
        raw = self.header.cells(cells, ("product", "batch_number", "supplier", "warehouse",
                                           "location", *LOT_FIELDS))
        before = self.report.error_count
        product = self.refs.product(raw["product"]) if "product" in raw else \
            "name the product (SKU, id or GTIN)"
        if isinstance(product, str):
            self.report.add(line, "product", raw.get("product"), product)
        values = self._values(line, raw)
        if isinstance(product, str) or values is None:
            return None
        self._check_lot(line, raw, product, values)
        return (product, values) if self.report.error_count == before else None

    def _values(self, line: int, raw: dict[str, str]) -> dict[str, Any] | None:
        given = {k: v for k, v in raw.items() if k in LOT_FIELDS or k == "batch_number"}
        try:
            values = parse_batch_fields(given)
        except ValidationError as error:
            _report_invalid(self.report, line, error, raw)
            return None
        if "supplier" in raw:
            supplier = self.refs.supplier(raw["supplier"])
            if isinstance(supplier, str):
                self.report.add(line, "supplier", raw["supplier"], supplier)
                return None
            values["supplier_id"] = supplier.id
        if "location" in raw:
            location = self.refs.location(raw.get("warehouse"), raw["location"])
            if isinstance(location, str):
                self.report.add(line, "location", raw["location"], location)
                return None
            values["location_id"] = location.id
        return values

    def _check_lot(self, line: int, raw: dict[str, str], product: Product,
                   values: dict[str, Any]) -> None:
        number = values.get("batch_number")
        quantity = values.get("quantity") or Decimal(0)
        if product.tracking.uses_serials and (values.get("location_id") or self.stock):
            self.report.add(line, "product", raw.get("product"),
                            f"product {product.sku!r} is serial-tracked: its stock comes in "
                            "through the serial import")
        if self.stock and quantity <= 0:
            self.report.add(line, "quantity", raw.get("quantity"), "opening stock needs a "
                                                                    "quantity above 0")
        if number is None:
            if product.tracking is not Tracking.NONE:
                self.report.add(line, "batch_number", None, "is required")
            return
        key = (product.id, values.get("supplier_id") or "", fold_number(number))
        if key in self.seen:
            self.report.add(line, "batch_number", number,
                            f"repeated in the file (row {self.seen[key]})")
            return
        self.seen[key] = line
        if any(lot.supplier_id == values.get("supplier_id")
               for lot in self.refs.lots(product.id, number)):
            self.report.add(line, "batch_number", number, f"product {product.sku!r} already "
                                                          f"has lot {number!r}")


def check_lots(table: Table, header: HeaderMap, refs: References, report: ImportReport,
               progress: ProgressFn | None, stock: bool) -> list[tuple[Product, dict[str, Any]]]:
    checker = LotChecker(header, refs, report, stock)
    checked = []
    for line, cells in _rows(table, report, progress):
        row = checker.check(line, cells)
        if row is not None:
            checked.append(row)
    return checked


def write_lots(uow: UnitOfWork, rows: list[tuple[Product, dict[str, Any]]]) -> int:
    movements = 0
    for product, values in rows:
        if values.get("batch_number") is None:
            counter = uow.flows.next_number("cost_layer")
            values = {**values, "batch_number": f"R-{counter:06d}",
                      "internal_batch_number": f"R-{counter:06d}"}
        record = insert_lot(uow, product, {**values, "product_id": product.id})
        audit_batch(uow, record.id, "import", None)
        movements += record.entry_transaction_ref is not None
    return movements
