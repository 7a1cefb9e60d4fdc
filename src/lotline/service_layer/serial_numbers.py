"""Generated serial numbers: a product's `serial_pattern` and a per-organization counter.

`next_serials` reserves numbers (the counter moves under its row lock, so two callers never
get the same value) and skips any that already exist in the uniqueness scope, such as numbers
typed in by hand. A reservation that is not registered leaves a gap, never a duplicate."""

from __future__ import annotations

from typing import Any

from lotline.domain.errors import ValidationError
from lotline.domain.model import Product
from lotline.domain.serial_numbers import check_pattern, render_serial
from lotline.domain.statuses import Role, SerialScope
from lotline.service_layer.base import Service, need_product
from lotline.service_layer.context import Actor
from lotline.service_layer.registration import RegisteredSerials, SerialRegistration
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

MAX_GENERATED = 1_000_000


def counter_name(product_id: str) -> str:
    return f"sn:{product_id}"  # 39 characters: fits counters.name


def reserve(uow: UnitOfWork, name: str, count: int) -> int:
    """Advance a counter by `count`; the first value of the reserved block."""
    return uow.flows.reserve_numbers(name, count)


class SerialNumberService(Service):
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor, *,
                 registration: SerialRegistration) -> None:
        super().__init__(uows, actor)
        self.registration = registration

    def next_serials(self, product_id: str, count: int, *,
                     pattern: str | None = None) -> list[str]:
        """Reserve the next `count` serial numbers of a product's pattern (or `pattern`)."""
        self.actor.require(Role.MANAGER, "generating serial numbers")
        if isinstance(count, bool) or not isinstance(count, int) or not \
                0 < count <= MAX_GENERATED:
            raise ValidationError.single("count", f"must be 1 to {MAX_GENERATED}", count)
        with self.writing() as uow:
            product = need_product(uow, product_id)
            template = check_pattern(_pattern(product, pattern))
            return self._fresh(uow, product, template, count)

    def register_next(self, count: int, *, batch_id: str | None = None,
                      product_id: str | None = None, pattern: str | None = None,
                      **options: Any) -> RegisteredSerials:
        """Generate `count` numbers and register them (all or nothing, like register_many)."""
        if product_id is None and batch_id is not None:
            with self.reading() as uow:
                lot = uow.batches.get(str(batch_id))
            product_id = lot.product_id if lot is not None else None
        if product_id is None:
            raise ValidationError.single("batch_id", "name an existing lot or a product")
        numbers = self.next_serials(product_id, count, pattern=pattern)
        return self.registration.register(
            numbers, batch_id=batch_id, product_id=product_id, **options)

    def _fresh(self, uow: UnitOfWork, product: Product, template: str,
               count: int) -> list[str]:
        today = self.today(uow)
        scope = "" if uow.settings().serial_scope is SerialScope.ORGANIZATION else product.id
        result: list[str] = []
        seen: set[str] = set()
        while len(result) < count:
            wanted = count - len(result)
            first = reserve(uow, counter_name(product.id), wanted)
            block = [render_serial(template, first + i, today) for i in range(wanted)]
            taken = set(uow.serials.existing_numbers(scope, block))
            for number in block:
                if number not in taken and number not in seen:
                    seen.add(number)
                    result.append(number)
        return result


def _pattern(product: Product, pattern: str | None) -> str:
    chosen = pattern or product.serial_pattern
    if not chosen:
        raise ValidationError.single(
            "serial_pattern", f"product {product.sku!r} has no serial_pattern; set one "
            "(e.g. SN-{YYYY}{MM}-{####}) or pass a pattern")
    return chosen
