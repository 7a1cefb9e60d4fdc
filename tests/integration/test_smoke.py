from __future__ import annotations

from lotline.bootstrap import Services


def test_create_product_and_lot(svc: Services) -> None:
    product = svc.products.create_product(sku="A-1", name="A", tracking="lot")
    batch = svc.batches.create(product_id=product.id, batch_number="L1", quantity=5)
    assert svc.batches.get(batch.id).balance_quantity == 5
