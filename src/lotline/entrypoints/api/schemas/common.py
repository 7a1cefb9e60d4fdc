"""Shapes every resource shares: pages, problems, exact decimals, addresses, holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, ClassVar, Generic, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from lotline.domain.values import forbidden_character

# Decimals go out as JSON numbers in their shortest exact form (see responses.py).
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]
# Inputs take a JSON number or a numeric string, exact, at most 6 decimal places.
DecimalIn = Annotated[Decimal, Field(max_digits=20, decimal_places=6)]
Text = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=2000)]
Number100 = Annotated[str, Field(max_length=100)]
# One serial-number limit, the service's (domain.values.MAX_NUMBER_LENGTH); a list item may
# also be a range `A..B` of two such numbers, expanded (and each number checked) by the service.
SerialNumberText = Annotated[str, Field(min_length=1, max_length=100)]
SerialNumberItem = Annotated[str, Field(max_length=202, description="a serial number (at most "
                                        "100 characters) or a range A..B of two")]
T = TypeVar("T")


class Input(BaseModel):
    """Request bodies: unknown fields are an error that names them, and no text holds a C0
    control character (tab, LF and CR aside) or a lone surrogate (docs/decisions.md)."""

    model_config = ConfigDict(extra="forbid")
    # Fields holding a barcode reading, where GS (FNC1) is data.
    scan_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _strict_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # Pydantic's lax mode reads `false` as 0 and `"5"` or `5.0` as 5: integers are strict.
        if info.field_name is None:
            return value
        annotation = cls.model_fields[info.field_name].annotation
        if isinstance(value, bool) and not _accepts(annotation, bool):
            raise PydanticCustomError("bool_not_number", "must not be true or false here")
        if _accepts(annotation, int) and not _accepts(annotation, str) \
                and not _accepts(annotation, Decimal) and value is not None \
                and type(value) is not int:
            raise PydanticCustomError("int_type", "must be a whole number (a JSON integer)")
        return value

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value: Any, info: ValidationInfo) -> Any:
        # Nested Input models check their own fields (and name them); this walks the rest.
        problem = _text_problem(value, "", info.field_name in cls.scan_fields)
        if problem is not None:
            raise PydanticCustomError("forbidden_character", problem)
        return value


def _accepts(annotation: Any, kind: type) -> bool:
    """Whether a field's type (through unions, Optional and Annotated) includes `kind`."""
    if annotation is kind:
        return True
    if get_origin(annotation) in (Union, UnionType, Annotated):
        return any(_accepts(arg, kind) for arg in get_args(annotation))
    return False


def _text_problem(value: Any, path: str, scan: bool = False) -> str | None:
    """The first string in a field's value (strings, lists, free-form objects) that holds a
    forbidden character, as a message naming where."""
    if isinstance(value, str):
        problem = forbidden_character(value, scan=scan)
        return None if problem is None else (f"{path}: {problem}" if path else problem)
    items: Any = (value.items() if isinstance(value, dict) else enumerate(value)
                  if isinstance(value, list | tuple) else ())
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        found = (_text_problem(key, where) if isinstance(key, str) else None) \
            or _text_problem(item, where, scan)
        if found is not None:
            return found
    return None


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Output, Generic[T]):
    items: list[T]
    next_cursor: str | None


class FieldProblem(BaseModel):
    field: str
    message: str
    value: Any = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] | None = None
    model_config = ConfigDict(extra="allow")


class AddressIn(Input):
    street: Text | None = None
    city: Text | None = None
    region: Text | None = None
    postal_code: Annotated[str, Field(max_length=40)] | None = None
    country: Text | None = None


class Address(Output):
    street: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None


GlnIn = Annotated[str, Field(max_length=13, description="Global Location Number: 13 digits "
                                                        "with a valid GS1 check digit")]


class Status(Output):
    status: str


class Hold(Output):
    reason: str
    kind: str
    since: dt.datetime


class HoldIn(Input):
    reason: LongText
    kind: Annotated[str, Field(max_length=20)] = "quarantine"


class IdsIn(Input):
    ids: Annotated[list[Annotated[str, Field(max_length=100)]], Field(min_length=1,
                                                                      max_length=1000)]


PROBLEM: dict[str, Any] = {"model": Problem, "content": {"application/problem+json": {
    "schema": {"$ref": "#/components/schemas/Problem"}}}}
