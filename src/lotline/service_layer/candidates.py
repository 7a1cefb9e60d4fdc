"""What an `Ambiguous` error lists, so its message can name each candidate (DESIGN §6: the
409 lists the candidates): serials by product SKU, lots by number, product and supplier."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lotline.domain.model import Serial
from lotline.service_layer.unit_of_work import UnitOfWork


def serial_candidates(uow: UnitOfWork, serials: Sequence[Serial]) -> list[dict[str, Any]]:
    skus = _skus(uow, {s.product_id for s in serials})
    return [{"id": s.id, "product_id": s.product_id, "sku": skus.get(s.product_id)}
            for s in serials]


def lot_candidates(uow: UnitOfWork, lots: Sequence[Any]) -> list[dict[str, Any]]:
    """`lots`: LotRecords or Batch views (both carry id, number, product and supplier)."""
    skus = _skus(uow, {lot.product_id for lot in lots})
    suppliers: dict[str, str] = {}
    for supplier_id in {lot.supplier_id for lot in lots if lot.supplier_id}:
        supplier = uow.suppliers.get(supplier_id)
        if supplier is not None:
            suppliers[supplier_id] = supplier.name
    return [{"id": lot.id, "batch_number": lot.batch_number, "product_id": lot.product_id,
             "sku": skus.get(lot.product_id), "supplier_id": lot.supplier_id,
             "supplier": suppliers.get(lot.supplier_id or "")} for lot in lots]


def _skus(uow: UnitOfWork, product_ids: set[str]) -> dict[str, str]:
    return {p.id: p.sku for p in uow.products.get_many(list(product_ids)).values()}
