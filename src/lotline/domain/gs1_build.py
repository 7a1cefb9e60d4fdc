"""Building GS1 Digital Link URIs and element strings for labels (DESIGN §8)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from lotline.domain.values import gtin_check_digit

GS = "\x1d"
# GS1 AI encodable character set 82 (GenSpecs figure 7.11-1).
CHARSET_82 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                       "!\"%&'()*+,-./:;<=>?_")
MAX_LOT_LENGTH = 20
MAX_SERIAL_LENGTH = 20
DEFAULT_DOMAIN = "https://id.gs1.org"


def check_gs1_text(value: str, field: str, max_length: int) -> str:
    """A lot or serial as a GS1 AI value: 1-20 characters of the 82-character set."""
    if not value or len(value) > max_length:
        raise ValueError(f"{field} must be 1 to {max_length} characters for a GS1 barcode")
    bad = sorted({ch for ch in value if ch not in CHARSET_82})
    if bad:
        raise ValueError(f"{field} {value!r} has characters a GS1 barcode cannot carry: "
                         + " ".join(repr(ch) for ch in bad))
    return value


def check_gtin(gtin: str) -> str:
    """A GTIN-8/12/13/14 with a valid check digit, as 14 digits."""
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        raise ValueError(f"GTIN {gtin!r} must be 8, 12, 13 or 14 digits")
    if gtin_check_digit(gtin[:-1]) != int(gtin[-1]):
        raise ValueError(f"GTIN {gtin} has a wrong check digit")
    return gtin.zfill(14)


def _segment(value: str) -> str:
    # Everything outside RFC 3986 unreserved becomes %XX, upper-case hex (GS1 canonical form).
    return quote(value, safe="")


def digital_link(gtin: str, lot: str | None = None, serial: str | None = None,
                 expiry_date: dt.date | None = None, *, domain: str = DEFAULT_DOMAIN) -> str:
    """The canonical GS1 Digital Link URI: `{domain}/01/{gtin14}[/10/{lot}][/21/{serial}]`
    `[?17=YYMMDD]`. `domain` may carry a path prefix (`https://brand.example/p`)."""
    parts = [domain.rstrip("/"), "01", check_gtin(gtin)]
    if lot is not None:
        parts += ["10", _segment(check_gs1_text(lot, "lot", MAX_LOT_LENGTH))]
    if serial is not None:
        parts += ["21", _segment(check_gs1_text(serial, "serial", MAX_SERIAL_LENGTH))]
    uri = "/".join(parts)
    if expiry_date is not None:
        uri += f"?17={expiry_date:%y%m%d}"
    return uri


def element_string(gtin: str, lot: str | None = None, serial: str | None = None,
                   expiry_date: dt.date | None = None) -> str:
    """The same data as a GS1 element string (fixed-length fields first, GS after variable
    ones that are not last), e.g. for a GS1 DataMatrix."""
    text = "01" + check_gtin(gtin)
    if expiry_date is not None:
        text += f"17{expiry_date:%y%m%d}"
    variable = [f"10{check_gs1_text(lot, 'lot', MAX_LOT_LENGTH)}"] if lot is not None else []
    if serial is not None:
        variable.append(f"21{check_gs1_text(serial, 'serial', MAX_SERIAL_LENGTH)}")
    return text + GS.join(variable)
