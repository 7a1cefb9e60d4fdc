"""Every string limit of a request body (from /openapi.json) fits the column it is stored in
(from adapters/tables.py): a longer value would pass validation and then fail in PostgreSQL
(`value too long for type character varying`) as a 500. Schemas map to tables by name; a
field that is not stored as sent is listed below with the reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from sqlalchemy import String

from lotline.adapters import tables

# Request schema -> the table its fields are stored in (None: none of them is stored in a
# length-limited column of their own).
SCHEMA_TABLES: dict[str, str | None] = {
    "AddressIn": "customers", "AdjustmentIn": "movements", "AllocateIn": None,
    "AllocateLineIn": "order_allocations", "ApiKeyIn": "api_keys", "BatchIn": "batches",
    "BatchPatch": "batches", "CancelIn": "movements", "CountIn": "lot_balances",
    "CustomFieldIn": None, "CustomerIn": "customers", "CustomerPatch": "customers",
    "CycleCountIn": "movements", "HoldIn": "batches", "IdsIn": None, "LocationIn": "locations",
    "LocationPatch": "locations", "LotEntryIn": "batches", "LotScanIn": "batches",
    "ExpectedLotIn": "batches",  # its lot number becomes a lot's number on receipt
    "OrderIn": "orders", "OrderLineIn": "order_lines", "PartyIn": "suppliers",
    "PartyPatch": "suppliers", "PickIn": None, "ProductIn": "products",
    "ProductPatch": "products", "PutawayIn": "movements", "ReasonIn": "movements",
    "RecallCloseIn": None, "RecallDrillIn": None, "RecallIn": "recalls", "RecallNoteIn": None,
    "ReceiptIn": "receipts",
    "ReceiptLineIn": "receipt_lines", "ReceiveIn": None, "ReceiveLineIn": "receipt_lines",
    "ReleaseIn": "movements", "ReturnLineIn": "serials", "ReturnsIn": "movements",
    "ReverseIn": "movements", "ScanIn": None, "SerialBulkIn": "serials", "SerialIn": "serials",
    "ShipIn": "shipments", "ShipToIn": None, "StatusChangeIn": "serials",
    "TokenRequest": None, "TransferIn": "movements", "TransformationIn": "transformations",
    "TransformationInputIn": "genealogy", "TransformationOutputIn": "batches",
    "UserIn": "users", "UserPatch": "users", "WarehouseIn": "warehouses",
    "WarehousePatch": "warehouses", "CheckpointIn": None, "LedgerVerifyIn": None,
    "WebhookIn": "webhook_endpoints", "WebhookPatch": "webhook_endpoints",
    "CustomFieldDefinitionIn": "custom_field_definitions",
    "CustomFieldDefinitionPatch": "custom_field_definitions", "SettingsPatch": None,
    "SerialCustomFieldsIn": None,
}
# Fields stored under another name, or in the ledger rather than the schema's own table.
COLUMN_ALIASES = {"reason": ("hold_reason", "movements.reason", "recalls.reason"),
                  "kind": ("hold_kind",)}
# Fields whose limit may exceed a column: why no value that long is ever stored.
NOT_STORED_AS_SENT = {
    "status": "parsed to one of a fixed set of names (aliases may be longer) before storing",
    "role": "parsed to admin, manager or viewer before storing",
    "kind": "parsed to one of a fixed set of names before storing",
    "tracking": "parsed to none, lot, serial or lot_serial before storing",
    "password": "only its hash is stored",
    "serial_numbers": "items may be ranges A..B; each expanded number is checked to 100",
    "expected_serials": "items may be ranges A..B; each expanded number is checked to 100",
    "ApiKeyIn.username": "names an existing user, looked up",
    "TransformationInputIn.serial_number": "names an existing serial, looked up",
}
SCHEMAS_NOT_STORED = {
    "RecallDrillIn": "a drill reads a lot's trace and changes nothing",
    "ScanIn": "a scan is read, never stored",
    "TokenRequest": "a login is checked, never stored",
    "CustomFieldIn": "stored inside the lot's JSON custom_fields",
    "SettingsPatch": "parsed (a known time zone, an http(s) URL, a fixed name) into the "
                     "organization's JSON settings",
    "ShipToIn": "stored inside the shipment's JSON ship_to",
    "RecallNoteIn": "stored inside the recall's JSON notes",
    "RecallCloseIn": "stored inside the recall's JSON notes",
    "CheckpointIn": "checkpoints sent to verify the ledger against are read, never stored",
    "LedgerVerifyIn": "a verification request is read, never stored",
}
# An id is looked up before anything refers to it: an unknown one, whatever its length, is
# a 404 or 422, never stored.
ID_FIELD = re.compile(r"(^|_)ids?$")


def request_schemas(document: dict[str, Any]) -> set[str]:
    """Names of every component reachable from a request body."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in found:
                    found.add(name)
                    walk(document["components"]["schemas"][name])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for operations in document["paths"].values():
        for operation in operations.values():
            walk(operation.get("requestBody"))
    return found


def string_limits(schema: dict[str, Any]) -> Iterator[tuple[str, int]]:
    for name, prop in schema.get("properties", {}).items():
        for option in [prop, *prop.get("anyOf", [])]:
            target = option.get("items", {}) if option.get("type") == "array" else option
            if target.get("type") == "string" and "maxLength" in target:
                yield name, int(target["maxLength"])


def column_length(table: str, field: str) -> int | None:
    for candidate in (field, *COLUMN_ALIASES.get(field, ())):
        owner, _, column = candidate.rpartition(".")
        columns = tables.metadata.tables[owner or table].c
        if column in columns and isinstance(columns[column].type, String):
            return columns[column].type.length
    return None


def test_every_body_string_limit_fits_its_column(app: FastAPI) -> None:
    document = app.openapi()
    schemas = request_schemas(document)
    assert schemas - set(SCHEMA_TABLES) == set(), "map each new request schema to its table"
    problems: list[str] = []
    checked = 0
    for name in sorted(schemas):
        table = SCHEMA_TABLES[name]
        for field, limit in string_limits(document["components"]["schemas"][name]):
            if name in SCHEMAS_NOT_STORED or ID_FIELD.search(field) \
                    or field in NOT_STORED_AS_SENT or f"{name}.{field}" in NOT_STORED_AS_SENT:
                continue
            length = column_length(table, field) if table is not None else None
            if length is None:
                problems.append(f"{name}.{field}: no column found in {table}")
            elif limit > length:
                problems.append(f"{name}.{field}: schema allows {limit}, column {table}."
                                f"{field} holds {length}")
            checked += 1
    assert problems == []
    assert checked >= 60, checked
