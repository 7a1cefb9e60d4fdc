"""`svc.imports`: CSV and XLSX files of products, lots, opening stock and serials.

Every import answers an `ImportReport`. `dry_run=True` checks everything and writes nothing;
a real run writes every row or none: with any bad row it raises `ImportFailed` (a
ValidationError carrying the report). Problems with the file itself (empty, not UTF-8 or
Latin-1, malformed, a formula, an unknown sheet) are reported like bad rows, with their line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from lotline.domain.errors import NotFound, ValidationError
from lotline.domain.exchange import (
    LAYOUTS,
    HeaderMap,
    ImportFailed,
    ImportReport,
    map_header,
)
from lotline.domain.statuses import Role, SerialStatus, parse_enum
from lotline.domain.values import forbidden_character
from lotline.files.tabular import FileProblem, Source, Table, open_table
from lotline.service_layer.base import Service
from lotline.service_layer.exchange_refs import References
from lotline.service_layer.party_imports import check_places, write_places
from lotline.service_layer.record_imports import (
    check_lots,
    check_products,
    write_lots,
    write_products,
)
from lotline.service_layer.serial_import import ProgressFn, SerialImport
from lotline.service_layer.serial_rows import SerialDefaults

Body = Callable[[Table, HeaderMap, ImportReport], None]


@contextmanager
def _opened(source: Source) -> Iterator[IO[bytes]]:
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            yield stream
    else:
        yield source


class ImportService(Service):
    def serials(self, source: Source, *, dry_run: bool = False, batch_id: str | None = None,
                product_id: str | None = None, status: Any = None,
                location_id: str | None = None, file_format: str | None = None,
                sheet: str | None = None, delimiter: str | None = None,
                progress: ProgressFn | None = None, name: str | None = None) -> ImportReport:
        """Serial numbers, one a row (`serial_number`, and `product`, `batch_number`,
        `supplier`, `status`, `warehouse`, `location`, `purchase_date`, `warranty_expiry`,
        `unit_cost` as needed). `batch_id`/`product_id`/`status`/`location_id` are the
        defaults of rows that leave those out."""
        defaults = SerialDefaults(
            batch_id=batch_id, product_id=product_id, location_id=location_id,
            status=SerialStatus.IN_STOCK if status is None else
            parse_enum(SerialStatus, status, "status"))
        reason = f"import of {name or _name(source)}"

        def body(table: Table, header: HeaderMap, report: ImportReport) -> None:
            SerialImport(self.uows, self.actor, report, progress, reason).run(
                table, header, defaults)

        return self._run("serials", source, body, dry_run, (file_format, sheet, delimiter))

    def batches(self, source: Source, *, dry_run: bool = False, file_format: str | None = None,
                sheet: str | None = None, delimiter: str | None = None,
                progress: ProgressFn | None = None) -> ImportReport:
        """Lots (`product`, `batch_number`, `supplier`, dates, `quantity`, `unit_cost`, ...).
        A lot of a product without serials receives its quantity into `location` (default
        the default warehouse's STOCK), as `svc.batches.create` does."""
        return self._lots("lots", source, dry_run, (file_format, sheet, delimiter), progress)

    lots = batches

    def stock(self, source: Source, *, dry_run: bool = False, file_format: str | None = None,
              sheet: str | None = None, delimiter: str | None = None,
              progress: ProgressFn | None = None) -> ImportReport:
        """Opening stock: a lot per row with a quantity received into its location. For a
        product tracked by `none` the lot number may be left out (a cost layer R-nnnnnn)."""
        return self._lots("stock", source, dry_run, (file_format, sheet, delimiter), progress,
                          stock=True)

    def products(self, source: Source, *, dry_run: bool = False,
                 file_format: str | None = None, sheet: str | None = None,
                 delimiter: str | None = None,
                 progress: ProgressFn | None = None) -> ImportReport:
        def body(table: Table, header: HeaderMap, report: ImportReport) -> None:
            rows = check_products(table, header, References(self.uows, self.actor), report,
                                  progress)
            if report.ok and not report.dry_run:
                with self.writing() as uow:
                    write_products(uow, rows)
                report.written = len(rows)

        return self._run("products", source, body, dry_run, (file_format, sheet, delimiter))

    def suppliers(self, source: Source, *, dry_run: bool = False,
                  file_format: str | None = None, sheet: str | None = None,
                  delimiter: str | None = None,
                  progress: ProgressFn | None = None) -> ImportReport:
        """Suppliers (name; code, email, phone, gln, street, city, region, postal_code,
        country)."""
        return self._places("suppliers", source, dry_run, (file_format, sheet, delimiter))

    def customers(self, source: Source, *, dry_run: bool = False,
                  file_format: str | None = None, sheet: str | None = None,
                  delimiter: str | None = None,
                  progress: ProgressFn | None = None) -> ImportReport:
        return self._places("customers", source, dry_run, (file_format, sheet, delimiter))

    def warehouses(self, source: Source, *, dry_run: bool = False,
                   file_format: str | None = None, sheet: str | None = None,
                   delimiter: str | None = None,
                   progress: ProgressFn | None = None) -> ImportReport:
        """Warehouses (code; name, phone, gln, address), each with the standard locations."""
        return self._places("warehouses", source, dry_run, (file_format, sheet, delimiter))

    def _places(self, entity: str, source: Source, dry_run: bool,
                reading: tuple[str | None, str | None, str | None]) -> ImportReport:
        def body(table: Table, header: HeaderMap, report: ImportReport) -> None:
            with self.reading() as uow:
                rows = check_places(entity, table, header, uow, report)
            if report.ok and not report.dry_run:
                with self.writing() as uow:
                    write_places(entity, uow, rows)
                report.written = len(rows)

        return self._run(entity, source, body, dry_run, reading)

    def _lots(self, entity: str, source: Source, dry_run: bool,
              reading: tuple[str | None, str | None, str | None],
              progress: ProgressFn | None, stock: bool = False) -> ImportReport:
        def body(table: Table, header: HeaderMap, report: ImportReport) -> None:
            rows = check_lots(table, header, References(self.uows, self.actor), report,
                              progress, stock)
            if report.ok and not report.dry_run:
                with self.writing() as uow:
                    report.movements = write_lots(uow, rows)
                report.written = len(rows)

        return self._run(entity, source, body, dry_run, reading,
                         required=("quantity",) if stock else ())

    def _run(self, entity: str, source: Source, body: Body, dry_run: bool,
             reading: tuple[str | None, str | None, str | None],
             required: tuple[str, ...] = ()) -> ImportReport:
        self.actor.require(Role.MANAGER, f"importing {entity}")
        file_format, sheet, delimiter = reading
        report = ImportReport(entity, (file_format or "csv").lower(), dry_run)
        with _opened(source) as stream:
            try:
                table = open_table(stream, file_format=file_format, sheet=sheet,
                                   delimiter=delimiter)
                report.file_format = table.format
                header = map_header(table.header, LAYOUTS[entity if entity != "stock"
                                                          else "lots"], required)
                report.ignored_columns = header.ignored
                table.rows = _storable_rows(table.rows, table.header, report)
                body(table, header, report)
            except FileProblem as problem:
                report.add(problem.line or 0, None, None, problem.message)
            except NotFound as missing:
                report.add(0, missing.field, str(missing.value), missing.message)
            except ValidationError as error:
                if isinstance(error, ImportFailed):
                    raise
                for item in error.errors:
                    report.add(1, item.field, _text(item.value), item.message)
        if not report.ok and not dry_run:
            raise ImportFailed(report)
        return report


def _storable_rows(rows: Iterator[tuple[int, list[str]]], header: list[str],
                   report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    """The rows whose every cell follows the text rule of every door; each cell that does
    not is reported with its row and column (and its row left out)."""
    for number, cells in rows:
        if forbidden_character("".join(cells)) is None:  # one search per row, the usual case
            yield number, cells
            continue
        problems = [(index, problem) for index, cell in enumerate(cells)
                    if (problem := forbidden_character(cell)) is not None]
        for index, problem in problems:
            column = header[index] if index < len(header) else f"#{index + 1}"
            report.add(number, column, cells[index], problem)


def _name(source: Source) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return str(getattr(source, "name", "a file"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return ",".join(value) if isinstance(value, list) else str(value)
