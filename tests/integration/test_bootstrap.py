"""`lotline.create_services()`: the library's front door (DESIGN §6)."""

from __future__ import annotations

from pathlib import Path

import pytest

import lotline
from lotline.adapters.migrate import current_revisions, head_revisions
from lotline.errors import LotlineError, NotFound


def test_in_memory_database_is_migrated_and_usable() -> None:
    svc = lotline.create_services("sqlite://")
    assert current_revisions(svc.engine) == head_revisions()
    product = svc.products.create_product(sku="WIDGET-1", name="Widget", tracking="serial")
    serial = svc.batch_tracking.register_serial(serial_number="SN-1", product_id=product.id)
    assert svc.batch_tracking.lookup_serial("SN-1") == serial
    assert svc.actor.name == "library"
    assert svc.warehouses.default().code == "MAIN"
    svc.engine.dispose()


def test_environment_url_and_named_organizations(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.db"
    monkeypatch.setenv("LOTLINE_DATABASE_URL", f"sqlite:///{path}")
    first = lotline.create_services()
    assert path.exists()
    again = lotline.create_services(organization="default")
    assert again.org_id == first.org_id  # created on first use, found afterwards
    acme = lotline.create_services(organization="Acme Corp")
    assert acme.org_id != first.org_id
    product = acme.products.create_product(sku="A", name="A")
    with pytest.raises(NotFound):
        first.products.get(product.id)
    for svc in (first, again, acme):
        svc.engine.dispose()


def test_public_names() -> None:
    assert lotline.SerialStatus.AVAILABLE is lotline.SerialStatus.IN_STOCK
    assert issubclass(lotline.errors.DuplicateBatch, lotline.errors.Conflict)
    codes = {cls.__name__: (cls.code, cls.http_status) for cls in (
        lotline.errors.NotFound, lotline.errors.ValidationError, lotline.errors.DuplicateSerial,
        lotline.errors.DuplicateBatch, lotline.errors.InvalidTransition,
        lotline.errors.InsufficientStock, lotline.errors.LotBlocked, lotline.errors.Ambiguous,
        lotline.errors.PermissionDenied, lotline.errors.Unauthorized,
        lotline.errors.RateLimited, lotline.errors.PayloadTooLarge)}
    assert codes == {
        "NotFound": ("not_found", 404), "ValidationError": ("validation_error", 422),
        "DuplicateSerial": ("duplicate_serial", 409), "DuplicateBatch": ("duplicate_batch", 409),
        "InvalidTransition": ("invalid_transition", 409),
        "InsufficientStock": ("insufficient_stock", 409), "LotBlocked": ("lot_blocked", 409),
        "Ambiguous": ("ambiguous", 409), "PermissionDenied": ("forbidden", 403),
        "Unauthorized": ("unauthorized", 401), "RateLimited": ("rate_limited", 429),
        "PayloadTooLarge": ("payload_too_large", 413)}
    for cls in (lotline.errors.DuplicateSerial, lotline.errors.DuplicateBatch,
                lotline.errors.InvalidTransition, lotline.errors.InsufficientStock,
                lotline.errors.LotBlocked, lotline.errors.Ambiguous):
        assert issubclass(cls, lotline.errors.Conflict)
    assert issubclass(lotline.errors.Conflict, LotlineError)
