"""Traceability: transformations, backward and forward traces, recalls and the ledger check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field

from lotline.entrypoints.api.schemas.batches import DateIn, Id, Money, OptionalNumber
from lotline.entrypoints.api.schemas.common import (
    DecimalIn,
    Input,
    LongText,
    Number,
    Output,
    SerialNumberItem,
    SerialNumberText,
)
from lotline.entrypoints.api.schemas.exchange import ScanOut

SerialNumberIn = SerialNumberText

# --- transformations -----------------------------------------------------------------------


class TransformationInputIn(Input):
    """A quantity of a lot ({batch_id, quantity, location_id?}) or one unit ({serial_number})."""

    batch_id: Id | None = None
    quantity: Annotated[DecimalIn, Field(gt=0)] | None = None
    location_id: Annotated[Id | None, Field(description="where the lot is taken from; "
                                                        "default the transformation's")] = None
    serial_number: SerialNumberIn | None = None


class TransformationOutputIn(Input):
    product_id: Id
    batch_number: Annotated[OptionalNumber | None, Field(
        description="the output lot (new); required unless the product is serial-only")] = None
    quantity: Annotated[DecimalIn, Field(gt=0)] | None = None
    serial_numbers: Annotated[list[SerialNumberItem] | None, Field(
        max_length=100_000, description="one per unit of a serial-tracked output")] = None
    expiry_date: DateIn | None = None
    manufacturing_date: DateIn | None = None
    unit_cost: Annotated[Money | None, Field(description="default: the inputs' cost spread "
                                                         "over the output units")] = None


class TransformationIn(Input):
    inputs: Annotated[list[TransformationInputIn], Field(min_length=1, max_length=1000)]
    outputs: Annotated[list[TransformationOutputIn], Field(min_length=1, max_length=1000)]
    kind: Literal["production", "repacking", "kitting"] = "production"
    reference: Annotated[OptionalNumber | None, Field(description="default TR-000001, ...")] \
        = None
    location_id: Annotated[Id | None, Field(description="where it happens; default STOCK")] \
        = None
    notes: LongText | None = None


class Consumed(Output):
    product_id: str
    batch_id: str | None
    serial_id: str | None
    quantity: Number
    cost: Number


class Made(Output):
    product_id: str
    batch_id: str | None
    serial_ids: list[str]
    quantity: Number


class Transformation(Output):
    id: str
    reference: str
    kind: str
    inputs: list[Consumed]
    outputs: list[Made]
    occurred_at: dt.datetime
    location_id: str
    notes: str | None


# --- trace -----------------------------------------------------------------------------------


class ReceiptRef(Output):
    receipt_id: str | None
    reference: str | None
    received_at: dt.datetime
    quantity: Number


class TransformationRef(Output):
    id: str
    reference: str
    kind: str
    occurred_at: dt.datetime


class LotRef(Output):
    batch_id: str
    batch_number: str
    product_id: str
    product_sku: str
    product_name: str
    supplier_id: str | None
    supplier_name: str | None
    manufacturer_batch_number: str | None
    manufacturing_date: dt.date | None
    expiry_date: dt.date | None
    quantity: Number


class BackwardNode(Output):
    """A lot, where it came from (receipts, supplier), the transformations that made it and
    the lots (and units) they consumed, recursively."""

    lot: LotRef
    receipts: list[ReceiptRef]
    made_by: list[TransformationRef]
    consumed_serials: list[str]
    inputs: list[BackwardNode]


class UnitTrace(Output):
    serial_id: str
    serial_number: str
    status: str
    product_id: str
    order_id: str | None
    installed_in: Annotated[list[str], Field(description="the units this one is installed "
                                                         "in, innermost first")]
    components: Annotated[list[str], Field(description="units installed in this one")]
    receipts: list[ReceiptRef]
    made_by: list[TransformationRef]
    lot: BackwardNode | None
    inputs: Annotated[list[BackwardNode], Field(description="for a unit made without a lot: "
                                                            "the lots its making consumed")]
    consumed_serials: list[str]


class Delivery(Output):
    """What one order received of one lot."""

    order_id: str | None
    order_reference: str | None
    customer_id: str | None
    customer_name: str | None
    batch_id: str
    quantity: Number
    returned_quantity: Number
    serial_numbers: list[str]
    first_shipped_at: dt.datetime
    last_shipped_at: dt.datetime
    inside_assemblies: Annotated[list[str], Field(
        description="the assembled units (serial numbers) these units left installed in; "
                    "empty when they shipped as they are")]


class ForwardNode(Output):
    """A lot, the orders and customers it reached, what is left on hand, and the lots made
    from it, recursively."""

    lot: LotRef
    deliveries: list[Delivery]
    shipped_quantity: Number
    on_hand: Number
    used_in: list[TransformationRef]
    outputs: list[ForwardNode]


class ScanTrace(Output):
    """A trace started from a scan: the unit's trace for a serial, else the lot's tree in the
    direction asked for."""

    scan: ScanOut
    serial: UnitTrace | None
    backward: BackwardNode | None
    forward: ForwardNode | None


# --- recalls -----------------------------------------------------------------------------------


class RecallIn(Input):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    batch_ids: Annotated[list[Id] | None, Field(
        max_length=1000, description="the lots recalled (lots made from them are included); "
                                     "or supplier_id with a receipt date range")] = None
    supplier_id: Id | None = None
    received_from: DateIn | None = None
    received_to: DateIn | None = None
    hold: Annotated[bool, Field(description="put every affected lot on recall hold, in the "
                                            "same transaction")] = False
    reference: Annotated[OptionalNumber | None, Field(description="default RC-000001, ...")] \
        = None


class RecallNoteIn(Input):
    text: Annotated[str, Field(min_length=1, max_length=2000)]


class RecallCloseIn(Input):
    note: LongText | None = None


class RecallCriteria(Output):
    batch_ids: list[str]
    supplier_id: str | None
    received_from: dt.date | None
    received_to: dt.date | None


class RecallNote(Output):
    at: dt.datetime
    by: str
    text: str


class RecallLot(LotRef):
    depth: Annotated[int, Field(description="0 for a named lot, n for a lot made from one "
                                            "n transformations later")]


class RecallDelivery(Delivery):
    batch_number: str


class RecallOrder(Output):
    order_id: str
    order_reference: str | None
    deliveries: list[RecallDelivery]


class RecallCustomerContact(Output):
    id: str
    name: str
    code: str | None
    email: str | None
    phone: str | None
    address: dict[str, str | None]


class RecallCustomer(Output):
    customer: RecallCustomerContact
    orders: list[RecallOrder]
    quantity: Number


class RecallStock(Output):
    batch_id: str
    batch_number: str
    location_id: str
    location_code: str
    quantity: Number
    allocated: Number


class RecallPending(Output):
    batch_id: str
    order_id: str
    order_reference: str | None
    customer_id: str | None
    status: str
    quantity: Number
    serial_numbers: list[str]


class RecallInstalled(Output):
    """A unit of an affected lot installed in an assembly (through any number of levels):
    where that assembly is now."""

    batch_id: str
    batch_number: str
    serial_number: str
    assembly_serial_number: str
    assembly_status: str
    assembly_location_code: str | None


class RecallReport(Output):
    """The affected lots, customers and orders as they were when the recall was made."""

    lots: list[RecallLot]
    customers: list[RecallCustomer]
    unattributed: Annotated[list[Delivery], Field(description="shipments without an order "
                                                              "or customer (gaps)")]
    on_hand: list[RecallStock]
    pending: Annotated[list[RecallPending], Field(description="allocated or picked, not "
                                                              "shipped")]
    installed: Annotated[list[RecallInstalled], Field(
        description="units of the lots installed in other units, and where the outermost "
                    "assembly is (shipped ones also appear under customers)")]
    shipped_quantity: Number
    held_lots: list[str]
    already_held: list[str]


class RecallSummary(Output):
    id: str
    reference: str
    reason: str
    status: str
    held: bool
    criteria: RecallCriteria
    shipped_quantity: Number
    recovered_quantity: Number
    effectiveness: Annotated[Number | None, Field(description="recovered / shipped")]
    created_at: dt.datetime
    closed_at: dt.datetime | None


class Recall(RecallSummary):
    notes: list[RecallNote]
    report: RecallReport


# --- ledger ------------------------------------------------------------------------------------


class LedgerProblem(Output):
    kind: str = Field(description="tampered, broken_link, missing_rows, head_mismatch, "
                                  "projection, over_allocated (an order line holding more "
                                  "than it orders); against checkpoints: "
                                  "checkpoint_signature, checkpoint_key, checkpoint_mismatch "
                                  "or checkpoint_stream_missing")
    stream_id: str | None
    movement_id: str | None
    detail: str


class LedgerReport(Output):
    ok: bool
    streams: int
    movements: int
    serials: int
    balances: int
    checkpoints: int = Field(description="checkpoints proved against (their signature held)")
    problems: list[LedgerProblem]


EPCIS_DOCUMENT: dict[str, Any] = {
    "type": "object", "required": ["@context", "type", "schemaVersion", "creationDate",
                                   "epcisBody"],
    "description": "an EPCIS 2.0 EPCISDocument (JSON-LD)"}
