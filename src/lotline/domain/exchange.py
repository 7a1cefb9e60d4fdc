"""Import and export files: their columns (with the seeds' names as aliases), how a header
maps onto them, and the report an import answers with. Pure: no files, no database."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from lotline.domain.errors import FieldError, ValidationError

MAX_REPORTED_ERRORS = 10_000


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns of one kind of file, in export order."""

    entity: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, *aliases: str, required: bool = False) -> Column:
    return Column(name, aliases, required)


PRODUCT = ("product", "sku", "product_sku", "item_id", "product_id", "item", "gtin_or_sku")
SUPPLIER = ("supplier", "supplier_code", "supplier_id", "supplier_name", "vendor")
LOT = ("batch_number", "lot", "lot_number", "batch", "batch_no", "lot_no")
LOCATION = ("location", "location_code", "bin")
WAREHOUSE = ("warehouse", "warehouse_code")

PRODUCTS = Layout("products", (
    _c("sku", "product_sku", "item_code", required=True), _c("name", "product_name",
                                                            "description", required=True),
    _c("tracking", "tracking_mode"), _c("gtin", "ean", "upc", "barcode"),
    _c("uom", "unit", "unit_of_measure"), _c("removal_strategy", "strategy"),
    _c("shelf_life_days", "shelf_life"), _c("expiry_alert_days", "alert_days"),
    _c("serial_pattern",),
))
LOTS = Layout("lots", (
    _c(PRODUCT[0], *PRODUCT[1:], required=True), _c(LOT[0], *LOT[1:]),
    _c(SUPPLIER[0], *SUPPLIER[1:]),
    _c("manufacturer_batch_number", "manufacturer_lot"),
    _c("internal_batch_number", "internal_lot"), _c("external_batch_number", "external_lot"),
    _c("manufacturing_date", "manufactured_date", "manufacturer_date", "production_date"),
    _c("expiry_date", "expiration_date", "expiry", "best_before", "use_by"),
    _c("quantity", "initial_quantity", "in_quantity", "qty"), _c("unit_cost", "cost"),
    _c("purchase_date", "received_date"), _c("status", "lot_status"),
    _c(WAREHOUSE[0], *WAREHOUSE[1:]), _c(LOCATION[0], *LOCATION[1:]),
))
SERIALS = Layout("serials", (
    _c("serial_number", "serial", "serial_no", "sn", "serialnumber", required=True),
    _c(PRODUCT[0], *PRODUCT[1:]), _c(LOT[0], *LOT[1:]), _c(SUPPLIER[0], *SUPPLIER[1:]),
    _c("status", "serial_status", "state"), _c(WAREHOUSE[0], *WAREHOUSE[1:]),
    _c(LOCATION[0], *LOCATION[1:]), _c("purchase_date", "purchased", "purchased_on"),
    _c("warranty_expiry", "warranty_expiry_date", "warranty_until", "warranty_end"),
    _c("unit_cost", "cost"),
))
# Parties and warehouses with their location description and GLN (FSMA 204, EPCIS).
PLACE_COLUMNS = (
    _c("phone", "telephone", "phone_number"), _c("gln", "global_location_number"),
    _c("street", "street_address", "address"), _c("city", "town"),
    _c("region", "state", "province"), _c("postal_code", "zip", "zip_code", "postcode"),
    _c("country", "country_code"),
)
_PARTY = (_c("name", "business_name", required=True), _c("code"), _c("email", "e_mail"),
          *PLACE_COLUMNS)
SUPPLIERS = Layout("suppliers", (*_PARTY,))
CUSTOMERS = Layout("customers", (*_PARTY, _c("min_remaining_shelf_life_days",
                                             "min_shelf_life_days")))
WAREHOUSES = Layout("warehouses", (_c("code", "warehouse_code", required=True),
                                   _c("name", "business_name"), *PLACE_COLUMNS))
LAYOUTS = {layout.entity: layout for layout in (PRODUCTS, LOTS, SERIALS, SUPPLIERS, CUSTOMERS,
                                                WAREHOUSES)}
LAYOUTS["batches"] = LOTS


def header_key(name: str) -> str:
    """`Serial Number`, `serial-number` and `SERIAL_NUMBER` are the same column."""
    return re.sub(r"[\s\-./]+", "_", name.replace("\ufeff", "").strip().casefold()).strip("_")


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Column name -> index in the file's rows, plus the file's columns nobody reads."""

    index: dict[str, int]
    ignored: list[str]

    def get(self, name: str) -> int | None:
        return self.index.get(name)

    def cells(self, row: list[str], names: Sequence[str]) -> dict[str, str]:
        """The row's non-empty cells of these columns (stripped), by column name."""
        found: dict[str, str] = {}
        for name in names:
            index = self.index.get(name)
            if index is not None and index < len(row) and row[index].strip():
                found[name] = row[index].strip()
        return found


def map_header(header: Sequence[str], layout: Layout,
               required: Sequence[str] = ()) -> HeaderMap:
    """Match the file's header onto a layout; every missing or doubled column at once."""
    lookup = {header_key(alias): column.name for column in layout.columns
              for alias in (column.name, *column.aliases)}
    index: dict[str, int] = {}
    ignored: list[str] = []
    errors: list[FieldError] = []
    for position, raw in enumerate(header):
        name = lookup.get(header_key(raw))
        if name is None:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        if name in index:
            errors.append(FieldError(raw, f"names the column {name!r} a second time "
                                          f"(also column {index[name] + 1})", raw))
            continue
        index[name] = position
    wanted = [c.name for c in layout.columns if c.required] + list(required)
    missing = [name for name in wanted if name not in index]
    if missing:
        errors.append(FieldError("header", "missing required column"
                                 + ("s " if len(missing) > 1 else " ")
                                 + ", ".join(missing) + _delimiter_hint(header), list(header)))
    if errors:
        raise ValidationError(errors)
    return HeaderMap(index, ignored)


def _delimiter_hint(header: Sequence[str]) -> str:
    for mark, label in ((";", "';'"), ("\t", "a tab"), ("|", "'|'"), (",", "','")):
        if len(header) == 1 and mark in header[0]:
            return f" (the header is one column {header[0]!r}: is the delimiter {label}?)"
    return ""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the file's line (CSV) or sheet row (XLSX); 0 for the file as a whole
    column: str | None
    value: str | None
    reason: str


@dataclass
class ImportReport:
    """What an import found and did. `written` is 0 for a dry run and for a failed run:
    an import writes every row or none."""

    entity: str
    file_format: str
    dry_run: bool
    rows: int = 0
    written: int = 0
    movements: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, row: int, column: str | None, value: str | None, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, value, reason))


class ImportFailed(ValidationError):
    """A real (not dry) run that found bad rows: nothing was written. Carries the report."""

    def __init__(self, report: ImportReport) -> None:
        shown = report.errors[:50]
        super().__init__([FieldError(f"row {e.row}" + (f", {e.column}" if e.column else ""),
                                     e.reason, e.value) for e in shown])
        more = report.error_count - len(shown)
        self.message = (f"the {report.entity} file has {report.error_count} problem"
                        f"{'s' if report.error_count != 1 else ''}; nothing was imported: "
                        + "; ".join(_describe(e) for e in shown[:5])
                        + (f" (+{report.error_count - 5} more)" if report.error_count > 5
                           else ""))
        self.details["error_count"] = report.error_count
        self.details["more"] = more
        self.report = report

    def __str__(self) -> str:
        return self.message


def _describe(error: RowError) -> str:
    where = "file" if error.row == 0 else f"row {error.row}"
    column = f" {error.column}" if error.column else ""
    value = f" {error.value!r}" if error.value not in (None, "") else ""
    return f"{where}{column}{value}: {error.reason}"
