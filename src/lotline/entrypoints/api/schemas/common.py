"""Shapes every resource shares: pages, problems, exact decimals, addresses, holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

# Decimals go out as JSON numbers in their shortest exact form (see responses.py).
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]
# Inputs take a JSON number or a numeric string, exact, at most 6 decimal places.
DecimalIn = Annotated[Decimal, Field(max_digits=20, decimal_places=6)]
Text = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=2000)]
Number100 = Annotated[str, Field(max_length=100)]
T = TypeVar("T")


class Input(BaseModel):
    """Request bodies: unknown fields are an error that names them."""

    model_config = ConfigDict(extra="forbid")


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
    street: LongText | None = None
    city: Text | None = None
    postal_code: Annotated[str, Field(max_length=40)] | None = None
    country: Text | None = None


class Address(Output):
    street: str | None
    city: str | None
    postal_code: str | None
    country: str | None


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
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {**PROBLEM, "description": text} for status, text in (
        (401, "No or bad credentials"), (403, "Role too low"), (404, "Unknown id"),
        (409, "Conflict with the current state"), (413, "Body too large"),
        (422, "Invalid input"), (429, "Too many requests"),
        (503, "Database out of reach; retry after Retry-After seconds"))
}
