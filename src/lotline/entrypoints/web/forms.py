"""Forms: the values a user typed (kept on re-render) and errors placed beside their fields.

A service's `ValidationError.errors` names fields by the service's argument names, with dotted
paths for list items (`serial_numbers.3`); `FIELD_ALIASES` of a form maps those onto the form's
own input names. Errors of fields the form does not show go to the top of the form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from lotline.domain.errors import (
    Ambiguous,
    DuplicateSerial,
    LotlineError,
    NotFound,
    ValidationError,
)


@dataclass
class FormState:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            self.general.append(message)
        else:
            self.errors.setdefault(name, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.general

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


def read_form(form: FormData, names: Iterable[str]) -> FormState:
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return FormState(values=values)


def _form_field(name: str, aliases: Mapping[str, str], shown: set[str]) -> str | None:
    """The form input a service field belongs to: itself, an alias, or its list's name."""
    candidates = [name]
    parts = name.split(".")
    candidates += [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
    for candidate in candidates:
        if candidate in aliases:
            return aliases[candidate]
        if candidate in shown:
            return candidate
    return None


def place_error(state: FormState, error: LotlineError, aliases: Mapping[str, str],
                conflict_field: str | None = None) -> None:
    """Put a service error beside the field it is about (or at the top of the form)."""
    shown = set(state.values)
    if isinstance(error, ValidationError):
        for item in error.errors:
            state.add(_form_field(item.field, aliases, shown), item.message)
        return
    if isinstance(error, NotFound):
        target = _form_field(error.field, aliases, shown)
        state.add(target, f"no such {error.entity}" if target else error.message)
        return
    if isinstance(error, DuplicateSerial | Ambiguous) and conflict_field:
        state.add(conflict_field, error.message)
        return
    state.add(conflict_field if conflict_field in shown else None, error.message)


def optional(value: str) -> str | None:
    text = value.strip()
    return text or None


def as_dict(state: FormState) -> dict[str, Any]:
    return {"values": state.values, "errors": state.errors, "general": state.general}
