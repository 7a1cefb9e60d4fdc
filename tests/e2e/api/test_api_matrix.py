"""The role × endpoint matrix: every route of /openapi.json, called as viewer, manager, admin and
without credentials, answers the outcome its rule says: 401 without credentials, 403 for a role
too low, otherwise neither. A route without a rule in RULES fails the test, so a new route must
say who may use it.

Requests name ids that do not exist and carry the smallest body the schema accepts, so a role
that passes gets a 404, 409, 422 or a success, and nothing changes."""

from __future__ import annotations

import uuid
from typing import Any

from api_kit import PASSWORD, Tenant
from fastapi.testclient import TestClient

PUBLIC, ANY_ROLE = "public", "any role"
READ_ALL_WRITE_MANAGER, ADMIN_ONLY = "manager writes", "admin only"
READ_ALL_WRITE_ADMIN = "admin writes"
# The rules, one per path (relative to /api/v1 unless absolute). GET is open to every role
# except on admin-only paths; other methods need the role the rule names. ANY_ROLE paths are
# lookups sent as POST: every signed-in role may use them.
RULES: dict[str, tuple[str, ...]] = {
    PUBLIC: ("/healthz", "/readyz", "/auth/token"),
    ANY_ROLE: ("/scan",),
    ADMIN_ONLY: ("/users", "/users/{user_id}", "/api-keys", "/api-keys/{key_id}/revoke",
                 "/ledger/verify", "/ledger/checkpoints",
                 "/ledger/checkpoints/export",
                 "/audit",  # issue 14 item 5: the audit log
                 # issue 14: webhooks
                 "/webhooks", "/webhooks/{webhook_id}", "/webhooks/{webhook_id}/deliveries",
                 "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
                 "/webhooks/{webhook_id}/test"),
    # issue 16: every role reads the settings (DESIGN §6: a viewer has every GET)
    READ_ALL_WRITE_ADMIN: ("/settings",),
    READ_ALL_WRITE_MANAGER: (
        "/custom-fields", "/custom-fields/{field_id}",  # issue 16
        "/serials/{serial_id}/custom-fields",
        "/products", "/products/{product_id}", "/suppliers", "/suppliers/{supplier_id}",
        "/customers", "/customers/{customer_id}", "/warehouses", "/warehouses/{warehouse_id}",
        "/locations", "/locations/{location_id}",
        "/batches", "/batches/{batch_id}", "/batches/product/{product_id}",
        "/batches/bulk-delete", "/batches/active", "/batches/inactive",
        "/batches/{batch_id}/active", "/batches/{batch_id}/inactive",
        "/batches/{batch_id}/hold", "/batches/{batch_id}/release",
        "/serials", "/serials/bulk", "/serials/counts", "/serials/lookup/{serial_number}",
        "/serials/{serial_id}", "/serials/{serial_id}/history", "/serials/{serial_id}/status",
        "/orders", "/orders/{order_id}",
        # issue 5: warehouse flows
        "/receipts", "/receipts/{receipt_id}", "/receipts/{receipt_id}/receive",
        "/receipts/{receipt_id}/putaway", "/receipts/{receipt_id}/reverse",
        "/orders/{order_id}/allocate", "/orders/{order_id}/pick-list",
        "/orders/{order_id}/pick", "/orders/{order_id}/ship", "/orders/{order_id}/cancel",
        "/orders/{order_id}/returns", "/shipments/{shipment_id}",
        "/shipments/{shipment_id}/reverse", "/transfers", "/adjustments", "/cycle-counts",
        "/serials/{serial_id}/hold", "/serials/{serial_id}/release",
        "/locations/{location_id}/hold", "/locations/{location_id}/release",
        "/imports/serials", "/imports/{entity}", "/exports/{entity}", "/labels",
        "/digital-link",
        # issue 6: traceability
        "/transformations", "/transformations/{transformation_id}", "/trace/scan",
        "/trace/serials/{serial_number}",
        "/trace/batches/{batch_id}", "/recalls", "/recalls/{recall_id}",
        "/recalls/{recall_id}/notes", "/recalls/{recall_id}/close",
        "/recalls/{recall_id}/export", "/recalls/drill", "/reports/expiring",
        "/reports/expired",
        "/reports/lot-inventory", "/reports/serial-inventory", "/reports/serial-history",
        "/reports/lot-history", "/reports/supplier-performance", "/reports/valuation",
        "/reports/fsma204", "/reports/serial-number-location",
        "/reports/lot-movement-history", "/epcis/document",
        # issue 15: the EPCIS repository (capture, standard query)
        "/epcis/events", "/epcis/capture", "/epcis/capture/{capture_id}",
        "/events",  # issue 14: the change feed (read only)
        # issue 16: seed 003's surface, same tokens and roles
        "/api/compat/zoho/v1/batches", "/api/compat/zoho/v1/batches/active",
        "/api/compat/zoho/v1/batches/inactive", "/api/compat/zoho/v1/batches/{batch_id}",
        "/api/compat/zoho/v1/batches/{batch_id}/active",
        "/api/compat/zoho/v1/batches/{batch_id}/inactive"),
}
# Path parameters that are not ids get a valid value, so the role check is what answers.
PATH_SAMPLES = {"entity": "batches"}
CALLERS = ("viewer", "manager", "admin", None)
NO_SUCH_ID = "00000000-0000-7000-8000-000000000000"


def rule_of(path: str) -> str | None:
    relative = path.removeprefix("/api/v1")
    for rule, paths in RULES.items():
        if relative in paths or path in paths:
            return rule
    return None


def expected(rule: str, method: str, caller: str | None) -> str:
    """"401", "403" or "allowed" (any answer but those two)."""
    if rule == PUBLIC:
        return "allowed"
    if caller is None:
        return "401"
    if rule == ANY_ROLE:
        return "allowed"
    if rule == ADMIN_ONLY:
        return "allowed" if caller == "admin" else "403"
    if method == "get" or caller == "admin":
        return "allowed"
    if rule == READ_ALL_WRITE_ADMIN:
        return "403"
    return "allowed" if caller == "manager" else "403"


def outcome(status: int) -> str:
    assert status < 500, status
    return str(status) if status in (401, 403) else "allowed"


def sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """The smallest value the JSON schema accepts: required properties only, one array item."""
    if "$ref" in schema:
        return sample(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if options:
        return sample(next(o for o in options if o.get("type") != "null"), components)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: sample(properties[name], components)
                for name in schema.get("required", [])}
    if kind == "array":
        return [sample(schema.get("items", {}), components)] * max(1, schema.get("minItems", 0))
    if kind in ("number", "integer"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date":
        return "2026-01-01"
    text = uuid.uuid4().hex[:max(8, schema.get("minLength", 0))]
    return text[:schema.get("maxLength", len(text))]


def request_body(operation: dict[str, Any], path: str, components: dict[str, Any],
                 tenant: Tenant) -> Any:
    if path.endswith("/auth/token"):
        return {"username": tenant.usernames["admin"], "password": PASSWORD}
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return None if content is None else sample(content["schema"], components)


def test_every_route_answers_each_role_as_its_rule_says(client: TestClient,
                                                         tenant: Tenant) -> None:
    document = client.get("/openapi.json").json()
    components = document["components"]["schemas"]
    unruled = sorted(path for path in document["paths"] if rule_of(path) is None)
    assert not unruled, f"routes without a rule in RULES: {unruled}"
    mismatches: list[str] = []
    cells = 0
    for path, operations in document["paths"].items():
        rule = rule_of(path)
        assert rule is not None
        url = path.replace("{", "").replace("}", "")
        for name in (p["name"] for op in operations.values() for p in op.get("parameters", [])
                     if p["in"] == "path"):
            url = url.replace(name, PATH_SAMPLES.get(name, NO_SUCH_ID))
        for method, operation in operations.items():
            body = request_body(operation, path, components, tenant)
            query = {p["name"]: NO_SUCH_ID for p in operation.get("parameters", [])
                     if p["in"] == "query" and p.get("required")}
            for caller in CALLERS:
                cells += 1
                response = client.request(method.upper(), url, headers=tenant.headers(caller),
                                          json=body, params=query)
                want, got = expected(rule, method, caller), outcome(response.status_code)
                if want != got:
                    mismatches.append(f"{method.upper()} {path} as {caller}: expected {want}, "
                                      f"got {response.status_code} {response.text[:200]}")
    assert not mismatches, "\n".join(mismatches)
    operation_count = sum(len(ops) for ops in document["paths"].values())
    assert cells == operation_count * len(CALLERS)
    assert operation_count >= 57


def test_a_route_without_a_rule_is_reported() -> None:
    assert rule_of("/api/v1/batches/{batch_id}") == READ_ALL_WRITE_MANAGER
    assert rule_of("/api/v1/users") == ADMIN_ONLY
    assert rule_of("/healthz") == PUBLIC
    assert rule_of("/api/v1/scan") == ANY_ROLE
    assert rule_of("/api/v1/no-such-resource/{resource_id}/act") is None
