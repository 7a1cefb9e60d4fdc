"""A supplier's shipping event addressed to us becomes an ASN (DESIGN §9): a receipt from the
supplier its source list names, one line per product (GTIN), the SGTINs of `epcList` as its
expected serials and the quantities of `quantityList` (LGTIN: lot numbers, kept with the
captured event, linked to its receipt) in its expected quantity, through the receiving use
case (receiving.open_receipt) in the capture's transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from lotline.domain.epcis_index import identifier, parties, vocabulary
from lotline.domain.errors import FieldError, LotlineError, ValidationError
from lotline.domain.values import clean_number
from lotline.service_layer.receiving import open_receipt, parse_asn_lines
from lotline.service_layer.unit_of_work import UnitOfWork

GLN_IN = re.compile(r"^https://id\.gs1\.org/(?:414|417)/(\d{13})(?:/|$)")
SGTIN = re.compile(r"^https://id\.gs1\.org/01/(\d{14})/21/(.+)$")
LGTIN = re.compile(r"^https://id\.gs1\.org/01/(\d{14})/10/(.+)$")
GTIN_ONLY = re.compile(r"^https://id\.gs1\.org/01/(\d{14})$")
REFERENCE_LENGTH = 100


class CaptureRejected(Exception):
    """The capture stores nothing but its job: errors under `rollback`, or an ASN that failed
    after its first write (a duplicate serial), under any behaviour."""

    def __init__(self, errors: list[FieldError], count: int = 0) -> None:
        super().__init__("capture rolled back")
        self.errors = errors
        self.count = count


@dataclass(frozen=True, slots=True)
class Partners:
    """Who we are and whom we buy from, by GLN (read once per capture)."""

    warehouses: Mapping[str, str]  # GLN -> warehouse id
    suppliers: Mapping[str, str]  # GLN -> supplier id


@dataclass(slots=True)
class _Line:
    serials: list[str] = field(default_factory=list)
    quantity: Decimal = Decimal(0)
    lots: list[tuple[str, Decimal]] = field(default_factory=list)


def gln_of(uri: str) -> str | None:
    match = GLN_IN.match(identifier(uri))
    return match.group(1) if match else None


def _ours(event: Mapping[str, Any], partners: Partners) -> str | bool:
    """The warehouse a shipping event is addressed to: its id, True when addressed to us
    without naming a warehouse of ours, False when not ours (or not a shipping event)."""
    if vocabulary(str(event.get("bizStep") or "")) != "shipping":
        return False
    destinations = [gln_of(uri) for uris in parties(event, "destinationList").values()
                    for uri in uris]
    read_point = event.get("readPoint")
    if isinstance(read_point, Mapping) and read_point.get("id"):
        destinations.append(gln_of(str(read_point["id"])))
    for gln in destinations:
        if gln is not None and gln in partners.warehouses:
            return partners.warehouses[gln]
    # An organization without GLNs takes shipments from the suppliers it knows.
    return not partners.warehouses and _supplier(event, partners) is not None


def _supplier(event: Mapping[str, Any], partners: Partners) -> str | None:
    for uris in parties(event, "sourceList").values():
        for uri in uris:
            gln = gln_of(uri)
            if gln is not None and gln in partners.suppliers:
                return partners.suppliers[gln]
    return None


def is_for_us(event: Mapping[str, Any], partners: Partners) -> bool:
    return _ours(event, partners) is not False


def open_asn(uow: UnitOfWork, event: Mapping[str, Any], key: str, partners: Partners,
             path: str, now: Any) -> tuple[str, list[dict[str, Any]]]:
    """The receipt for a shipping event addressed to us (its id) and the lots its LGTINs
    announce ({product_id, lot, quantity}); a ValidationError naming
    the event's paths when its supplier or products are not ours (nothing written yet), a
    CaptureRejected when the receipt cannot be written."""
    warehouse = _ours(event, partners)
    supplier_id = _supplier(event, partners)
    if supplier_id is None:
        raise ValidationError.single(f"{path}.sourceList", "names no supplier of ours by GLN "
                                     "(owning_party or location https://id.gs1.org/417|414/…)")
    lines = _lines(uow, event, path)
    parsed = parse_asn_lines([{"product_id": product_id, "expected_quantity": line.quantity,
                               "expected_serials": line.serials}
                              for product_id, line in lines.items()])
    try:
        receipt = open_receipt(uow, now, _reference(uow, event, key), supplier_id, parsed,
                               warehouse if isinstance(warehouse, str) else None)
    except ValidationError as error:
        raise CaptureRejected([FieldError(f"{path}.{e.field}", e.message, e.value)
                               for e in error.errors]) from None
    except LotlineError as error:
        raise CaptureRejected([FieldError(path, str(error))]) from None
    return receipt.id, [{"product_id": product_id, "lot": lot, "quantity": str(quantity)}
                        for product_id, line in lines.items() for lot, quantity in line.lots]


def _lines(uow: UnitOfWork, event: Mapping[str, Any], path: str) -> dict[str, _Line]:
    lines: dict[str, _Line] = {}
    errors: list[FieldError] = []

    def line_for(gtin: str, where: str, value: str) -> _Line | None:
        product = uow.products.by_gtin(gtin)
        if product is None:
            errors.append(FieldError(where, f"GTIN {gtin} is not one of our products", value))
            return None
        return lines.setdefault(product.id, _Line())

    for index, epc in enumerate(event.get("epcList") or ()):
        unit = SGTIN.match(identifier(str(epc)))
        line = line_for(unit.group(1), f"{path}.epcList[{index}]", str(epc)) if unit else None
        if unit and line is not None:
            line.serials.append(unquote(unit.group(2)))
            line.quantity += 1
        elif unit is None:
            errors.append(FieldError(f"{path}.epcList[{index}]", "is not an SGTIN", str(epc)))
    for index, element in enumerate(event.get("quantityList") or ()):
        where = f"{path}.quantityList[{index}]"
        epc_class = identifier(str(element.get("epcClass")))
        lot = LGTIN.match(epc_class)
        gtin = lot or GTIN_ONLY.match(epc_class)
        line = line_for(gtin.group(1), where, element["epcClass"]) if gtin else None
        if gtin is None:
            errors.append(FieldError(where, "is not a GTIN or LGTIN class", element["epcClass"]))
        elif line is not None and "quantity" in element:
            line.quantity += Decimal(str(element["quantity"]))
            if lot:
                line.lots.append((unquote(lot.group(2)), Decimal(str(element["quantity"]))))
    if errors:
        raise ValidationError(errors)
    if not lines:
        raise ValidationError.single(f"{path}.epcList", "names no units or lots to receive")
    return lines


def _last_word(uri: Any) -> str:
    """`desadv` of `desadv`, `https://ref.gs1.org/cbv/BTT-desadv` or
    `urn:epcglobal:cbv:btt:desadv`."""
    return str(uri or "").rsplit("-", 1)[-1].rsplit(":", 1)[-1]


def _reference(uow: UnitOfWork, event: Mapping[str, Any], key: str) -> str:
    """The supplier's despatch advice number when the event names one, else the event's
    key; made unique among our receipts."""
    advice = [str(entry.get("bizTransaction")) for entry in event.get("bizTransactionList") or ()
              if isinstance(entry, Mapping) and _last_word(entry.get("type")) == "desadv"]
    text = advice[0].rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] if advice else \
        "EPCIS-" + key.rsplit(";", 1)[-1].split("?", 1)[0][-16:]
    reference = clean_number(text[:REFERENCE_LENGTH], "reference")
    if uow.flows.receipt_by_reference(reference) is not None:
        reference = clean_number(f"{reference[:REFERENCE_LENGTH - 17]}-"
                                 f"{key.split('?', 1)[0][-16:]}", "reference")
    return reference
