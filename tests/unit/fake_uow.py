"""An in-memory unit of work for service-layer unit tests: no database, the real use cases.

Rows are kept as dicts (with the tables' column defaults filled in) and turned into the same
domain objects the SQLAlchemy repositories build, by the same mapping functions. Only what the
lot flows (receive, allocate, pick, ship, return), recalls (fake_recalls.py) and EPCIS capture
and query (fake_epcis.py) reach is implemented; anything else raises NotImplementedError, so a
test that strays beyond it fails loudly instead of passing."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from types import SimpleNamespace, TracebackType
from typing import Any

from fake_epcis import FakeEpcis, FakeEpcisReports
from fake_recalls import Recalls, Trace
from fake_receipts import ReceiptRows

from lotline.adapters import tables as t
from lotline.adapters.repositories.batches import BatchRepository as SqlBatches
from lotline.adapters.repositories.catalog import CustomerRepository as SqlCustomers
from lotline.adapters.repositories.catalog import ProductRepository as SqlProducts
from lotline.adapters.repositories.catalog import SupplierRepository as SqlSuppliers
from lotline.adapters.repositories.flows import _allocation
from lotline.adapters.repositories.warehouses import LocationRepository as SqlLocations
from lotline.adapters.repositories.warehouses import WarehouseRepository as SqlWarehouses
from lotline.domain.errors import InsufficientStock, NotFound
from lotline.domain.flows import OrderFacts
from lotline.domain.ledger import GENESIS_HASH
from lotline.domain.lots import BalanceRow, LotRecord
from lotline.domain.model import Movement, Order, OrderLine, OrgSettings
from lotline.domain.statuses import LocationKind
from lotline.service_layer.context import Actor
from lotline.service_layer.unit_of_work import EventOutbox, UnitOfWork

Row = dict[str, Any]


def _defaults(table: Any) -> Row:
    values: Row = {}
    for column in table.c:
        default = column.default
        values[column.name] = default.arg if default is not None and default.is_scalar else None
    return values


class Store:
    """The "database": committed rows per table, copied into each unit of work."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Row]] = defaultdict(dict)
        self.movements: list[Movement] = []
        self.heads: dict[str, tuple[int, str]] = {}
        self.events: list[dict[str, Any]] = []
        self.settings = OrgSettings()


class _Rows:
    """Rows of one table, as domain objects through the adapters' mapping."""

    table: Any
    entity_name = "row"

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.rows = uow.data[self.table.name]

    def to_entity(self, row: Row) -> Any:
        raise NotImplementedError

    def get_row(self, entity_id: str, *, for_update: bool = False) -> Any | None:
        row = self.rows.get(entity_id)
        return None if row is None else SimpleNamespace(**row)

    def get(self, entity_id: str, *, for_update: bool = False) -> Any | None:
        row = self.rows.get(entity_id)
        return None if row is None or row.get("deleted_at") else self.to_entity(row)

    def need(self, entity_id: str, field: str = "id") -> Any:
        entity = self.get(entity_id)
        if entity is None:
            raise NotFound(self.entity_name, entity_id, field)
        return entity

    def get_many(self, ids: Sequence[str]) -> dict[str, Any]:
        return {i: e for i in ids if (e := self.get(i)) is not None}

    def insert(self, values: Row) -> None:
        self.rows[values["id"]] = {**_defaults(self.table), "org_id": self.uow.actor.org_id,
                                   **values}

    def update(self, entity_id: str, values: Row) -> int:
        if entity_id not in self.rows:
            return 0
        self.rows[entity_id].update(values)
        return 1

    def delete(self, entity_id: str) -> int:
        return 1 if self.rows.pop(entity_id, None) is not None else 0

    def where(self, **match: Any) -> list[Row]:
        return [row for row in self.rows.values()
                if all(row.get(k) == v for k, v in match.items())]


class Products(_Rows):
    table, entity_name = t.products, "product"

    def to_entity(self, row: Row) -> Any:
        return SqlProducts.to_entity(None, SimpleNamespace(**row))  # type: ignore[arg-type]

    def by_sku(self, sku: str) -> Any | None:
        found = self.where(sku=sku)
        return self.to_entity(found[0]) if found else None

    def by_gtin(self, gtin: str) -> Any | None:
        found = self.where(gtin=gtin)
        return self.to_entity(found[0]) if found else None


class Customers(_Rows):
    table, entity_name = t.customers, "customer"

    def to_entity(self, row: Row) -> Any:
        return SqlCustomers.to_entity(None, SimpleNamespace(**row))  # type: ignore[arg-type]


class Suppliers(_Rows):
    table, entity_name = t.suppliers, "supplier"

    def to_entity(self, row: Row) -> Any:
        return SqlSuppliers.to_entity(None, SimpleNamespace(**row))  # type: ignore[arg-type]


class Organizations:
    """The organization's row, when a test put one in `organizations`."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.rows = uow.data["organizations"]

    def get(self, org_id: str, *, for_update: bool = False) -> Any | None:
        row = self.rows.get(org_id)
        return None if row is None else SimpleNamespace(**row)


class Warehouses(_Rows):
    table, entity_name = t.warehouses, "warehouse"

    def to_entity(self, row: Row) -> Any:
        return SqlWarehouses.to_entity(None, SimpleNamespace(**row))  # type: ignore[arg-type]

    def default(self) -> Any | None:
        found = self.where(is_default=True)
        return self.to_entity(found[0]) if found else None


class Locations(_Rows):
    table, entity_name = t.locations, "location"

    def to_entity(self, row: Row) -> Any:
        return SqlLocations.to_entity(None, SimpleNamespace(**row))  # type: ignore[arg-type]

    def by_code(self, warehouse_id: str, code: str) -> Any | None:
        found = self.where(warehouse_id=warehouse_id, code=code)
        return self.to_entity(found[0]) if found else None


class Batches(_Rows):
    table, entity_name = t.batches, "batch"

    def to_entity(self, row: Row) -> LotRecord:
        return SqlBatches.to_entity(None, SimpleNamespace(**row))  # type: ignore[arg-type]

    def get_at(self, batch_id: str, location_id: str) -> tuple[LotRecord | None, Any]:
        return self.get(batch_id), Locations(self.uow).get(location_id)

    def by_identity(self, product_id: str, supplier_key: str, folded: str) -> LotRecord | None:
        found = [r for r in self.where(product_id=product_id, supplier_key=supplier_key,
                                       batch_number_folded=folded) if not r["deleted_at"]]
        return self.to_entity(found[0]) if found else None

    def numbers(self, ids: Sequence[str]) -> dict[str, str]:
        return {i: self.rows[i]["batch_number"] for i in ids if i in self.rows}

    def by_number(self, folded: str) -> list[LotRecord]:
        return [self.to_entity(r) for r in sorted(self.where(batch_number_folded=folded),
                                                   key=lambda r: r["id"])
                if not r["deleted_at"]]

    def for_product(self, product_id: str) -> list[LotRecord]:
        return [self.to_entity(r) for r in sorted(self.where(product_id=product_id),
                                                   key=lambda r: r["id"])
                if not r["deleted_at"]]

    def for_product_with_balances(self, product_id: str
                                  ) -> tuple[list[LotRecord], dict[str, list[BalanceRow]]]:
        lots = self.for_product(product_id)
        return lots, self.balances([lot.id for lot in lots])

    def in_stock_serial_counts(self, batch_ids: Sequence[str]) -> dict[str, int]:
        return {}  # the fake holds lots, not serials

    def _balance(self, batch_id: str, location_id: str) -> Row:
        balances = self.uow.data["lot_balances"]
        key = f"{batch_id}/{location_id}"
        if key not in balances:
            balances[key] = {"batch_id": batch_id, "location_id": location_id,
                             "in_quantity": Decimal(0), "balance_quantity": Decimal(0),
                             "allocated_quantity": Decimal(0)}
        return balances[key]

    def balances(self, batch_ids: Sequence[str]) -> dict[str, list[BalanceRow]]:
        found: dict[str, list[BalanceRow]] = defaultdict(list)
        locations = self.uow.data["locations"]
        for key in sorted(self.uow.data["lot_balances"]):
            row = self.uow.data["lot_balances"][key]
            if row["batch_id"] in batch_ids:
                place = locations[row["location_id"]]
                found[row["batch_id"]].append(BalanceRow(
                    location_id=row["location_id"], kind=LocationKind(place["kind"]),
                    location_held=place["hold_kind"] is not None,
                    in_quantity=row["in_quantity"], balance_quantity=row["balance_quantity"],
                    allocated_quantity=row["allocated_quantity"]))
        return dict(found)

    def add_balance(self, batch_id: str, location_id: str, quantity: Decimal, *,
                    received: bool) -> None:
        row = self._balance(batch_id, location_id)
        row["balance_quantity"] += quantity
        if received:
            row["in_quantity"] += quantity

    def take_balance(self, batch_id: str, location_id: str, quantity: Decimal,
                     batch_number: str, *, unreceived: bool = False) -> None:
        row = self._balance(batch_id, location_id)
        if row["balance_quantity"] - row["allocated_quantity"] < quantity:
            raise InsufficientStock(f"lot {batch_number!r}: not enough free stock")
        row["balance_quantity"] -= quantity
        if unreceived:
            row["in_quantity"] -= quantity

    def reserve(self, batch_id: str, location_id: str, quantity: Decimal) -> bool:
        row = self._balance(batch_id, location_id)
        if row["balance_quantity"] - row["allocated_quantity"] < quantity:
            return False
        row["allocated_quantity"] += quantity
        return True

    def unreserve(self, batch_id: str, location_id: str, quantity: Decimal) -> None:
        self._balance(batch_id, location_id)["allocated_quantity"] -= quantity

    def ship_reserved(self, batch_id: str, location_id: str, quantity: Decimal) -> None:
        row = self._balance(batch_id, location_id)
        row["allocated_quantity"] -= quantity
        row["balance_quantity"] -= quantity


class Orders(_Rows):
    table, entity_name = t.orders, "order"

    def to_entity(self, row: Row) -> Order:
        lines = sorted(self.uow.data["order_lines"].values(), key=lambda r: r["line_no"])
        return Order(id=row["id"], reference=row["reference"], customer_id=row["customer_id"],
                     status=row["status"],
                     lines=[OrderLine(id=r["id"], line_no=r["line_no"],
                                      product_id=r["product_id"], quantity=r["quantity"],
                                      unit_price=r["unit_price"])
                            for r in lines if r["order_id"] == row["id"]],
                     created_at=row["created_at"], updated_at=row["updated_at"])

    def facts(self, order_id: str, *, for_update: bool = False) -> OrderFacts | None:
        order = self.get(order_id)
        if order is None:
            return None
        products = Products(self.uow)
        return OrderFacts(
            order=order,
            shipment_ids=sorted(i for i, r in self.uow.data["shipments"].items()
                                if r["order_id"] == order_id),
            customer=Customers(self.uow).need(order.customer_id),
            products={line.product_id: products.need(line.product_id) for line in order.lines})

    def by_reference(self, reference: str) -> Order | None:
        found = self.where(reference=reference)
        return self.to_entity(found[0]) if found else None

    def add_lines(self, lines: list[Row]) -> None:
        for line in lines:
            self.uow.data["order_lines"][line["id"]] = dict(line)


class Flows(ReceiptRows):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.data = uow.data
        self.counters = uow.data["counters"]

    def next_number(self, name: str) -> int:
        row = self.counters.setdefault(name, {"value": 0})
        row["value"] += 1
        return int(row["value"])

    def add_allocation(self, values: Row) -> None:
        self.data["order_allocations"][values["id"]] = {"shipment_id": None, **values}

    def _allocation(self, row: Row) -> Any:
        return _allocation(SimpleNamespace(**row, serial_number=None))  # type: ignore[arg-type]

    def allocations(self, order_id: str, statuses: Sequence[str] | None = None) -> list[Any]:
        rows = sorted(self.data["order_allocations"].values(), key=lambda r: r["id"])
        return [self._allocation(r) for r in rows if r["order_id"] == order_id
                and (statuses is None or r["status"] in statuses)]

    def allocated_by_line(self, order_id: str) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for row in self.data["order_allocations"].values():
            if row["order_id"] == order_id and row["status"] != "released":
                totals[row["order_line_id"]] += row["quantity"]
        return dict(totals)

    def allocation(self, allocation_id: str) -> Any | None:
        row = self.data["order_allocations"].get(allocation_id)
        return None if row is None else self._allocation(row)

    def update_allocation(self, allocation_id: str, values: Row) -> None:
        self.data["order_allocations"][allocation_id].update(values)

    def add_shipment(self, values: Row) -> None:
        self.data["shipments"][values["id"]] = {"reversed_at": None, **values}

    def shipment_ids(self, order_id: str) -> list[str]:
        return sorted(i for i, r in self.data["shipments"].items() if r["order_id"] == order_id)


class Movements:
    """The ledger's rows and chain heads (committed with the unit of work)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def stream_head(self, stream_id: str, *, lock: bool) -> tuple[int, str]:
        return self.uow.heads.get(stream_id, (0, GENESIS_HASH))

    def insert_many(self, movements: Sequence[Movement]) -> None:
        self.uow.ledger_rows.extend(movements)

    def move_stream_head(self, stream_id: str, expected_seq: int, seq: int, head: str) -> bool:
        if self.uow.heads.get(stream_id, (0, GENESIS_HASH))[0] != expected_seq:
            return False
        self.uow.heads[stream_id] = (seq, head)
        return True


class Audit:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.entries = uow.data["audit"]

    def record(self, *, actor: str, entity: str, entity_id: str, action: str,
               before: Row | None, after: Row | None, moment: dt.datetime,
               reason: str | None = None) -> None:
        self.entries[str(len(self.entries))] = {"entity": entity, "entity_id": entity_id,
                                                "action": action}


class Events:
    """The change feed's outbox: events kept in the order they were added."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def add(self, type_: str, document: str, *, actor: str,
            moment: dt.datetime) -> None:
        self.uow.event_rows.append({"type": type_, "data": json.loads(document), "actor": actor,
                                    "occurred_at": moment})

    def position_of(self, event_id: int) -> Any:
        raise NotImplementedError

    def page(self, after: Any, types: Any, limit: int) -> Any:
        raise NotImplementedError

    def end_position(self) -> Any:
        raise NotImplementedError


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, store: Store, actor: Actor, *, write: bool = True) -> None:
        self.store = store
        self.actor = actor
        self.write = write
        self.committed = False

    def __enter__(self) -> FakeUnitOfWork:
        self._ledger = None
        self.data = copy.deepcopy(self.store.tables)
        self.ledger_rows = list(self.store.movements)
        self.heads = dict(self.store.heads)
        self.event_rows = list(self.store.events)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if exc is None and self.write:
            self.commit()

    def commit(self) -> None:
        if self._ledger is not None:
            self._ledger.flush()
            self._ledger = None
        self.store.tables = copy.deepcopy(self.data)
        self.store.movements = list(self.ledger_rows)
        self.store.heads = dict(self.heads)
        self.store.events = list(self.event_rows)
        self.committed = True

    def rollback(self) -> None:
        self._ledger = None
        self.__enter__()

    products = property(Products)  # type: ignore[assignment]
    customers = property(Customers)  # type: ignore[assignment]
    warehouses = property(Warehouses)  # type: ignore[assignment]
    locations = property(Locations)  # type: ignore[assignment]
    batches = property(Batches)  # type: ignore[assignment]
    orders = property(Orders)  # type: ignore[assignment]
    flows = property(Flows)  # type: ignore[assignment]
    movements = property(Movements)  # type: ignore[assignment]
    audit = property(Audit)  # type: ignore[assignment]
    recalls = property(Recalls)  # type: ignore[assignment]
    trace = property(Trace)  # type: ignore[assignment]
    events = property(lambda self: EventOutbox(Events(self), self.actor))  # type: ignore[assignment]
    suppliers = property(Suppliers)  # type: ignore[assignment]
    organizations = property(Organizations)  # type: ignore[assignment]
    epcis = property(FakeEpcis)  # type: ignore[assignment]
    reports = property(FakeEpcisReports)  # type: ignore[assignment]

    def _missing(self) -> Any:
        raise NotImplementedError("not part of the fake unit of work")

    serials = identity = serial_reads = property(_missing)  # type: ignore[assignment]
    transformations = ledger_checks = exports = checkpoints = webhooks = property(
        _missing)  # type: ignore[assignment]
    custom_fields = property(
        _missing)  # type: ignore[assignment]

    def settings(self) -> OrgSettings:
        return self.store.settings

    def timezone(self) -> str:
        return self.store.settings.timezone

    def forget_timezone(self) -> None:
        return None


class FakeUnitsOfWork:
    """The factory the services receive."""

    def __init__(self) -> None:
        self.store = Store()
        self.opened: list[str] = []  # "write", "read" or "may_lag", one per unit of work

    def __call__(self, actor: Actor, *, write: bool = True, autocommit: bool = False,
                 may_lag: bool = False) -> FakeUnitOfWork:
        self.opened.append("write" if write else "may_lag" if may_lag else "read")
        return FakeUnitOfWork(self.store, actor, write=write)

    def staged_import(self, actor: Actor) -> Any:
        raise NotImplementedError

    def read_credentials(self, read: Any) -> Any:
        raise NotImplementedError

    def read_serials(self, actor: Actor, read: Any) -> Any:
        raise NotImplementedError

    def delivery_queue(self) -> Any:
        raise NotImplementedError
