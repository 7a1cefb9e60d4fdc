"""A lone surrogate, a NUL and every other C0 control (tab, LF and CR aside) sent into every
string of every operation in /openapi.json — body fields at any depth, path and query
parameters — is a 422 naming each field, never a 5xx (issue 17, finding 5).

One request per character and operation poisons every body string at once (pydantic reports
each field); another poisons every path and query parameter. A lone surrogate cannot travel
in a URL (its UTF-8 bytes do not exist; the server reads U+FFFD), so for parameters it only
has to leave the server standing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from api_kit import API, Api

FORBIDDEN = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\ud800"]
SURROGATE = "\ud800"
NOT_FIRST = {401, 403, 404}
GS = "\x1d"  # GS1's FNC1 separator: data in a barcode reading (`data` of the scan routes)
SCAN_FIELDS = frozenset({"data"})


def poisoned(char: str) -> str:
    return f"a{char}b"


class BodyBuilder:
    """A JSON body holding every property of a request schema, strings poisoned."""

    def __init__(self, document: dict[str, Any], char: str) -> None:
        self.schemas = document["components"]["schemas"]
        self.char = char
        self.paths: list[str] = []

    def build(self, schema: dict[str, Any], path: str = "", depth: int = 0) -> Any:
        if "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[-1]]
        options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
        if options:
            return self.build(options[0], path, depth)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            if depth > 4:
                return {}
            return {name: self.build(prop, f"{path}.{name}".lstrip("."), depth + 1)
                    for name, prop in schema.get("properties", {}).items()}
        if kind == "array":
            return [self.build(schema.get("items", {}), f"{path}.0", depth + 1)]
        if kind == "string":
            self.paths.append(path)
            return poisoned(self.char)
        if kind in ("integer", "number"):
            return 1
        if kind == "boolean":
            return True
        return None


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, items in document["paths"].items():
        if path.startswith(API):
            for method, operation in items.items():
                yield method.upper(), path, operation


def named(errors: list[dict[str, Any]], field: str) -> bool:
    return any(field == e["field"] or field.startswith(e["field"] + ".") for e in errors)


def check_answer(label: str, response: Any, fields: list[str], failures: list[str]) -> None:
    if response.status_code >= 500:
        failures.append(f"{label}: {response.status_code}")
    elif response.status_code == 422:
        errors = response.json().get("errors") or []
        missing = [f for f in fields if not named(errors, f)]
        if missing:
            failures.append(f"{label}: 422 does not name {missing}: {errors}")
    elif response.status_code not in NOT_FIRST:
        failures.append(f"{label}: {response.status_code} {response.text[:200]}")


def poison_parameters(api: Api, method: str, path: str, operation: dict[str, Any],
                      char: str, failures: list[str]) -> int:
    # Every path parameter, and the query parameters that take text (not numbers, booleans).
    parameters = [p for p in operation.get("parameters", []) if p["in"] == "path" or (
        p["in"] == "query" and p.get("schema", {}).get("type") in ("string", None))]
    if not parameters:
        return 0
    value = quote(poisoned(char), safe="", errors="surrogatepass")
    url = path
    query = []
    for parameter in parameters:
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", value)
        else:
            query.append(f"{parameter['name']}={value}")
    response = api.client.request(method, url + ("?" + "&".join(query) if query else ""),
                                  headers=api.tenant.headers("admin"))
    label = f"{method} {path} params U+{ord(char):04X}"
    if char == SURROGATE:
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code}")
    else:
        check_answer(label, response, [p["name"] for p in parameters
                                       if char != GS or p["name"] not in SCAN_FIELDS], failures)
    return 1


def poison_body(api: Api, document: dict[str, Any], method: str, path: str,
                operation: dict[str, Any], char: str, failures: list[str]) -> int:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return 0
    builder = BodyBuilder(document, char)
    body = builder.build(content["schema"])
    if not builder.paths:
        return 0
    raw = json.dumps(body, ensure_ascii=True)  # a lone surrogate travels as \ud800
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", "no-such-id")
    response = api.client.request(method, url, content=raw.encode(), headers={
        **api.tenant.headers("admin"), "content-type": "application/json"})
    fields = [f for f in builder.paths if char != GS or f not in SCAN_FIELDS]
    if fields:
        check_answer(f"{method} {path} body U+{ord(char):04X}", response, fields, failures)
    elif response.status_code >= 500:
        failures.append(f"{method} {path} body U+{ord(char):04X}: {response.status_code}")
    return 1


def test_forbidden_characters_in_every_string_are_a_422_naming_it(api: Api) -> None:
    document = api.app.openapi()
    failures: list[str] = []
    sent = 0
    for method, path, operation in operations(document):
        for char in FORBIDDEN:
            sent += poison_parameters(api, method, path, operation, char, failures)
            sent += poison_body(api, document, method, path, operation, char, failures)
    print(f"control-character fuzz: {sent} requests")
    assert failures == [], f"{len(failures)} failures:\n" + "\n".join(failures[:40])
    assert sent > 2000, sent
