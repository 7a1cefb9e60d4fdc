"""Validation against GS1's official EPCIS 2.0 JSON schema (bundled unchanged beside this
module, see epcis/NOTICE.md): the document without its events, then each event by itself, so a
streamed document is checked event by event with the same rules as the whole (DESIGN §9)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator

MAX_ERRORS_PER_EVENT = 10
COMPOSITE = frozenset({"anyOf", "oneOf", "allOf", "not", "if"})


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    path: str  # JSONPath of the offending value, `$.epcisBody.eventList[3].eventTime`
    message: str


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("lotline.files").joinpath("epcis/EPCIS-JSON-Schema.json")
    return json.loads(text.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def _document_validator() -> Draft7Validator:
    return Draft7Validator(_schema(), format_checker=Draft7Validator.FORMAT_CHECKER)


@cache
def _event_validator() -> Draft7Validator:
    # An event inside a document: the schema's own definition for eventList items.
    schema = {"$ref": "#/definitions/EPCIS-Document-Event",
              "definitions": _schema()["definitions"]}
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _issues(validator: Draft7Validator, instance: Any, prefix: str) -> list[SchemaIssue]:
    found = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))
    # A composite rule (anyOf...) fails along with the specific rule that made it fail: the
    # specific one says what to fix, so the composite is listed only when alone.
    specific = [error for error in found if error.validator not in COMPOSITE]
    return [SchemaIssue(prefix + error.json_path[1:], _message(error))
            for error in (specific or found)[:MAX_ERRORS_PER_EVENT]]


def _message(error: Any) -> str:
    # jsonschema writes the whole instance into the messages of composite rules.
    if error.validator in COMPOSITE:
        return f"matches none of the forms the schema allows here ({error.validator})"
    text: str = error.message
    return text if len(text) <= 300 else text[:297] + "..."


def document_issues(header: dict[str, Any]) -> list[SchemaIssue]:
    """The document's own members (its events checked one by one with `event_issues`)."""
    return _issues(_document_validator(), header, "$")


def event_issues(event: Any, index: int) -> list[SchemaIssue]:
    return _issues(_event_validator(), event, f"$.epcisBody.eventList[{index}]")


def query_document_issues(document: dict[str, Any]) -> list[SchemaIssue]:
    """A whole document lotline writes (tests and self-checks)."""
    return _issues(_document_validator(), document, "$")
