"""A hold on a location blocks moving stock out of it (issue 16: a transfer out of a held
location answered 200), except to a quarantine or returns location with a reason."""

from __future__ import annotations

from typing import Any

from api_kit import Api, assert_problem


def where(api: Api, batch_id: str) -> dict[str, Any]:
    lot = api.get(f"/batches/{batch_id}").json()
    return {b["location_id"]: b["balance_quantity"] for b in lot["associated_locations"]}


def test_a_held_location_lets_stock_out_only_to_quarantine_or_returns_with_a_reason(
        api: Api) -> None:
    product = api.product()
    stock = api.location_id("STOCK")
    shelf = api.location("SHELF-H")["id"]
    quarantine = api.location("Q-H", "quarantine")["id"]
    lot = api.batch(product["id"], "H-1", quantity=10)["id"]
    held = api.post(f"/locations/{stock}/hold", json={"reason": "audit"})
    assert held.status_code == 200, held.text

    def transfer(to: str, **extra: Any) -> Any:
        return api.post("/transfers", role="manager", json={
            "from_location_id": stock, "to_location_id": to, "batch_id": lot, "quantity": 4,
            **extra})

    blocked = assert_problem(transfer(shelf, reason="reslot"), 409, "lot_blocked")
    assert blocked["detail"] == ("location STOCK is on quarantine hold (audit); stock may leave "
                                 "it only for a quarantine or returns location, with a reason")
    assert blocked["location_id"] == stock
    assert_problem(transfer(quarantine), 409, "lot_blocked")
    assert where(api, lot) == {stock: 10}
    moved = transfer(quarantine, reason="suspected leak")
    assert moved.status_code == 200, moved.text
    assert where(api, lot) == {stock: 6, quarantine: 4}
    assert api.post(f"/locations/{stock}/release").status_code == 200
    assert transfer(shelf).status_code == 200
    assert where(api, lot) == {stock: 2, quarantine: 4, shelf: 4}
