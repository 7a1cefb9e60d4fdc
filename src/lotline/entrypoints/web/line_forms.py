"""Forms with lines (a new order, a new receipt): the rows a user filled in, read from
parallel inputs (`product_id`, `quantity`, ... repeated per row), and a service's errors on
`lines.2.quantity` said as `Line 3 (WIDGET-1): quantity must be greater than 0`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from lotline.domain.errors import LotlineError, NotFound, ValidationError
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import Web
from lotline.entrypoints.web.forms import FormState
from lotline.entrypoints.web.records import Input, place

EXTRA_ROWS = 3
MAX_ROWS = 200
VERBS = ("must ", "is ", "has ", "are ", "cannot ", "may ")  # "quantity must be ..."
LINE_FIELD = re.compile(r"^lines\.(\d+)(?:\.(.+))?$")
WORDS = {"product_id": "product", "quantity": "quantity", "expected_quantity": "quantity",
         "unit_price": "unit price", "serial_numbers": "serial numbers",
         "expected_serials": "expected serials", "lots": "lots", "batch_number": "lot",
         "expected_lots": "expected lots", "expiry_date": "expiry"}


@dataclass
class Row:
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def blank(self) -> bool:
        return not any(value.strip() for value in self.values.values())


def read_rows(form: FormData, names: Sequence[str]) -> list[Row]:
    """The rows of the form: the i-th value of each repeated input makes row i."""
    columns = {name: [v if isinstance(v, str) else "" for v in form.getlist(name)]
               for name in names}
    count = min(max((len(values) for values in columns.values()), default=0), MAX_ROWS)
    return [Row({name: (values[i] if i < len(values) else "")
                 for name, values in columns.items()}) for i in range(count)]


def padded(rows: list[Row], names: Sequence[str], extra: int = EXTRA_ROWS) -> list[Row]:
    """The rows to show: the filled ones and `extra` blank ones to fill in."""
    kept = [row for row in rows if not row.blank or row.errors]
    return kept + [Row(dict.fromkeys(names, "")) for _ in range(extra)]


def place_line_errors(error: LotlineError, rows: list[Row], general: list[str],
                      product_name: Callable[[str], str]) -> None:
    """Each error beside its row, in words that name the line and its product."""
    items = error.errors if isinstance(error, ValidationError) else []
    if isinstance(error, NotFound):
        items = []
        general.append(f"No such {error.entity}" if LINE_FIELD.match(error.field)
                       else error.message)
    for item in items:
        found = LINE_FIELD.match(item.field)
        if found is None or int(found.group(1)) >= len(rows):
            general.append(item.message if item.field in ("lines", "") else
                           f"{WORDS.get(item.field, item.field.replace('_', ' '))}: "
                           f"{item.message}")
            continue
        row = rows[int(found.group(1))]
        what = (found.group(2) or "").split(".")
        named = " ".join(WORDS.get(part, part) for part in what if not part.isdigit())
        joint = " " if item.message.startswith(VERBS) else ": "
        row.errors.append(f"{named}{joint}{item.message}" if named else item.message)
    if not items and not isinstance(error, NotFound):
        general.append(error.message)
    for index, row in enumerate(rows):
        if row.errors:
            name = product_name(row.get("product_id"))
            label = f"Line {index + 1}" + (f" ({name})" if name else "")
            row.errors = [f"{label}: {message}" for message in row.errors]


def about_lines(error: LotlineError) -> bool:
    """Whether a service error is about the lines (then it is said per line)."""
    if isinstance(error, ValidationError):
        return any(item.field.startswith("lines") for item in error.errors)
    return isinstance(error, NotFound) and error.field.startswith("lines.")


def place_form_error(web: Web, state: FormState, rows: list[Row], error: LotlineError,
                     head: Sequence[Input]) -> None:
    """A service's error on a form with lines: per line when it is about the lines, else
    beside the head field (of `head`) it names."""
    names = lookups.Names(web.svc)

    def sku(product_id: str) -> str:
        product = names.product(product_id)
        return product.sku if product else ""

    if about_lines(error):
        place_line_errors(error, rows, state.general, sku)
    else:
        place(state, error, head)
