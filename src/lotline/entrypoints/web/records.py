"""What the master-data pages (products, suppliers, customers, locations) share: the fields a
form shows, reading them into the service's arguments, errors put in the user's words beside
their field (`GTIN has a wrong check digit`, never `gtin: ...`), and the paged list's links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.responses import Response

from lotline.domain.errors import Conflict, LotlineError, NotFound, ValidationError
from lotline.entrypoints.web.core import Web, page
from lotline.entrypoints.web.forms import FormState, read_form

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Input:
    """One input of a form: its name (the service's argument), label and kind."""

    name: str
    label: str
    kind: str = "text"  # text, number, email, select
    required: bool = False
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    attrs: str = ""


def form_values(form: FormData, inputs: Sequence[Input]) -> FormState:
    return read_form(form, [i.name for i in inputs])


def changes_of(state: FormState, inputs: Sequence[Input]) -> dict[str, Any]:
    """The service's arguments: text stripped, an empty optional input is None."""
    return {i.name: (state.get(i.name).strip() or None) for i in inputs}


def missing_required(state: FormState, inputs: Sequence[Input]) -> None:
    for item in inputs:
        if item.required and not state.get(item.name).strip():
            state.add(item.name, f"Enter the {item.label.lower()}")


def _said(label: str, message: str) -> str:
    """`has a wrong check digit` beside GTIN reads `GTIN has a wrong check digit`."""
    return message if message[:1].isupper() else f"{label} {message}"


def place(state: FormState, error: LotlineError, inputs: Sequence[Input],
          aliases: Mapping[str, str] | None = None) -> None:
    """A service error beside the input it is about, in words; others above the form."""
    labels = {i.name: i.label for i in inputs}
    names = dict(aliases or {})

    def put(field: str, message: str) -> None:
        last = field.rsplit(".", 1)[-1]
        name = names.get(field, last)
        if message.startswith(f"{last} "):  # "sku 'X' is already used" names it once
            message = message[len(last) + 1:]
        if name in labels:
            state.add(name, _said(labels[name], message))
        else:
            state.add(None, message)

    items = error.details.get("errors") if isinstance(error, Conflict) else None
    if isinstance(error, ValidationError):
        for item in error.errors:
            put(item.field, item.message)
    elif isinstance(items, list) and items:
        for item in items:
            put(str(item.get("field", "")), _conflict_words(str(item.get("message", ""))))
    elif isinstance(error, NotFound):
        put(error.field, f"no such {error.entity}")
    else:
        state.add(None, error.message)


def _conflict_words(message: str) -> str:
    """`sku 'X' is already used by product 0195...` without the internal id."""
    head, _, tail = message.partition(" is already used by product ")
    if tail and not tail.startswith("'"):
        return f"{head} is already used by another product"
    return message


@dataclass(frozen=True, slots=True)
class ListLinks:
    """The search box's value and the pager's links of a list page."""

    path: str
    q: str
    cursor: str
    extra: tuple[tuple[str, str], ...] = ()

    def url(self, cursor: str | None) -> str:
        query = [(k, v) for k, v in (("q", self.q), *self.extra) if v]
        if cursor:
            query.append(("cursor", cursor))
        return self.path + (f"?{urlencode(query)}" if query else "")

    def context(self, next_cursor: str | None) -> dict[str, Any]:
        return {"q": self.q, "next_url": self.url(next_cursor) if next_cursor else None,
                "first_url": self.url(None) if self.cursor else None}


def form_page(web: Web, state: FormState, inputs: Sequence[Input], *, path: str, noun: str,
              record: tuple[str, str] | None, status: int = 200) -> Response:
    """The create form of a record kind at `path` (`/products`, noun `product`), or the edit
    form of `record` (its id and the name its heading shows)."""
    return page(web, "records/form.html", {
        "nav": path.strip("/"), "form": state, "inputs": inputs,
        "heading": f"{noun.capitalize()} {record[1]}" if record else f"New {noun}",
        "action": f"{path}/{record[0]}" if record else f"{path}/new",
        "submit": "Save" if record else f"Create {noun}", "back_url": path,
        "badge": "", "saved": "Saved." if web.request.query_params.get("saved") else ""},
        status=status)
