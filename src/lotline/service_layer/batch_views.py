"""Reading lots: the Batch view with balances and availability computed for today."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from typing import Any

from lotline.domain.errors import Ambiguous, NotFound, ValidationError
from lotline.domain.lots import LotRecord, build_batch
from lotline.domain.model import Batch, Page
from lotline.domain.statuses import LotStatus, parse_enum
from lotline.domain.values import clean_number, fold_number, optional_date, search_text
from lotline.service_layer.audit import record_change
from lotline.service_layer.base import Service, snapshot
from lotline.service_layer.candidates import lot_candidates
from lotline.service_layer.unit_of_work import UnitOfWork


def lot_views(uow: UnitOfWork, records: Sequence[LotRecord],
              today: dt.date) -> builtins.list[Batch]:
    """The Batch views of lot records: balances and availability as of `today`."""
    ids = [r.id for r in records]
    balances = uow.batches.balances(ids)
    products = uow.products.get_many(list({r.product_id for r in records}))
    serial_lots = [r.id for r in records if products[r.product_id].tracking.uses_serials]
    in_stock = uow.batches.in_stock_serial_counts(serial_lots)
    return [build_batch(r, balances.get(r.id, []), in_stock.get(r.id, 0),
                        products[r.product_id].tracking.uses_serials, today)
            for r in records]


class BatchViews(Service):
    def view(self, uow: UnitOfWork, batch_id: str) -> Batch:
        record = uow.batches.get(batch_id)
        if record is None:
            raise NotFound("batch", batch_id)
        return self.views(uow, [record])[0]

    def views(self, uow: UnitOfWork, records: Sequence[LotRecord],
              as_of: dt.date | None = None) -> builtins.list[Batch]:
        return lot_views(uow, records, self.today(uow, as_of))

    def get(self, batch_id: str) -> Batch:
        with self.reading() as uow:
            return self.view(uow, str(batch_id))

    def numbers(self, batch_ids: Sequence[str]) -> dict[str, str]:
        """Lot numbers by id, nothing else: a list naming each row's lot must not compute
        every lot's availability (a count over its serials) just to print its number."""
        with self.reading() as uow:
            return uow.batches.numbers([str(i) for i in batch_ids])

    def by_number(self, batch_number: str, product_id: str | None = None) -> builtins.list[Batch]:
        """Every lot with this number (case-insensitive), across suppliers and products."""
        folded = fold_number(clean_number(batch_number, "batch_number"))
        with self.reading() as uow:
            records = [r for r in uow.batches.by_number(folded)
                       if product_id is None or r.product_id == product_id]
            return self.views(uow, records)

    def one_by_number(self, batch_number: str, product_id: str | None = None,
                      hint: str = "", *, supplier_id: str | None = None) -> Batch:
        """The one lot with this number (case-insensitive), of the product and the supplier
        when given: NotFound when none, Ambiguous naming each lot (number, product, supplier)
        when several; `hint` says how to choose."""
        folded = fold_number(clean_number(batch_number, "batch_number"))
        with self.reading() as uow:
            records = [r for r in uow.batches.by_number(folded)
                       if (product_id is None or r.product_id == product_id)
                       and (supplier_id is None or r.supplier_id == supplier_id)]
            if len(records) > 1:
                raise Ambiguous(f"lot number {batch_number.strip()!r}{hint}",
                                lot_candidates(uow, records))
            if not records:
                raise NotFound("batch", batch_number.strip(), "batch_number")
            return self.views(uow, records)[0]

    def list(self, product_id: str | None = None, supplier_id: str | None = None,
             status: Any = None, expiring_before: Any = None, has_stock: bool | None = None,
             q: str | None = None, limit: int = 50, cursor: str | None = None, *,
             on_hold: bool | None = None, order: str = "id") -> Page[Batch]:
        """Lots by filters, in creation order or (`order="expiry"`) earliest expiry first."""
        lot_status = None if status is None else parse_enum(LotStatus, status, "status")
        before = optional_date(expiring_before, "expiring_before")
        if order not in ("id", "expiry"):
            raise ValidationError.single("order", "must be id or expiry", order)
        with self.reading(may_lag=True) as uow:
            page = uow.batches.search(product_id=product_id, supplier_id=supplier_id,
                                      status=lot_status, expiring_before=before,
                                      has_stock=has_stock, q=search_text(q),
                                      limit=limit, cursor=cursor, on_hold=on_hold,
                                      by_expiry=order == "expiry")
            return Page(self.views(uow, page.items), page.next_cursor)

    def expired(self, as_of: dt.date | None = None) -> builtins.list[Batch]:
        """Lots whose expiry date has come (expired on and after it), earliest first."""
        with self.reading(may_lag=True) as uow:
            today = self.today(uow, as_of)
            records = uow.batches.expiring_between(None, today + dt.timedelta(days=1))
            return self.views(uow, records, today)

    def near_expiry(self, days: int = 30, as_of: dt.date | None = None) -> builtins.list[Batch]:
        """Lots expiring within `days` days; already expired ones are excluded."""
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValidationError.single("days", "must be a whole number of days, 0 or more",
                                         days)
        with self.reading(may_lag=True) as uow:
            today = self.today(uow, as_of)
            records = uow.batches.expiring_between(today + dt.timedelta(days=1),
                                                   today + dt.timedelta(days=days + 1))
            return self.views(uow, records, today)

    def _audit(self, uow: UnitOfWork, batch_id: str, action: str, before: LotRecord | None,
               reason: str | None = None) -> None:
        audit_batch(uow, batch_id, action, before, reason)


def audit_batch(uow: UnitOfWork, batch_id: str, action: str, before: LotRecord | None,
                reason: str | None = None) -> None:
    """The lot's audit row: the fields this change moved, before and after (the whole lot
    when it is new), and the reason given."""
    after = uow.batches.get(batch_id)
    record_change(uow, "batch", batch_id, action,
                  None if before is None else snapshot(before),
                  None if after is None else snapshot(after), reason)
