"""Validation against GS1's official EPCIS 2.0 JSON schema (bundled unchanged beside this
module, see epcis/NOTICE.md): the document without its events, then each event by itself, so a
streamed document is checked event by event with the same rules as the whole (DESIGN §9)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from jsonschema import Draft7Validator

MAX_ERRORS_PER_EVENT = 10
COMPOSITE = frozenset({"anyOf", "oneOf", "allOf", "not", "if"})
MAX_INLINE_DEPTH = 40
STANDARD_TYPES = frozenset({"ObjectEvent", "AggregationEvent", "TransactionEvent",
                            "TransformationEvent", "AssociationEvent"})


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    path: str  # JSONPath of the offending value, `$.epcisBody.eventList[3].eventTime`
    message: str


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("lotline.files").joinpath("epcis/EPCIS-JSON-Schema.json")
    return json.loads(text.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _validator(schema: dict[str, Any]) -> Draft7Validator:
    # Imported here: jsonschema's format checkers build their grammars when imported (about a
    # second), which every `lotline` command would pay otherwise.
    from jsonschema import Draft7Validator

    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


@cache
def _document_validator() -> Draft7Validator:
    return _validator(_schema())


@cache
def _event_schema(event_type: str) -> dict[str, Any]:
    """An event inside a document: the schema's definition of eventList items
    (EPCIS-Document-Event), whose `if type is X then X` branches are taken here once per type
    rather than tried for every event (the same verdicts, a third of the work)."""
    definitions = _schema()["definitions"]
    branch = event_type if event_type in STANDARD_TYPES else "EPCIS-Document-Event"
    return {**_inlined({"$ref": f"#/definitions/{branch}"}, definitions, 0),
            "definitions": definitions}


@cache
def _event_validator(event_type: str) -> Draft7Validator:
    return _validator(_event_schema(event_type))


@cache
def _event_check(event_type: str) -> Callable[[Any], bool]:
    """Whether an event is valid, by jsonschema-rs (compiled, some twenty times faster), its
    formats checked by jsonschema's own checkers: only its yes is taken (an event it finds
    valid has no issue); any other is checked again by jsonschema, which says what is wrong
    in the words and paths lotline has always given (and has the last word)."""
    import jsonschema_rs

    checker = _event_validator(event_type).format_checker
    assert checker is not None
    schema = _event_schema(event_type)
    formats = {name: _format_check(checker, name) for name in _formats(schema)}
    fast = jsonschema_rs.Draft7Validator(schema, formats=formats, validate_formats=True)

    def valid(event: Any) -> bool:
        try:
            return bool(fast.is_valid(event))
        except (ValueError, TypeError, OverflowError):  # NaN, a huge number: jsonschema says
            return False
    return valid


def _format_check(checker: Any, name: str) -> Callable[..., bool]:
    """jsonschema's check of one format, remembered: the schema's alternatives ask it some
    ten times an event, mostly of values met before (keys, CBV words, places)."""
    @lru_cache(maxsize=256)  # few: a capture holds no more per event it reads
    def conforms(value: str) -> bool:
        return bool(checker.conforms(value, name))
    return conforms


def _formats(node: Any) -> set[str]:
    """Every format the schema names (each checked by jsonschema's checker, not Rust's)."""
    if isinstance(node, dict):
        named = {node["format"]} if isinstance(node.get("format"), str) else set()
        return named.union(*(_formats(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_formats(value) for value in node))
    return set()


def _inlined(node: Any, definitions: dict[str, Any], depth: int) -> Any:
    """The schema with each lone `$ref` replaced by its definition: the same rules, checked
    in half the time (resolving references is most of jsonschema's work). A `$ref` with
    siblings, or nested deeper than any the schema has, stays a reference."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and len(node) == 1 and ref.startswith("#/definitions/") \
                and depth < MAX_INLINE_DEPTH:
            name = unquote(ref.removeprefix("#/definitions/"))
            return _inlined(definitions[name], definitions, depth + 1)
        return {key: _inlined(value, definitions, depth) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(value, definitions, depth) for value in node]
    return node


def _issues(validator: Draft7Validator, instance: Any, prefix: str) -> list[SchemaIssue]:
    found = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))
    # A composite rule (anyOf...) fails along with the specific rule that made it fail: the
    # specific one says what to fix, so the composite is listed only when alone.
    specific = [error for error in found if error.validator not in COMPOSITE]
    return [SchemaIssue(prefix + error.json_path[1:], _message(error))
            for error in (specific or found)[:MAX_ERRORS_PER_EVENT]]


def _message(error: Any) -> str:
    # jsonschema writes the whole instance into the messages of composite rules.
    text: str = error.message
    if error.validator in COMPOSITE and len(text) > 200:
        return f"matches none of the forms the schema allows here ({error.validator})"
    return text if len(text) <= 300 else text[:297] + "..."


def document_issues(header: dict[str, Any]) -> list[SchemaIssue]:
    """The document's own members (its events checked one by one with `event_issues`)."""
    return _issues(_document_validator(), header, "$")


def event_issues(event: Any, index: int) -> list[SchemaIssue]:
    event_type = event.get("type") if isinstance(event, dict) else None
    branch = event_type if isinstance(event_type, str) else ""
    if _event_check(branch)(event):
        return []
    return _issues(_event_validator(branch), event, f"$.epcisBody.eventList[{index}]")


def query_document_issues(document: dict[str, Any]) -> list[SchemaIssue]:
    """A whole document lotline writes (tests and self-checks)."""
    return _issues(_document_validator(), document, "$")
