"""The EPCIS event hash (`eventID` = `ni:///sha-256;{hex}?ver=CBV2.0`), the canonicalisation
published with EPCIS 2.0, computed exactly as the reference implementation
`epcis-event-hash-generator` (1.9) computes it for a JSON-LD event — its quirks included, since
a partner checks our eventIDs with it:

- the pre-hash string is `eventType=…`, then the properties of PROPERTY_ORDER that it matches
  (`name=value`, lists as `name` + their sorted children), then every other property
  (`ilmd`, and `bizTransactionList`/`sourceList`/`destinationList`, which its order table
  names but never matches) rendered generically and sorted as strings;
- bare CBV words (`shipping`, `in_transit`, `po`, `owning_party`) become their web vocabulary
  URIs, and so does any other string of the event that equals one of them;
- numbers lose leading/trailing zeros (a lot number `007` hashes as `7`), times are UTC with
  milliseconds, GS1 keys become canonical `https://id.gs1.org/…` Digital Links (epc_uri).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from lotline.domain.epcis_uri import canonical_gs1_uri

CBV = "https://ref.gs1.org/cbv/"
BIZ_STEPS = frozenset((
    "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
    "creating_class_instance", "cycle_counting", "decommissioning", "departing", "destroying",
    "disassembling", "dispensing", "encoding", "entering_exiting", "holding", "inspecting",
    "installing", "killing", "loading", "other", "packing", "picking", "receiving", "removing",
    "repackaging", "repairing", "replacing", "reserving", "retail_selling", "shipping",
    "staging_outbound", "stock_taking", "stocking", "storing", "transporting", "unloading",
    "unpacking", "void_shipping", "sensor_reporting", "sampling"))
DISPOSITIONS = frozenset((
    "active", "container_closed", "damaged", "destroyed", "dispensed", "disposed", "encoded",
    "expired", "in_progress", "in_transit", "inactive", "no_pedigree_match",
    "non_sellable_other", "partially_dispensed", "recalled", "reserved", "retail_sold",
    "returned", "sellable_accessible", "sellable_not_accessible", "stolen", "unknown",
    "available", "completeness_verified", "completeness_inferred", "conformant",
    "container_open", "mismatch_instance", "mismatch_class", "mismatch_quantity",
    "needs_replacement", "non_conformant", "unavailable"))
TRANSACTION_TYPES = frozenset((
    "bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma",
    "testprd", "testres", "upevt"))
PARTY_TYPES = frozenset(("owning_party", "possessing_party", "location"))

EPCS, QUANTITIES, IDENTIFIED, SIMPLE = "epcs", "quantities", "identified", "simple"
SET_UNSET = "set_unset"
PROPERTY_ORDER = (
    ("eventTime", SIMPLE), ("eventTimeZoneOffset", SIMPLE), ("certificationInfo", SIMPLE),
    ("parentID", SIMPLE), ("epcList", EPCS), ("inputEPCList", EPCS), ("childEPCs", EPCS),
    ("quantityList", QUANTITIES), ("childQuantityList", QUANTITIES),
    ("inputQuantityList", QUANTITIES), ("outputEPCList", EPCS),
    ("outputQuantityList", QUANTITIES), ("action", SIMPLE), ("transformationID", SIMPLE),
    ("bizStep", SIMPLE), ("disposition", SIMPLE), ("persistentDisposition", SET_UNSET),
    ("readPoint", IDENTIFIED),
    ("bizLocation", IDENTIFIED),
)
QUANTITY_ORDER = ("epcClass", "quantity", "uom")
COMMENTS = frozenset(("#text", "rdfs:comment", "comment"))
NOT_HASHED = frozenset(("type", "eventID", "recordTime", "errorDeclaration")) | COMMENTS
UNSORTED_CHILDREN = frozenset(("bizTransaction", "source", "destination"))


def event_hash(event: Mapping[str, Any], context: Any = None) -> str:
    """The event's `eventID`: the SHA-256 of its pre-hash string, as a `ni:` URI. `context`
    is the document's `@context` (its prefixes name extension fields)."""
    digest = hashlib.sha256(pre_hash(event, context).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def namespaces(context: Any) -> dict[str, str]:
    """The prefixes an `@context` list declares (`{"example": "http://ns.example.com/"}`)."""
    found: dict[str, str] = {}
    for entry in context if isinstance(context, list) else []:
        if isinstance(entry, Mapping):
            found.update({key: str(value) for key, value in entry.items()})
    return found


def _expand_prefixes(value: Any, prefixes: dict[str, str]) -> Any:
    """`example:myField` → `{http://ns.example.com/}myField` for keys, and the bare URI for
    values, as the reference reads extension fields."""
    if isinstance(value, str):
        head, colon, tail = value.partition(":")
        return prefixes[head] + tail if colon and head in prefixes else value
    if isinstance(value, list):
        return [_expand_prefixes(item, prefixes) for item in value]
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            head, colon, tail = key.partition(":")
            name = "{" + prefixes[head] + "}" + tail if colon and head in prefixes else key
            result[name] = _expand_prefixes(item, prefixes)
        return result
    return value


def pre_hash(event: Mapping[str, Any], context: Any = None) -> str:
    prefixes = namespaces(context)
    if prefixes:
        event = _expand_prefixes(event, prefixes)
    # The vocabulary replaces strings as each is read (`_swap`), not in a copy of the whole
    # event first: the same text, at half the cost of an export's tens of thousands of events.
    endings = _endings(frozenset(_vocabulary(event)))
    parts = [f"eventType={_swap(event['type'], endings)}"]
    skipped = set(NOT_HASHED)
    for name, shape in PROPERTY_ORDER:
        if name in event:
            parts.append(_ordered(name, shape, event[name], endings))
            skipped.add(name)
    rest = [text for name, value in event.items() if name not in skipped
            for text in _generic(name, value, endings)]
    return "".join(parts) + "".join(sorted(rest))


# What an event's properties other than these say is the same across many events of an
# export (a recall drill's 40,000 shipments have a few places, steps and customers each).
VARYING = frozenset(("eventTime", "eventTimeZoneOffset", "epcList", "quantityList"))
# Lists of (type, id) pairs: the key tells their types (the vocabulary), not their ids (an
# order's, a customer's), so a drill's 40,000 shipments to 10,000 customers share a few keys.
PAIRED = ("bizTransactionList", "sourceList", "destinationList")
# The key's endings, eventType, ordered texts, rest (as texts and joined), kept pairs, and
# its plan: PROPERTY_ORDER's names it may have, each with its text when the key tells it.
Fixed = tuple[dict[str, str], str, dict[str, str], list[str], str, dict[Any, str],
              list[tuple[str, str, str | None]]]
_KEYED: dict[Any, Fixed] = {}
KEYED_KEPT = 65536
TIMES_KEPT = 64
PAIRS_KEPT = 65536  # a drill's customers and orders


def keyed_event_hash(event: Mapping[str, Any], key: Any) -> str:
    """`event_hash(event)` of an event without `@context` prefixes whose properties outside
    VARYING and PAIRED, and the types in its PAIRED lists, are all told by `key`: what those
    render to is worked out once per key, and only the time, units, quantities and pairs per
    event. The pre-hash is `pre_hash`'s, piece by piece."""
    fixed = _KEYED.get(key)
    if fixed is None:
        if len(_KEYED) >= KEYED_KEPT:
            _KEYED.clear()  # another export's events, mostly: start again
        fixed = _KEYED[key] = _fixed_parts(event)
    endings, head, ordered, rest, joined, texts, plan = fixed
    parts = [head]
    for name, shape, text in plan:
        if text is not None:
            parts.append(text)
        elif name in event:
            value = event[name]
            if type(value) is str:  # a time: the events of one act share it
                text = ordered.get(name + "=" + value)
                if text is None:
                    text = _ordered(name, shape, value, endings)
                    if len(ordered) < TIMES_KEPT:  # a key's events are mostly of few acts
                        ordered[name + "=" + value] = text
                parts.append(text)
            else:
                parts.append(_ordered(name, shape, value, endings))
    paired = [_paired(name, event[name], endings, texts) for name in PAIRED if name in event]
    text = "".join(parts) + ("".join(sorted(rest + paired)) if paired else joined)
    return f"ni:///sha-256;{hashlib.sha256(text.encode('utf-8')).hexdigest()}?ver=CBV2.0"


def _paired(name: str, value: Any, endings: dict[str, str], texts: dict[Any, str]) -> str:
    """`_generic`'s text of a PAIRED list, kept by its pairs (a customer's, met again in
    each of its orders' shipments)."""
    key = (name, *[tuple(entry.items()) for entry in value]) if type(value) is list else None
    text = texts.get(key) if key is not None else None
    if text is None:
        text = _generic(name, value, endings)[0]
        if key is not None:
            if len(texts) >= PAIRS_KEPT:
                texts.clear()
            texts[key] = text
    return text


def _fixed_parts(event: Mapping[str, Any]) -> Fixed:
    """What `pre_hash` makes of the event outside VARYING and PAIRED: the vocabulary's
    endings, the eventType, the ordered properties by name (and, as met, the times by
    `name=value`), and the rest, as texts and sorted and joined."""
    endings = _endings(frozenset(_vocabulary(event)))
    ordered = {name: _ordered(name, shape, event[name], endings)
               for name, shape in PROPERTY_ORDER if name in event and name not in VARYING}
    skipped = NOT_HASHED | {name for name, _shape in PROPERTY_ORDER} | set(PAIRED)
    rest = [text for name, value in event.items() if name not in skipped
            for text in _generic(name, value, endings)]
    return (endings, f"eventType={_swap(event['type'], endings)}", ordered, rest,
            "".join(sorted(rest)), {},
            [(name, shape, ordered.get(name)) for name, shape in PROPERTY_ORDER
             if name in VARYING or name in ordered])


def _vocabulary(event: Mapping[str, Any]) -> set[str]:
    """The web vocabulary URIs the event's bare CBV words stand for (what JSON-LD expansion
    of the EPCIS context gives the reference implementation)."""
    found: set[str] = set()
    for key, prefix, words in (("bizStep", "BizStep-", BIZ_STEPS),
                               ("disposition", "Disp-", DISPOSITIONS)):
        if event.get(key) in words:
            found.add(f"{CBV}{prefix}{event[key]}")
    persistent = event.get("persistentDisposition") or {}
    for word in [*persistent.get("set", []), *persistent.get("unset", [])]:
        if word in DISPOSITIONS:
            found.add(f"{CBV}Disp-{word}")
    for key, prefix, words in (("bizTransactionList", "BTT-", TRANSACTION_TYPES),
                               ("sourceList", "SDT-", PARTY_TYPES),
                               ("destinationList", "SDT-", PARTY_TYPES)):
        for entry in event.get(key) or []:
            if entry.get("type") in words:
                found.add(f"{CBV}{prefix}{entry['type']}")
    return found


@lru_cache(maxsize=256)
def _endings(vocabulary: frozenset[str]) -> dict[str, str]:
    """Each text that exactly one URI of `vocabulary` ends with after a `-` or `/`, with that
    URI: one look-up per string of the event instead of a scan of the vocabulary (an event's
    vocabulary is one of few sets, so this is computed once per set)."""
    found: dict[str, set[str]] = {}
    for uri in vocabulary:
        for position, char in enumerate(uri):
            if char in "-/":
                found.setdefault(uri[position + 1:], set()).add(uri)
    return {text: next(iter(uris)) for text, uris in found.items() if len(uris) == 1}


def _swap(value: Any, endings: dict[str, str]) -> Any:
    """A value of the event as the reference reads it: every string that exactly one URI of
    the event's vocabulary ends with (after `-` or `/`) replaced by that URI, wherever it
    stands (the reference's heuristic)."""
    return endings.get(value, value) if type(value) is str else _replaced(value, endings)


NO_ENDINGS: dict[str, str] = {}


def _replaced(value: Any, endings: dict[str, str]) -> Any:
    # Strings inside lists and objects are looked up in place, without a call each: an export
    # hashes tens of thousands of events of some twenty strings.
    if isinstance(value, str):
        return endings.get(value, value)
    if isinstance(value, list):
        return [endings.get(item, item) if type(item) is str else _replaced(item, endings)
                for item in value]
    if isinstance(value, Mapping):
        return {key: endings.get(item, item) if type(item) is str else _replaced(item, endings)
                for key, item in value.items()}
    return value


def _ordered(name: str, shape: str, value: Any, endings: dict[str, str]) -> str:
    """One property of PROPERTY_ORDER; `endings` replaced as each value is read (the
    shapes read otherwise than as lists of values are replaced whole first)."""
    if shape == EPCS and _own_forms(value, endings):  # sorted as they are, behind "epc="
        return name + "epc=" + "epc=".join(sorted(value))
    if (shape in (EPCS, QUANTITIES) and type(value) is not list) or shape == SET_UNSET:
        value, endings = _replaced(value, endings), NO_ENDINGS
    if shape == EPCS:
        return name + "".join(sorted([_epc_text(item, endings) for item in value]))
    if shape == QUANTITIES:
        return name + "".join(sorted(
            _quantity(element, endings) if isinstance(element, Mapping)
            else _quantity(_swap(element, endings), NO_ENDINGS) for element in value))
    if shape == SET_UNSET:
        return name + "".join("".join(sorted(f"{key}={canonical_value(_text(item))}"
                                             for item in value.get(key, [])))
                              for key in ("set", "unset"))
    if shape == IDENTIFIED:
        ident = _text(_swap(value.get("id"), endings))
        return f"{name}id={canonical_value(ident)}" if ident else ""
    text = _text(_swap(value, endings))
    if not text:
        return ""
    if "time" in name.lower() and "offset" not in name.lower():
        return f"{name}={canonical_time(text)}"
    return f"{name}={canonical_value(text)}"


def _own_form(text: str, endings: dict[str, str]) -> bool:
    """Whether `text` is its own canonical EPC text: a `urn:` other than an EPC URN, with no
    old CBV URN in it, no blank (nothing to strip) and no word of the vocabulary (a unit of
    our own, `urn:lotline:…`, its codes percent-encoded): canonical_epc leaves such a text as
    it is, and an export's 100,000 units are read at a fraction of its cost."""
    return _OWN_FORM.fullmatch(text) is not None and "urn:epcglobal:cbv:" not in text \
        and text not in endings


def _own_forms(value: Any, endings: dict[str, str]) -> bool:
    """Whether `value` is a non-empty list of `_own_form` strings, told in a few scans of
    the whole list (a shipment's units, a registration's 100,000)."""
    if type(value) is not list or not value:
        return False
    try:  # a blank between them: what no own form has, so each is told apart
        joined = " ".join(value)
    except TypeError:  # not all strings
        return False
    spaced = " " + joined
    # None empty or with a blank in it (`split` and `strip` tell blanks alike): then each
    # starts after a blank, a `urn:`, none `urn:epc:`.
    return joined.split() == value and spaced.count(" urn:") == len(value) \
        and " urn:epc:" not in spaced and "urn:epcglobal:cbv:" not in joined \
        and endings.keys().isdisjoint(value)


# `\S` is what `str.strip` strips (Unicode whitespace), by the same test.
_OWN_FORM = re.compile(r"urn:(?!epc:)\S*")


def _epc_text(item: Any, endings: dict[str, str]) -> str:
    """`epc=` and the canonical text of one item of an EPC list ("" for an empty one)."""
    swapped = _swap(item, endings)
    text = swapped.strip() if type(swapped) is str else _text(swapped)
    return "epc=" + canonical_epc(text) if text else ""


def _quantity(element: Mapping[str, Any], endings: dict[str, str]) -> str:
    texts = [_text(_swap(element[key], endings)) if key in element else ""
             for key in QUANTITY_ORDER]
    return "quantityElement" + "".join(f"{key}={canonical_value(text)}"
                                       for key, text in zip(QUANTITY_ORDER, texts, strict=True)
                                       if text)


def _generic(name: str, value: Any, endings: dict[str, str]) -> list[str]:
    """A property outside the order table: lists repeat the name, objects nest, and the
    members of `{type, source}`-like pairs keep their own order."""
    if isinstance(value, list):
        if name in ("bizTransactionList", "sourceList", "destinationList"):
            entries = [_pair(entry, endings) for entry in value]
            return [name + "".join(sorted(entries) if len(entries) > 1 else entries)]
        return [text for item in value for text in _generic(name, item, endings)]
    if isinstance(value, Mapping):
        children = [text for key, item in value.items() if key not in COMMENTS
                    for text in _generic(key, item, endings)]
        if len(children) > 1 and not UNSORTED_CHILDREN & set(value):
            children.sort()
        return [name + "".join(children)]
    text = _text(_swap(value, endings))
    return [f"{name}={canonical_value(text)}" if text else name]


def _pair(entry: Mapping[str, Any], endings: dict[str, str]) -> str:
    return "".join([_member(key, item, endings) for key, item in entry.items()])


def _member(key: str, item: Any, endings: dict[str, str]) -> str:
    """One member of a `{type, source}`-like pair (an order's URN: its own form)."""
    if type(item) is str and _own_form(item, endings):
        return f"{key}={item}"
    text = _text(_swap(item, endings))
    return f"{key}={canonical_value(text)}" if text else key


def _text(value: Any) -> str:
    """A JSON value as the reference reads it: str() of what json.loads gives."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return "None"
    if isinstance(value, bool):
        return str(value)
    return str(value).strip()


def canonical_epc(text: str) -> str:
    """Old CBV URNs as web vocabulary, numbers without padding, GS1 keys as canonical
    Digital Links (`canonical_value` without its cache: each unit's EPC is met once or twice
    an export, where the cache would cost more than it saves and crowd out what repeats)."""
    if "urn:epcglobal:cbv:" in text:
        for urn, web in (("urn:epcglobal:cbv:bizstep:", "BizStep-"),
                         ("urn:epcglobal:cbv:disp:", "Disp-"),
                         ("urn:epcglobal:cbv:btt:", "BTT-"), ("urn:epcglobal:cbv:sdt:", "SDT-"),
                         ("urn:epcglobal:cbv:er:", "ER-")):
            text = text.replace(urn, CBV + web)
    text = _number(text)
    return canonical_gs1_uri(text) or text


# Cached: most of an export's values (places, parties, steps) repeat.
canonical_value = lru_cache(maxsize=16384)(canonical_epc)


# What float() reads starts with a blank, a sign, a digit, a point, `inf`/`infinity` or `nan`
# (or a non-ASCII digit or blank): any other first character is no number, and costs no
# exception.
_NUMBER_START = frozenset("+-.0123456789iInN")


def _number(text: str) -> str:
    if not text:
        return text
    first = text[0]
    if first.isascii() and first not in _NUMBER_START and not first.isspace():
        return text
    try:
        number = float(text)
        return str(int(number)) if int(number) == number else str(number)
    except (ValueError, OverflowError):
        return text


@lru_cache(maxsize=4096)
def canonical_time(text: str) -> str:
    """UTC, milliseconds, `Z`."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    moment = moment.astimezone(dt.UTC)
    moment = moment.replace(microsecond=round(moment.microsecond, -3))
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"
