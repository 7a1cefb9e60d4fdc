"""Seed 004's endpoint, exactly as DESIGN §6 fixes it: `GET /batches/product/{product_id}` is a
bare JSON array of nine fields in FEFO order, timestamps for `purchase_date` and
`expiration_date`, `available_quantity` = what remains on hand, `[]` for an unknown product or
another organization's, readable by a viewer."""

from __future__ import annotations

from api_kit import Api, assert_problem

SEED_FIELDS = ["id", "product_id", "initial_quantity", "available_quantity", "unit_cost",
               "purchase_date", "expiration_date", "supplier_id", "entry_transaction_ref"]


def test_the_seed_example_in_fefo_order(api: Api) -> None:
    product, alpha, beta = api.product(), api.supplier("Alpha"), api.supplier("Beta")
    # Created out of order: the answer is sorted by expiry, lots without one last.
    no_expiry = api.batch(product["id"], "B-3", quantity=200, unit_cost="13.00")
    later = api.batch(product["id"], "B-2", supplier_id=beta["id"], quantity=150,
                      unit_cost=11.75, purchase_date="2026-02-20", expiry_date="2026-08-20")
    first = api.batch(product["id"], "B-1", supplier_id=alpha["id"], quantity=100,
                      unit_cost=12.5, purchase_date="2026-01-15", expiry_date="2026-06-15")
    response = api.get(f"/batches/product/{product['id']}", role="viewer")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    rows = response.json()
    assert [list(row) for row in rows] == [SEED_FIELDS] * 3
    assert rows == [
        {"id": first["id"], "product_id": product["id"], "initial_quantity": 100,
         "available_quantity": 100, "unit_cost": 12.5,
         "purchase_date": "2026-01-15T00:00:00+00:00",
         "expiration_date": "2026-06-15T00:00:00+00:00", "supplier_id": alpha["id"],
         "entry_transaction_ref": first["entry_transaction_ref"]},
        {"id": later["id"], "product_id": product["id"], "initial_quantity": 150,
         "available_quantity": 150, "unit_cost": 11.75,
         "purchase_date": "2026-02-20T00:00:00+00:00",
         "expiration_date": "2026-08-20T00:00:00+00:00", "supplier_id": beta["id"],
         "entry_transaction_ref": later["entry_transaction_ref"]},
        {"id": no_expiry["id"], "product_id": product["id"], "initial_quantity": 200,
         "available_quantity": 200, "unit_cost": 13,
         "purchase_date": "2026-03-01T10:00:00+00:00", "expiration_date": None,
         "supplier_id": None, "entry_transaction_ref": no_expiry["entry_transaction_ref"]},
    ]
    assert '"unit_cost":11.75,' in response.text and '"unit_cost":13,' in response.text


def test_active_only_hides_depleted_lots_but_not_held_or_expired_ones(api: Api) -> None:
    product = api.product()
    empty = api.batch(product["id"], "E-0", quantity=0, expiry_date="2026-04-01")
    expired = api.batch(product["id"], "E-1", quantity=5, expiry_date="2026-02-01")
    held = api.batch(product["id"], "E-2", quantity=7, expiry_date="2026-05-01")
    api.post(f"/batches/{held['id']}/hold", json={"reason": "qc"})
    active = api.get(f"/batches/product/{product['id']}").json()
    assert [(row["id"], row["available_quantity"]) for row in active] == [
        (expired["id"], 5), (held["id"], 7)]
    every = api.get(f"/batches/product/{product['id']}", params={"active_only": "false"})
    assert [(row["id"], row["available_quantity"]) for row in every.json()] == [
        (expired["id"], 5), (empty["id"], 0), (held["id"], 7)]
    explicit = api.get(f"/batches/product/{product['id']}", params={"active_only": "true"})
    assert explicit.json() == active


def test_unknown_or_foreign_products_answer_an_empty_array(api: Api, other: Api) -> None:
    product = api.product()
    api.batch(product["id"], quantity=1)
    for response in (api.get("/batches/product/no-such-product"),
                     other.get(f"/batches/product/{product['id']}"),
                     other.get(f"/batches/product/{product['id']}", role="viewer")):
        assert (response.status_code, response.text) == (200, "[]")


def test_it_needs_credentials(api: Api) -> None:
    product = api.product()
    assert_problem(api.get(f"/batches/product/{product['id']}", role=None), 401,
                   "unauthorized")
    assert_problem(api.get(f"/batches/product/{product['id']}", role=None,
                           headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    response = api.get(f"/batches/product/{product['id']}", role="manager")
    assert (response.status_code, response.json()) == (200, [])
