"""A recall's stored report as one flat table, written as CSV or XLSX: every delivery to a
customer (with contact details and serials), deliveries without a customer, stock on hand
per location and allocations not yet shipped — what a recall coordinator calls and collects."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from lotline.files.sheets import write_csv, write_xlsx
from lotline.service_layer.recalls import RecallView

COLUMNS = ("section", "customer_name", "customer_code", "customer_email", "customer_phone",
           "order_reference", "batch_number", "location_code", "quantity",
           "returned_quantity", "allocated_quantity", "status", "serial_numbers",
           "inside_assemblies", "first_shipped_at", "last_shipped_at")
EXPORT_MEDIA = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _cell(value: Any) -> str:
    """Text (lists space-separated); the sheet writer neutralises formula-like text."""
    if value is None:
        return ""
    return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _row(section: str, **values: Any) -> list[str]:
    return [section if name == "section" else _cell(values.get(name)) for name in COLUMNS]


def recall_rows(report: dict[str, Any]) -> Iterator[list[str]]:
    for entry in report.get("customers", []):
        customer = entry.get("customer", {})
        contact = {f"customer_{key}": customer.get(key)
                   for key in ("name", "code", "email", "phone")}
        for order in entry.get("orders", []):
            for delivery in order.get("deliveries", []):
                yield _row("shipped", **contact, order_reference=order.get("order_reference"),
                           **{k: delivery.get(k) for k in (
                               "batch_number", "quantity", "returned_quantity",
                               "serial_numbers", "inside_assemblies", "first_shipped_at",
                               "last_shipped_at")})
    for delivery in report.get("unattributed", []):
        yield _row("shipped_without_customer", **delivery)
    for stock in report.get("on_hand", []):
        yield _row("on_hand", batch_number=stock.get("batch_number"),
                   location_code=stock.get("location_code"), quantity=stock.get("quantity"),
                   allocated_quantity=stock.get("allocated"))
    for pending in report.get("pending", []):
        yield _row("allocated_not_shipped", order_reference=pending.get("order_reference"),
                   quantity=pending.get("quantity"), status=pending.get("status"),
                   serial_numbers=pending.get("serial_numbers"))
    for unit in report.get("installed", []):
        yield _row("installed_in_assembly", batch_number=unit.get("batch_number"),
                   serial_numbers=[unit.get("serial_number")],
                   inside_assemblies=[unit.get("assembly_serial_number")],
                   status=unit.get("assembly_status"),
                   location_code=unit.get("assembly_location_code"))


def export_recall(recall: RecallView, file_format: str) -> bytes:
    rows = recall_rows(recall.report)
    if file_format == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, COLUMNS, rows, recall.reference or "recall")
        return buffer.getvalue()
    text = io.StringIO()
    write_csv(text, COLUMNS, rows)
    return text.getvalue().encode("utf-8")
