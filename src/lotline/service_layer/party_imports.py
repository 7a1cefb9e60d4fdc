"""Importing suppliers, customers and warehouses (name, code, e-mail, phone, GLN, address):
every row checked with the services' own parsing, then all written in one transaction with
their audit entries. A code already used (in the file or by an existing record) is a row
error: an import adds, it does not overwrite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lotline.domain.errors import ValidationError
from lotline.domain.exchange import HeaderMap, ImportReport
from lotline.domain.ids import new_id
from lotline.files.tabular import Table
from lotline.service_layer.organizations import add_warehouse
from lotline.service_layer.parties import WAREHOUSE_FIELDS, parse_party_fields
from lotline.service_layer.unit_of_work import UnitOfWork

COLUMNS = {"suppliers": ("name", "code", "email", "phone", "gln", "street", "city", "region",
                         "postal_code", "country"),
           "warehouses": ("code", "name", "phone", "gln", "street", "city", "region",
                          "postal_code", "country")}
COLUMNS["customers"] = (*COLUMNS["suppliers"], "min_remaining_shelf_life_days")


def _parse(entity: str, raw: dict[str, str]) -> dict[str, Any]:
    if entity == "warehouses":
        values = parse_party_fields({k: v for k, v in raw.items() if k != "code"}, (),
                                    WAREHOUSE_FIELDS)
        return {"code": raw["code"].upper(), **values, "name": values.get("name")
                or raw["code"].upper()}
    extra = ("min_remaining_shelf_life_days",) if entity == "customers" else ()
    return parse_party_fields(raw, extra)


def check_places(entity: str, table: Table, header: HeaderMap, uow: UnitOfWork,
                 report: ImportReport) -> list[dict[str, Any]]:
    required = "code" if entity == "warehouses" else "name"
    taken = _codes_in_use(entity, uow)
    seen: dict[str, int] = {}
    checked: list[dict[str, Any]] = []
    for line, cells in _rows(table, report):
        raw = header.cells(cells, COLUMNS[entity])
        if required not in raw:
            report.add(line, required, None, "is required")
            continue
        try:
            values = _parse(entity, raw)
        except ValidationError as error:
            for problem in error.errors:
                report.add(line, problem.field, raw.get(problem.field), problem.message)
            continue
        code = (values.get("code") or "").casefold()
        if code and code in seen:
            report.add(line, "code", raw.get("code"), f"repeated in the file (row {seen[code]})")
        elif code and code in taken:
            report.add(line, "code", raw.get("code"), f"already used by one of the {entity}")
        else:
            if code:
                seen[code] = line
            checked.append(values)
    return checked


def _rows(table: Table, report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    for line, cells in table.rows:
        report.rows += 1
        yield line, cells


def _codes_in_use(entity: str, uow: UnitOfWork) -> set[str]:
    codes: set[str] = set()
    cursor: str | None = None
    while True:
        page: Any = (uow.warehouses.list_page(500, cursor) if entity == "warehouses" else
                     (uow.suppliers if entity == "suppliers" else uow.customers)
                     .search(None, 500, cursor))
        codes.update(item.code.casefold() for item in page.items if item.code)
        cursor = page.next_cursor
        if cursor is None:
            return codes


def write_places(entity: str, uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    now = uow.actor.now()
    for values in rows:
        if entity == "warehouses":
            details = {k: v for k, v in values.items() if k not in ("code", "name")}
            ident = add_warehouse(uow, values["code"], values["name"], is_default=False,
                                  details=details)
        else:
            ident = new_id()
            repository = uow.suppliers if entity == "suppliers" else uow.customers
            repository.insert({"id": ident, **values, "created_at": now, "updated_at": now})
        uow.audit.record(actor=uow.actor.name, entity=entity[:-1], entity_id=ident,
                         action="import", before=None, after=values, moment=now)
