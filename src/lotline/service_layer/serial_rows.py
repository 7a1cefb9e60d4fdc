"""Checking the rows of a serial import, one at a time, fast: every distinct product, lot,
location, status, date and cost is parsed and looked up once and then served from a dict.

`SerialRowChecker.check(line, cells)` answers the staged row (a tuple in the staging table's
column order) or None after reporting the row's problems."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotline.adapters.types import to_scaled
from lotline.domain.errors import ValidationError
from lotline.domain.exchange import HeaderMap, ImportReport
from lotline.domain.ids import new_id
from lotline.domain.lots import LotRecord
from lotline.domain.model import Product
from lotline.domain.statuses import (
    CUSTODY_STATUSES,
    IMPORT_STATUSES,
    SerialStatus,
    destination,
    parse_enum,
)
from lotline.domain.values import MAX_NUMBER_LENGTH, optional_date, optional_decimal
from lotline.service_layer.exchange_refs import References, pick_lot

Problem = tuple[str, str]  # (column, reason)
# A bulk movement's hash covers its sorted serial numbers, all in memory at once: a lot of a
# million gets ten movements of 100,000, which bounds an import's memory.
MAX_PER_MOVEMENT = 100_000


@dataclass(frozen=True, slots=True)
class SerialDefaults:
    """What rows without the column (or with it empty) get."""

    batch_id: str | None = None
    product_id: str | None = None
    status: SerialStatus = SerialStatus.IN_STOCK
    location_id: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    product: Product
    batch: LotRecord | None


@dataclass
class Group:
    """Serials that share one ledger movement: product, lot, status, location and cost."""

    number: int
    movement_id: str
    product_id: str
    batch_id: str | None
    status: SerialStatus
    location_id: str | None
    unit_cost: Decimal | None
    count: int = 0


@dataclass
class Tally:
    groups: list[Group] = field(default_factory=list)
    current: dict[tuple[Any, ...], Group] = field(default_factory=dict)
    per_batch: Counter[str] = field(default_factory=Counter)
    lots: dict[str, LotRecord] = field(default_factory=dict)


class SerialRowChecker:
    def __init__(self, refs: References, header: HeaderMap, report: ImportReport,
                 defaults: SerialDefaults, sqlite: bool) -> None:
        self.refs = refs
        self.report = report
        self.defaults = defaults
        self.sqlite = sqlite
        settings = refs.settings()
        self.product_scope = settings.serial_scope.value == "product"
        self.timezone = settings.timezone
        self.tally = Tally()
        self.columns = {name: header.get(name) for name in (
            "serial_number", "product", "batch_number", "supplier", "status", "warehouse",
            "location", "purchase_date", "warranty_expiry", "unit_cost")}
        self._targets: dict[tuple[str, str, str], Target | Problem] = {}
        self._statuses: dict[str, SerialStatus | str] = {}
        self._places: dict[tuple[str, str, SerialStatus, str], tuple[str, str] | str | None] = {}
        self._dates: dict[str, Any] = {}
        self._costs: dict[str, Any] = {}

    def _cell(self, cells: list[str], name: str) -> str:
        index = self.columns[name]
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def check(self, line: int, cells: list[str]) -> tuple[Any, ...] | None:
        cell = self._cell
        problems: list[tuple[str, str, str]] = []
        number = cell(cells, "serial_number")
        if not number or len(number) > MAX_NUMBER_LENGTH or not number.isprintable():
            problems.append(("serial_number", number, _number_problem(number)))
        found = self._target(cell(cells, "product"), cell(cells, "batch_number"),
                             cell(cells, "supplier"))
        target = found if isinstance(found, Target) else None
        if not isinstance(found, Target):
            problems.append((found[0], cell(cells, found[0]), found[1]))
        read = self._status(cell(cells, "status"))
        status = read if isinstance(read, SerialStatus) else None
        place: tuple[str, str] | None = None
        if status is None:
            problems.append(("status", cell(cells, "status"), str(read)))
        else:
            reason = None if target is None else _tracking_problem(target, status)
            if reason is not None:
                problems.append(("batch_number", cell(cells, "batch_number"), reason))
            where = self._place(cell(cells, "warehouse"), cell(cells, "location"), status)
            if isinstance(where, str):
                problems.append(("location", cell(cells, "location"), where))
            else:
                place = where
        values = [self._value(cells, name, parse, problems) for name, parse in (
            ("purchase_date", self._date), ("warranty_expiry", self._date),
            ("unit_cost", self._cost))]
        if problems or target is None or status is None:
            for column, value, reason in problems:
                self.report.add(line, column, value or None, reason)
            return None
        return self._staged(line, number, target, status, place, values)

    def _staged(self, line: int, number: str, target: Target, status: SerialStatus,
                place: tuple[str, str] | None, values: list[Any]) -> tuple[Any, ...]:
        product, batch = target.product, target.batch
        location_id, warehouse_id = place if place is not None else (None, None)
        cost = values[2][0] if values[2] is not None else None
        key = (product.id, batch.id if batch else None, status, location_id, cost)
        group = self.tally.current.get(key)
        if group is None or group.count >= MAX_PER_MOVEMENT:
            group = self.tally.current[key] = Group(len(self.tally.groups), new_id(), *key)
            self.tally.groups.append(group)
        group.count += 1
        if batch is not None:
            self.tally.per_batch[batch.id] += 1
            self.tally.lots[batch.id] = batch
        return (line, new_id(), number, product.id, key[1],
                product.id if self.product_scope else "", status.value, location_id,
                warehouse_id, *(v[1] if v is not None else None for v in values), group.movement_id,
                group.number)

    def _value(self, cells: list[str], name: str, parse: Callable[[str, str], Any],
               problems: list[tuple[str, str, str]]) -> Any:
        text = self._cell(cells, name)
        if not text:
            return None
        parsed = parse(text, name)
        if isinstance(parsed, str):
            problems.append((name, text, parsed))
            return None
        return parsed

    def _date(self, text: str, name: str) -> tuple[dt.date, Any] | str:
        if text not in self._dates:
            try:
                day = optional_date(text, name)
                assert day is not None
                self._dates[text] = (day, day.isoformat() if self.sqlite else day)
            except ValidationError as error:
                self._dates[text] = error.errors[0].message
        return self._dates[text]  # type: ignore[no-any-return]

    def _cost(self, text: str, name: str) -> tuple[Decimal, Any] | str:
        if text not in self._costs:
            try:
                cost = optional_decimal(text, name)
                assert cost is not None
                self._costs[text] = (cost, to_scaled(cost) if self.sqlite else cost)
            except ValidationError as error:
                self._costs[text] = error.errors[0].message
        return self._costs[text]  # type: ignore[no-any-return]

    def _status(self, text: str) -> SerialStatus | str:
        if not text:
            return self.defaults.status
        if text not in self._statuses:
            try:
                status = parse_enum(SerialStatus, text.upper(), "status")
                self._statuses[text] = status if status in IMPORT_STATUSES else (
                    f"an import registers units as one of "
                    f"{', '.join(sorted(s.value for s in IMPORT_STATUSES))}, not {status.value}")
            except ValidationError as error:
                self._statuses[text] = error.errors[0].message
        return self._statuses[text]

    def _target(self, product_ref: str, lot_ref: str, supplier_ref: str) -> Target | Problem:
        key = (product_ref, lot_ref.casefold(), supplier_ref)
        if key not in self._targets:
            self._targets[key] = self._resolve(product_ref, lot_ref, supplier_ref)
        return self._targets[key]

    def _resolve(self, product_ref: str, lot_ref: str, supplier_ref: str) -> Target | Problem:
        defaults = self.defaults
        default_lot = self.refs.lot_by_id(defaults.batch_id) if defaults.batch_id else None
        if isinstance(default_lot, str):
            return ("batch_number", default_lot)
        product_key = product_ref or defaults.product_id or (
            default_lot.product_id if default_lot else None)
        if product_key is None and lot_ref:
            product_key = self._product_of_lot(lot_ref)
        if product_key is None:
            return ("product", "name the product (SKU) or give a default lot or product")
        product = self.refs.product(product_key)
        if isinstance(product, str):
            return ("product", product)
        if not product.tracking.uses_serials:
            return ("product", f"product {product.sku!r} is tracked by "
                               f"{product.tracking.value!r} and takes no serial numbers")
        if not lot_ref:
            lot = default_lot if default_lot and default_lot.product_id == product.id else None
            return Target(product, lot)
        supplier = self.refs.supplier(supplier_ref) if supplier_ref else None
        if isinstance(supplier, str):
            return ("supplier", supplier)
        picked = pick_lot(self.refs.lots(product.id, lot_ref), supplier, lot_ref, product.sku)
        return ("batch_number", picked) if isinstance(picked, str) else Target(product, picked)

    def _product_of_lot(self, lot_ref: str) -> str | None:
        """The product of the only lot with this number (across products), if one."""
        products = {lot.product_id for lot in self.refs.lots(None, lot_ref)}
        return products.pop() if len(products) == 1 else None

    def _place(self, warehouse: str, location: str,
               status: SerialStatus) -> tuple[str, str] | str | None:
        key = (warehouse, location, status, self.defaults.location_id or "")
        if key not in self._places:
            self._places[key] = self._find_place(warehouse, location, status)
        return self._places[key]

    def _find_place(self, warehouse: str, location: str,
                    status: SerialStatus) -> tuple[str, str] | str | None:
        if status not in CUSTODY_STATUSES:
            if location:
                return f"a {status.value} unit is not in the warehouse; leave location empty"
            return None
        if location:
            found = self.refs.location(warehouse or None, location)
        elif self.defaults.location_id:
            found = self.refs.location_by_id(self.defaults.location_id)
        else:
            code = destination(SerialStatus.EXPECTED, status)
            found = self.refs.location(warehouse or None, code if code and code != "keep"
                                       else "STOCK")
        return found if isinstance(found, str) else (found.id, found.warehouse_id)


def _number_problem(number: str) -> str:
    if not number:
        return "is empty"
    if len(number) > MAX_NUMBER_LENGTH:
        return f"is longer than {MAX_NUMBER_LENGTH} characters"
    return "must not contain control characters"


def _tracking_problem(target: Target, status: SerialStatus) -> str | None:
    if target.batch is None and target.product.tracking.requires_lot and \
            status is not SerialStatus.EXPECTED:
        return f"product {target.product.sku!r} is tracked by lot and serial; name the lot"
    return None
