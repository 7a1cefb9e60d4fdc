"""Identifier patterns of the EPCIS standard query (EPCIS 2.0 §8.2.7.1.1): EPC pattern URIs
(`urn:epc:idpat:sgtin:0614141.112345.*`, `…0614141.*.*`, `*.*.*`, and likewise SSCC and SGLN)
and Digital Links with `*` in the last position (`https://id.gs1.org/01/{gtin}/21/*`), read
into globs over the canonical identifiers events are indexed by (epcis_index). A glob is
matched here in Python (lotline's own events) and as SQL LIKE by the store (captured ones)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache

from lotline.domain.epcis_uri import CANONICAL, canonical_gs1_uri
from lotline.domain.values import gtin_check_digit


class Wild(enum.Enum):
    ANY = "any"  # any run of characters, none included
    ONE = "one"  # exactly one character


Glob = tuple[str | Wild, ...]


@dataclass(frozen=True, slots=True)
class IdSelection:
    """What one query value selects: identifiers equal to `exact`, or matching a glob."""

    exact: frozenset[str]
    globs: tuple[Glob, ...] = ()


_DIGITS = re.compile(r"\d+")
_SCHEMES = {"sgtin": 3, "sscc": 2, "sgln": 3}  # fields of each EPC pattern URI


class NotAPattern(ValueError):
    """A value that looks like a pattern (EPC pattern URI, `*`) but is not one lotline reads."""


def _under(prefix: Glob) -> tuple[Glob, ...]:
    """The key itself and everything below it (`…/21/{serial}`, `…/10/{lot}`, `…/254/…`)."""
    return prefix, (*prefix, "/", Wild.ANY)


def _key_glob(ai: str, company: str, length: int) -> Glob:
    """A GS1 key whose company prefix is known and the rest is not: `?` for every other
    digit (the indicator or extension digit comes before the company prefix for a GTIN or
    an SSCC, as the key is written)."""
    lead = (Wild.ONE,) if ai in ("01", "00") else ()
    tail = (Wild.ONE,) * (length - len(lead) - len(company))
    return (f"{CANONICAL}/{ai}/", *lead, company, *tail)


def _epc_pattern(uri: str) -> tuple[Glob, ...]:
    scheme, _, fields_text = uri.removeprefix("urn:epc:idpat:").partition(":")
    fields = fields_text.split(".")
    if scheme not in _SCHEMES or len(fields) != _SCHEMES[scheme] or fields[-1] != "*":
        raise NotAPattern(uri)
    ai, length = {"sgtin": ("01", 14), "sscc": ("00", 18), "sgln": ("414", 13)}[scheme]
    company, middle = fields[0], fields[1] if scheme != "sscc" else "*"
    if company == "*":
        if middle != "*":
            raise NotAPattern(uri)
        return _under((f"{CANONICAL}/{ai}/", *(Wild.ONE,) * length))
    if not _DIGITS.fullmatch(company) or not 6 <= len(company) <= 12:
        raise NotAPattern(uri)
    if middle == "*":
        return _under(_key_glob(ai, company, length))
    if not _DIGITS.fullmatch(middle) or len(company) + len(middle) != length - 1:
        raise NotAPattern(uri)
    body = middle[:1] + company + middle[1:] if scheme == "sgtin" else company + middle
    return _under((f"{CANONICAL}/{ai}/{body}{gtin_check_digit(body)}",))


def _link_pattern(uri: str) -> tuple[Glob, ...]:
    # The wildcard stands for the last value (serial, lot, extension): canonicalise the link
    # with a plain value there, then put the wildcard back.
    canonical = canonical_gs1_uri(uri[:-1] + "0")
    if canonical is None or not canonical.endswith("/0"):
        raise NotAPattern(uri)
    return ((canonical[:-1], Wild.ANY),)


def read_pattern(value: str) -> IdSelection:
    """One MATCH_ value: an identifier (any form, compared canonically) or a pattern."""
    text = value.strip()
    if text.startswith("urn:epc:idpat:"):
        return IdSelection(frozenset(), _epc_pattern(text))
    if text.startswith(("http://", "https://")) and text.endswith("/*"):
        return IdSelection(frozenset(), _link_pattern(text))
    return IdSelection(frozenset({canonical_gs1_uri(text) or text}))


_SITE_SGLN = re.compile(rf"^{re.escape(CANONICAL)}/414/\d{{13}}$")
_SITE_URN = re.compile(r"^urn:lotline:[^:]+:loc:[^:]+$")


def with_descendants(location: str) -> IdSelection:
    """WD_readPoint/WD_bizLocation: a location and what lies within it. lotline's places are
    sites (warehouses) holding flat locations, named as an SGLN without and with extension
    (`…/414/{gln}` holds `…/414/{gln}/254/{code}`) or as the organization's URN (`…:loc:{site}`
    holds `…:loc:{site}:{code}`); a partner's SGLN is read the same way."""
    exact = canonical_gs1_uri(location.strip()) or location.strip()
    if _SITE_SGLN.match(exact):
        return IdSelection(frozenset({exact}), ((exact, "/254/", Wild.ANY),))
    if _SITE_URN.match(exact):
        return IdSelection(frozenset({exact}), ((exact, ":", Wild.ANY),))
    return IdSelection(frozenset({exact}))


@lru_cache(maxsize=256)
def _regex(glob: Glob) -> re.Pattern[str]:
    parts = [".*" if part is Wild.ANY else "." if part is Wild.ONE else re.escape(part)
             for part in glob]
    return re.compile("".join(parts), re.DOTALL)


def selects(selection: IdSelection, values: set[str] | frozenset[str]) -> bool:
    """Whether any of `values` (canonical identifiers) is selected."""
    if values & selection.exact:
        return True
    return any(_regex(glob).fullmatch(value) for glob in selection.globs for value in values)
