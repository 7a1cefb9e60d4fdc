"""`POST /serials/bulk` with ranges (issue 17, finding 8): a range past the 100,000 limit was
expanded and registered (150,000 units; four 1M ranges took the server to 660 MB). Ranges
are now counted before expansion: a 422 naming the limit, nothing registered, and the
refusal costs < 5 MB of Python allocations in the server's process."""

from __future__ import annotations

import tracemalloc

import httpx
from api_kit import Api, assert_problem


def post_measured(api: Api, body: dict[str, object]) -> tuple[httpx.Response, int]:
    tracemalloc.start()
    try:
        response = api.post("/serials/bulk", json=body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, peak


def test_a_range_past_the_limit_is_a_422_naming_it(api: Api) -> None:
    product = api.product(tracking="serial")
    response, peak = post_measured(api, {"product_id": product["id"],
                                         "serial_numbers": ["RG-000001..RG-150000"]})
    body = assert_problem(response, 422, "validation_error")
    assert [(e["field"], e["message"]) for e in body["errors"]] == [
        ("serial_numbers.0", "a range holds at most 100000 numbers; this one holds 150000")]
    assert peak < 5 * 1024 * 1024, peak
    assert api.get("/serials/counts", params={"product_id": product["id"]}).json()["ALL"] == 0


def test_ranges_are_counted_together_before_any_is_expanded(api: Api) -> None:
    product = api.product(tracking="serial")
    ranges = [f"R{n}-000001..R{n}-060000" for n in range(4)]
    response, peak = post_measured(api, {"product_id": product["id"],
                                         "serial_numbers": ranges})
    body = assert_problem(response, 422, "validation_error")
    assert [(e["field"], e["message"]) for e in body["errors"]] == [
        ("serial_numbers", "holds 240000 serial numbers once its ranges are expanded; at most "
                           "100000 are accepted in one call (split it)")]
    assert peak < 5 * 1024 * 1024, peak
    small = api.post("/serials/bulk", json={"product_id": product["id"],
                                            "serial_numbers": ["OK-01..OK-05", "OK-99"]})
    assert small.status_code == 201, small.text
    assert small.json()["count"] == 6
