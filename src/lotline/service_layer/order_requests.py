"""Order requests the doors build from what a user names, decided once: which order line a
serial or lot belongs to, and putting returned units back into stock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lotline.domain.errors import ValidationError
from lotline.domain.model import Order
from lotline.service_layer.serials import SerialService
from lotline.service_layer.stock import StockService
from lotline.service_layer.warehouses import WarehouseService


def line_for_product(order: Order, product_id: str, what: str) -> str:
    """The id of the order's line for a product, its last when several (`what`: the serial or
    lot named, for the error when the order has none)."""
    for line in reversed(order.lines):
        if line.product_id == product_id:
            return line.id
    raise ValidationError.single("lines", f"the order has no line for the product of {what}",
                                 what)


def restock_returned(serials: SerialService, stock: StockService,
                     warehouses: WarehouseService, lines: Iterable[Mapping[str, Any]],
                     location_id: str, note: str) -> None:
    """Put the units of a recorded return back into stock at `location_id`: each serial
    IN_STOCK there, each lot quantity moved there from RETURNS (one unit of work each)."""
    returns = warehouses.location_by_code("RETURNS")
    for line in lines:
        if "serial_number" in line:
            serial = serials.lookup(line["serial_number"])
            serials.change_status(serial.id, "IN_STOCK", location_id=location_id, reason=note)
        else:
            stock.transfer(returns.id, location_id, batch_id=line["batch_id"],
                           quantity=line["quantity"], reason=note)
