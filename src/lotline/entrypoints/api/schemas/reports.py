"""Reports as JSON: `{name, columns, parameters, items}`, one typed row model per report."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import Field

from lotline.entrypoints.api.schemas.common import Number, Output

T = TypeVar("T")


class ReportOut(Output, Generic[T]):
    name: str
    columns: list[str] = Field(description="the columns in order (CSV and XLSX headers)")
    parameters: dict[str, Any]
    items: list[T]


class LotRow(Output):
    product_sku: str
    product_name: str
    batch_number: str
    supplier: str | None
    expiry_date: dt.date | None
    on_hand: Number
    unit_cost: Number | None
    batch_id: str


class ExpiringRow(LotRow):
    days_left: int


class ExpiredRow(LotRow):
    days_expired: int
    value: Number


class LotInventoryRow(LotRow):
    location: str
    location_on_hand: Number
    allocated: Number
    hold: str | None = Field(description="the hold's kind, if the lot is on hold")


class SerialInventoryRow(Output):
    product_sku: str
    product_name: str
    status: str
    location: str | None
    count: int


class MovementRow(Output):
    recorded_at: dt.datetime
    occurred_at: dt.datetime
    kind: str
    quantity: Number
    from_location_id: str | None
    to_location_id: str | None
    from_status: str | None
    to_status: str | None
    order_id: str | None
    receipt_id: str | None
    transformation_id: str | None
    reverses_id: str | None
    unit_cost: Number | None
    reason: str | None
    actor: str
    id: str
    hash: str


class SupplierRow(Output):
    supplier_id: str
    supplier_name: str | None
    lots: int
    received: Number
    remaining: Number
    turnover: Number | None
    returned: Number
    defective: Number
    defect_rate: Number | None


class ValuationRow(Output):
    product_id: str
    product_sku: str | None
    on_hand: Number
    value: Number
    average_cost: Number | None


class Fsma204Row(Output):
    """FDA FSMA 204 key data elements of one critical tracking event: the traceability lot
    code, and the location descriptions (name, phone, street, city, region, postal code,
    country) of its source, of where the food was shipped from and to."""

    event_type: str = Field(description="receiving (returns too), shipping, "
                                        "transformation_input or transformation_output")
    event_date: dt.date
    traceability_lot_code: str
    product_sku: str
    product_description: str
    quantity: Number
    unit_of_measure: str
    tlc_source_name: str | None
    tlc_source_phone: str | None
    tlc_source_street: str | None
    tlc_source_city: str | None
    tlc_source_region: str | None
    tlc_source_postal_code: str | None
    tlc_source_country: str | None
    ship_from_name: str | None
    ship_from_phone: str | None
    ship_from_street: str | None
    ship_from_city: str | None
    ship_from_region: str | None
    ship_from_postal_code: str | None
    ship_from_country: str | None
    ship_to_name: str | None
    ship_to_phone: str | None
    ship_to_street: str | None
    ship_to_city: str | None
    ship_to_region: str | None
    ship_to_postal_code: str | None
    ship_to_country: str | None
    location: str | None
    reference_document_type: str
    reference_document_number: str | None


class PagedReportOut(ReportOut[T], Generic[T]):
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on "
                                                "the last")


class SerialLocationRow(Output):
    serial_number: str
    product_sku: str
    product_name: str
    batch_number: str | None
    status: str
    warehouse: str | None
    location: str | None
    serial_id: str
    product_id: str
    batch_id: str | None
    warehouse_id: str | None
    location_id: str | None


class LotMovementRow(Output):
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    kind: str
    product_sku: str
    batch_number: str
    serial_number: str | None
    quantity: Number
    from_location: str | None = Field(description="WAREHOUSE/CODE")
    to_location: str | None = Field(description="WAREHOUSE/CODE")
    from_status: str | None
    to_status: str | None
    order_reference: str | None
    unit_cost: Number | None
    reason: str | None
    actor: str
    movement_id: str
    product_id: str
    batch_id: str
    from_location_id: str | None
    to_location_id: str | None
