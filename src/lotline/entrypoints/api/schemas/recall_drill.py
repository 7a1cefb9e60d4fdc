"""POST /recalls/drill: the lot drilled, and what the drill answers (the documents come as a
zip with `format=zip`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from lotline.entrypoints.api.schemas.batches import Id
from lotline.entrypoints.api.schemas.common import Input, Number, Output
from lotline.entrypoints.api.schemas.trace import Delivery, RecallCustomer, RecallLot


class RecallDrillIn(Input):
    batch_id: Annotated[Id, Field(description="the lot drilled; every lot made from it is "
                                              "traced too")]


class DrilledLot(Output):
    batch_id: str
    batch_number: str


class RecallDrill(Output):
    lot: DrilledLot
    elapsed_ms: Annotated[float, Field(description="how long building the FSMA 204 rows, "
                                                   "the customer list and the EPCIS "
                                                   "document took, in milliseconds")]
    lots: list[RecallLot]
    customers: list[RecallCustomer]
    unattributed: list[Delivery]
    shipped_quantity: Number
    fsma_rows: int
    epcis_event_count: int
