"""Master data: products, suppliers and customers. Every edit goes to the audit log."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lotline.domain.custom_fields import FieldEntity
from lotline.domain.errors import Conflict, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.lots import parse_custom_fields
from lotline.domain.model import Page, Product
from lotline.domain.statuses import RemovalStrategy, Role, Tracking, parse_enum
from lotline.domain.values import (
    ErrorCollector,
    apply_aliases,
    clean_text,
    normalize_gtin,
    optional_int,
    required_text,
    search_text,
)
from lotline.service_layer.audit import record_change
from lotline.service_layer.base import Service, need_product, snapshot
from lotline.service_layer.custom_fields import stored_fields
from lotline.service_layer.unit_of_work import UnitOfWork

PRODUCT_FIELDS = ("sku", "name", "tracking", "gtin", "uom", "removal_strategy",
                  "shelf_life_days", "expiry_alert_days", "serial_pattern", "custom_fields")


def _uom(value: Any) -> str:
    text = required_text(value, "uom", max_length=8).upper()
    if not re.fullmatch(r"[A-Z0-9]{1,3}", text):
        raise ValidationError.single("uom", "must be a UN/ECE Rec 20 code such as EA, KGM, LTR",
                                     value)
    return text


def parse_product_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    fields = apply_aliases(dict(raw), {"item_id": "id"}, PRODUCT_FIELDS)
    errors = ErrorCollector()
    parsers: dict[str, Any] = {
        "sku": lambda v: required_text(v, "sku", max_length=100),
        "name": lambda v: required_text(v, "name"),
        "tracking": lambda v: parse_enum(Tracking, v, "tracking").value,
        "gtin": lambda v: normalize_gtin(v, "gtin"),
        "uom": _uom,
        "removal_strategy": lambda v: parse_enum(RemovalStrategy, v, "removal_strategy").value,
        "shelf_life_days": lambda v: optional_int(v, "shelf_life_days", minimum=1),
        "expiry_alert_days": lambda v: optional_int(v, "expiry_alert_days") or 0,
        "serial_pattern": lambda v: clean_text(v, "serial_pattern", max_length=100),
        "custom_fields": parse_custom_fields,
    }
    parsed = {name: errors.take(parsers[name], value) for name, value in fields.items()}
    errors.raise_if_any()
    return parsed


class ProductService(Service):
    def create_product(self, **fields: Any) -> Product:
        self.actor.require(Role.MANAGER, "creating products")
        values = {"tracking": "none", "uom": "EA", **parse_product_fields(fields)}
        for required in ("sku", "name"):
            if values.get(required) is None:
                raise ValidationError.single(required, "is required")
        now = self.actor.now()
        product_id = new_id()
        with self.writing() as uow:
            defaults = uow.settings()  # the organization's FEFO defaults fill what is not given
            if values.get("removal_strategy") is None:
                values["removal_strategy"] = defaults.default_removal_strategy.value
            values.setdefault("expiry_alert_days", defaults.default_expiry_alert_days)
            if "custom_fields" in values:
                values["custom_fields"] = stored_fields(uow, values["custom_fields"],
                                                        FieldEntity.PRODUCT)
            _check_unique_product(uow, values)
            uow.products.insert({"id": product_id, **values, "created_at": now,
                                 "updated_at": now})
            product = need_product(uow, product_id)
            uow.audit.record(actor=self.actor.name, entity="product", entity_id=product_id,
                             action="create", before=None, after=snapshot(product), moment=now)
        return product

    def get(self, product_id: str) -> Product:
        with self.reading() as uow:
            return need_product(uow, product_id)

    get_product = get

    def by_sku(self, sku: str) -> Product:
        with self.reading() as uow:
            product = uow.products.by_sku(sku)
        if product is None:
            raise NotFound("product", sku, "sku")
        return product

    def list(self, q: str | None = None, tracking: str | None = None, limit: int = 50,
             cursor: str | None = None) -> Page[Product]:
        mode = None if tracking is None else parse_enum(Tracking, tracking, "tracking")
        with self.reading(may_lag=True) as uow:
            return uow.products.search(search_text(q), mode, limit, cursor)

    list_products = list

    def update(self, product_id: str, **changes: Any) -> Product:
        self.actor.require(Role.MANAGER, "changing products")
        values = parse_product_fields(changes)
        for required in ("sku", "name", "tracking", "uom", "removal_strategy"):
            if required in values and values[required] is None:
                raise ValidationError.single(required, "must not be empty")
        now = self.actor.now()
        with self.writing() as uow:
            before = need_product(uow, product_id)
            if "custom_fields" in values:
                values["custom_fields"] = stored_fields(uow, values["custom_fields"] or [],
                                                        FieldEntity.PRODUCT,
                                                        current=before.custom_fields)
            _check_unique_product(uow, values, product_id)
            if "tracking" in values and values["tracking"] != before.tracking.value:
                _check_tracking_change(uow, before)
            uow.products.update(product_id, {**values, "updated_at": now})
            after = need_product(uow, product_id)
            record_change(uow, "product", product_id, "update", snapshot(before),
                          snapshot(after))
        return after

    update_product = update

    def delete(self, product_id: str) -> None:
        self.actor.require(Role.MANAGER, "deleting products")
        with self.writing() as uow:
            product = need_product(uow, product_id)
            what = uow.products.used_by(product_id,
                                        ("lots", "serials", "order lines", "movements"))
            if what is not None:
                raise Conflict(f"product {product.sku!r} has {what}; it cannot be deleted",
                               product_id=product_id)
            uow.serials.forget_counts(product_id)
            uow.products.delete(product_id)
            uow.audit.record(actor=self.actor.name, entity="product", entity_id=product_id,
                             action="delete", before=snapshot(product), after=None,
                             moment=self.actor.now())


def _check_unique_product(uow: UnitOfWork, values: dict[str, Any],
                          product_id: str | None = None) -> None:
    errors = ErrorCollector()
    sku, gtin = values.get("sku"), values.get("gtin")
    by_sku = uow.products.by_sku(sku) if sku else None
    if by_sku is not None and by_sku.id != product_id:
        errors.add("sku", f"sku {sku!r} is already used by product {by_sku.id}", sku)
    by_gtin = uow.products.by_gtin(gtin) if gtin else None
    if by_gtin is not None and by_gtin.id != product_id:
        errors.add("gtin", f"gtin {gtin} is already used by product {by_gtin.sku!r}", gtin)
    if errors.errors:
        raise Conflict("; ".join(e.message for e in errors.errors),
                       errors=[e.as_dict() for e in errors.errors])


def _check_tracking_change(uow: UnitOfWork, product: Product) -> None:
    what = uow.products.used_by(product.id, ("lots", "serials"))
    if what is not None:
        raise Conflict(f"product {product.sku!r} already has {what}; its tracking mode "
                       f"cannot change", product_id=product.id)
