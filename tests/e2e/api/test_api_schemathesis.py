"""Property-based checks of every operation in /openapi.json (schemathesis, stateless): no
request the schema allows — nor one it forbids — makes the server fail, and every answer
matches its documented status codes, content type and response schema.

Runs as an admin on each database backend, with a bounded number of examples per operation and
mode. Each operation is tried with generated path ids and with the ids of real records, so the
success answers are checked too. schemathesis' pytest plugin (`from_fixture`) does not run
under pytest 9, so the operations are driven through Hypothesis directly."""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

import schemathesis
from api_kit import Api, Tenant
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# `make fuzz` runs the same checks with LOTLINE_FUZZ_EXAMPLES=100.
MAX_EXAMPLES = int(os.environ.get("LOTLINE_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck), derandomize=True,
                    phases=[Phase.explicit, Phase.generate])


def real_ids(api: Api) -> dict[str, str]:
    """Path parameters naming records that exist: a lot, a serial, an order, and so on."""
    product = api.product(tracking="serial")
    lot_product = api.product(tracking="lot")
    batch = api.batch(lot_product["id"], quantity=5, unit_cost="2.5")
    serial = api.serial(product_id=product["id"])
    customer = api.customer()
    order = api.created("/orders", {"reference": "SO-ST-1", "customer_id": customer["id"],
                                    "lines": [{"product_id": product["id"], "quantity": 1}]})
    warehouse = api.get("/warehouses").json()["items"][0]
    users = api.get("/users").json()["items"]
    key = api.created("/api-keys", {"name": "schemathesis"})
    recall = api.created("/recalls", {"batch_ids": [batch["id"]], "reason": "schemathesis"})
    receipt = api.created("/receipts", {"reference": "ASN-ST-1", "supplier_id":
                                        api.supplier()["id"], "lines": [
                                            {"product_id": lot_product["id"],
                                             "expected_quantity": 2}]})
    shipped_product = api.product(tracking="lot")
    api.batch(shipped_product["id"], quantity=1)
    shipped = api.created("/orders", {"reference": "SO-ST-2", "customer_id": customer["id"],
                                      "lines": [{"product_id": shipped_product["id"],
                                                 "quantity": 1}]})
    api.post(f"/orders/{shipped['id']}/allocate")
    shipment_id = api.post(f"/orders/{shipped['id']}/ship").json()["shipments"][0]
    return {"receipt_id": receipt["id"], "shipment_id": shipment_id,
            "product_id": lot_product["id"], "batch_id": batch["id"], "serial_id": serial["id"],
            "serial_number": serial["serial_number"], "order_id": order["id"],
            "customer_id": customer["id"], "supplier_id": api.supplier()["id"],
            "warehouse_id": warehouse["id"], "location_id": api.location_id("STOCK"),
            "user_id": users[0]["id"], "key_id": key["id"], "recall_id": recall["id"]}


def run_operation(operation: Any, mode: GenerationMode, headers: dict[str, str],
                  path_parameters: dict[str, str] | None) -> int:
    calls = 0
    strategy = operation.as_strategy(generation_mode=mode, headers=headers,
                                     path_parameters=path_parameters)

    @SETTINGS
    @given(case=strategy)
    def check(case: Any) -> None:
        nonlocal calls
        calls += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
    return calls


def test_api_conforms_to_its_schema(app: FastAPI, api: Api, tenant: Tenant) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ids = real_ids(api)
    headers = tenant.headers("admin")
    failures: list[str] = []
    calls = operations = 0
    timings: list[tuple[float, str]] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = [p.name for p in operation.path_parameters]
        known = {name: ids[name] for name in names if name in ids}
        variants: list[dict[str, str] | None] = [None, known] if known else [None]
        # Free-text path ids cannot be made invalid: negative cases need a query or a body.
        negatable = len(operation.query) > 0 or len(operation.body) > 0
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negatable else [])
        for mode in modes:
            for fixed in variants:
                started = time.perf_counter()
                calls += _attempt(partial(run_operation, operation, mode, headers, fixed),
                                  f"{operation.label} {mode.value} {fixed}", failures)
                timings.append((time.perf_counter() - started, f"{operation.label} {mode.value}"))
    print(f"schemathesis: {calls} generated requests over {operations} operations; slowest: "
          + ", ".join(f"{label} {seconds:.1f}s" for seconds, label in sorted(timings)[-4:]))
    assert not failures, f"{len(failures)} failing operations:\n" + "\n".join(failures)
    assert calls >= 400 * MAX_EXAMPLES // 8, calls


def _attempt(run: Callable[[], int], label: str, failures: list[str]) -> int:
    try:
        return run()
    except Unsatisfiable:
        return 0  # nothing to negate: every value of its parameters is valid
    except (Exception, BaseExceptionGroup) as error:
        failures.append(f"--- {label}\n" + "".join(
            traceback.format_exception_only(type(error), error))[:3000])
        return 0
