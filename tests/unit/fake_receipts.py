"""Receipts (ASNs) for the fake unit of work's flows: what opening a receipt reaches (EPCIS
capture opens one for a supplier's shipment), rows kept in the unit of work's tables and read
back as the domain's Receipt. Announced serials are not kept: linking them fails loudly."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from lotline.adapters import tables as t
from lotline.adapters.repositories.flows import expected_lots
from lotline.domain.flows import Receipt, ReceiptLine

Row = dict[str, Any]


def _defaults(table: Any) -> Row:
    return {column.name: column.default.arg if column.default is not None
            and column.default.is_scalar else None for column in table.c}


class ReceiptRows:
    data: dict[str, dict[str, Row]]

    def add_receipt(self, values: Row, lines: list[Row]) -> None:
        self.data["receipts"][values["id"]] = {**_defaults(t.receipts), **values}
        for line in lines:
            self.data["receipt_lines"][line["id"]] = {**_defaults(t.receipt_lines), **line}

    def link_expected(self, line_id: str, serial_ids: Sequence[str]) -> None:
        raise NotImplementedError("the fake unit of work announces no serials")

    def receipt_row(self, receipt_id: str, *, for_update: bool = False) -> Any | None:
        row = self.data["receipts"].get(receipt_id)
        return None if row is None else SimpleNamespace(**row)

    def receipt_by_reference(self, reference: str) -> Any | None:
        found = [r for r in self.data["receipts"].values() if r["reference"] == reference]
        return SimpleNamespace(**found[0]) if found else None

    def receipt(self, receipt_id: str) -> Receipt | None:
        row = self.data["receipts"].get(receipt_id)
        if row is None:
            return None
        lines = sorted((r for r in self.data["receipt_lines"].values()
                        if r["receipt_id"] == receipt_id), key=lambda r: r["line_no"])
        return Receipt(id=row["id"], reference=row["reference"], supplier_id=row["supplier_id"],
                       warehouse_id=row["warehouse_id"], status=row["status"],
                       created_at=row["created_at"], updated_at=row["updated_at"], lines=[
                           ReceiptLine(id=r["id"], line_no=r["line_no"],
                                       product_id=r["product_id"],
                                       expected_quantity=r["expected_quantity"],
                                       received_quantity=r["received_quantity"],
                                       unit_cost=r["unit_cost"], expected_serials=[],
                                       reason=r["reason"],
                                       expected_lots=expected_lots(r["expected_lots"]))
                           for r in lines])
