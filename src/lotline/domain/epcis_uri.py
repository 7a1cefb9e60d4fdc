"""GS1 keys in EPCIS as one canonical form for the event hash: EPC URIs (SGTIN, SSCC, SGLN,
PGLN, LGTIN class) and GS1 Digital Link URIs on any domain become the constrained canonical
Digital Link `https://id.gs1.org/{ai}/{key}…` at its finest level (a serial drops the lot),
as the reference `epcis-event-hash-generator` normalises them; anything else is None."""

from __future__ import annotations

import re

from lotline.domain.values import gtin_check_digit

CANONICAL = "https://id.gs1.org"
# What the reference allows in a URN's serial/extension part and in a canonical DL value.
_URN_CHARS = (r"(\%2[125-9A-Fa-f]|\%3[0-9A-Fa-f]|\%4[1-9A-Fa-f]|\%5[0-9AaFf]|\%6[1-9A-Fa-f]"
              r"|\%7[0-9Aa]|[!\')(*+,.0-9:;=A-Za-z_-])")
_DL_CHARS = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"
_PARTITIONS = (r"((\d{6}\.\d{7})|(\d{7}\.\d{6})|(\d{8}\.\d{5})|(\d{9}\.\d{4})|(\d{10}\.\d{3})"
               r"|(\d{11}\.\d{2})|(\d{12}\.\d{1}))")
_GLN_PARTITIONS = (r"((\d{6}\.\d{6})|(\d{7}\.\d{5})|(\d{8}\.\d{4})|(\d{9}\.\d{3})"
                   r"|(\d{10}\.\d{2})|(\d{11}\.\d{1})|(\d{12}\.))")
SGTIN = re.compile(rf"^urn:epc:id:sgtin:{_PARTITIONS}\.{_URN_CHARS}{{1,20}}$")
LGTIN = re.compile(rf"^urn:epc:class:lgtin:{_PARTITIONS}\.{_URN_CHARS}{{1,20}}$")
SGLN = re.compile(rf"^urn:epc:id:sgln:{_GLN_PARTITIONS}\.{_URN_CHARS}{{1,20}}$")
SGTIN_PATTERN = re.compile(rf"^urn:epc:idpat:sgtin:{_PARTITIONS}\.\*$")
PGLN = re.compile(rf"^urn:epc:id:pgln:{_GLN_PARTITIONS}$")
SSCC = re.compile(r"^urn:epc:id:sscc:((\d{6}\.\d{11}$)|(\d{7}\.\d{10}$)|(\d{8}\.\d{9}$)"
                  r"|(\d{9}\.\d{8}$)|(\d{10}\.\d{7}$)|(\d{11}\.\d{6}$)|(\d{12}\.\d{5}$))")
DIGITAL_LINK = re.compile(
    r"^https?:(\/\/((([^\/?#]*)@)?([^\/?#:]*)(:([^\/?#]*))?))?((([^?#]*)(\/(01|gtin|8006|itip|"
    r"8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|"
    r"gsin|8003|grai|8004|giai)\/)(\d{4}[^\/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?)"
    r"|(\/[A-Za-z_-]{10}$))")
ON_CANONICAL_DOMAIN = re.compile(
    r"^https:\/\/id.gs1.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/"
    r"(\d{4}[^\/]+)(\/[^\/]+\/[^\/]+)?[\/]?(\?([^?\n]*))?(#([^\n]*))?|(\/[A-Za-z_-]{10}$)")
SHORT_NAMES = (("/gtin/", "/01/"), ("/itip/", "/8006/"), ("/cpid/", "/8010/"),
               ("/gln/", "/414/"), ("/party/", "/417/"), ("/gsrnp/", "/8017/"),
               ("/gsrn/", "/8018/"), ("/gcn/", "/255/"), ("/sscc/", "/00/"),
               ("/gdti/", "/253/"), ("/ginc/", "/401/"), ("/gsin/", "/402/"),
               ("/grai/", "/8003/"), ("/giai/", "/8004/"), ("/cpv/", "/22/"), ("/lot/", "/10/"),
               ("/ser/", "/21/"))
KEY_ORDER = ("00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006",
             "8010", "8017", "8018")
_D = _DL_CHARS
_ID = r"https:\/\/id.gs1.org\/"
VALID = tuple(re.compile(_ID + pattern) for pattern in (
    r"00\/(\d{18})$",
    rf"01\/(\d{{14}})\/21\/({_D}{{0,20}})$",
    rf"01\/(\d{{14}})\/10\/({_D}{{0,20}})$",
    r"01\/(\d{14})$",
    rf"01\/(\d{{14}})\/235\/({_D}{{0,28}})$",
    rf"253\/(\d{{13}})({_D}{{0,17}})$",
    r"255\/(\d{13})(\d{0,12})$",
    rf"401\/({_D}{{0,30}})$",
    r"402\/(\d{17})$",
    r"414\/(\d{13})$",
    rf"414\/(\d{{13}})\/254\/({_D}{{0,20}})$",
    r"417\/(\d{13})$",
    rf"8003\/(\d{{14}})({_D}{{0,16}})$",
    rf"8004\/({_D}{{0,30}})$",
    rf"8006\/(\d{{18}})\/21\/({_D}{{0,20}})$",
    rf"8006\/(\d{{18}})\/10\/({_D}{{0,20}})$",
    r"8006\/(\d{18})$",
    r"8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})\/8011/(\d{0,12})$",
    r"8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})$",
    r"8017\/(\d{18})$",
    r"8018\/(\d{18})$"))
WITH_CPV = tuple(re.compile(p) for p in (
    rf"https:\/\/id.gs1.org\/8006\/\d{{18}}\/22\/({_D}{{0,20}})$",
    rf"https:\/\/id.gs1.org\/01\/\d{{14}}\/22\/({_D}{{0,20}})$"))
WITH_CPV_AND_MORE = tuple(re.compile(p) for p in (
    r"https:\/\/id.gs1.org\/8006\/\d{18}\/22\/([\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20})$",
    r"https:\/\/id.gs1.org\/01\/\d{14}\/22\/([\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20})$"))
LOT_AND_SERIAL = tuple(re.compile(p) for p in (
    rf"https:\/\/id.gs1.org\/8006\/\d{{18}}\/10\/({_D}{{0,20}})\/21\/({_D}{{0,20}})$",
    rf"https:\/\/id.gs1.org\/01\/(\d{{14}})\/10\/({_D}{{0,20}})\/21\/({_D}{{0,20}})$"))


def _check(digits: str) -> str:
    return str(gtin_check_digit(digits))


def _dl_escape(text: str) -> str:
    for char, code in (("!", "%21"), ("(", "%28"), (")", "%29"), ("*", "%2A"), ("+", "%2B"),
                       (",", "%2C"), (":", "%3A")):
        text = text.replace(char, code)
    return text


def canonical_gs1_uri(uri: str) -> str | None:
    if "." not in uri:
        return None
    if uri.startswith("urn:epc:"):
        return _from_epc_urn(uri)
    # DIGITAL_LINK starts with `^https?:`: anything else (times, URNs) is no GS1 key, and
    # costs no regular expression (a time string made this regex the hash's hot spot).
    return _from_digital_link(uri) if uri.startswith(("http:", "https:")) else None


def _from_epc_urn(uri: str) -> str | None:
    dot = uri.index(".")
    if SGTIN.match(uri) or LGTIN.match(uri):
        start = 17 if uri.startswith("urn:epc:id:") else 20
        prefix = uri[start:dot]
        item = uri[dot + 1:dot + 1 + 13 - len(prefix)]
        gtin = item[:1] + prefix + item[1:]
        rest = uri[32:] if start == 17 else uri[35:]
        ai = "21" if start == 17 else "10"
        return f"{CANONICAL}/01/{gtin}{_check(gtin)}/{ai}/{_dl_escape(rest)}"
    if SGTIN_PATTERN.match(uri):
        prefix = uri[20:dot]
        item = uri[dot + 1:dot + 1 + 13 - len(prefix)]
        gtin = item[:1] + prefix + item[1:]
        return f"{CANONICAL}/01/{gtin}{_check(gtin)}"
    if SSCC.match(uri):
        prefix = uri[16:dot]
        sscc = uri[dot + 1:dot + 2] + prefix + uri[dot + 2:]
        return f"{CANONICAL}/00/{sscc}{_check(sscc)}"
    if SGLN.match(uri):
        prefix = uri[16:dot]
        gln = prefix + uri[dot + 1:dot + 1 + 12 - len(prefix)]
        extension = uri[30:]
        base = f"{CANONICAL}/414/{gln}{_check(gln)}"
        return base if extension == "0" else f"{base}/254/{_dl_escape(extension)}"
    if PGLN.match(uri):
        prefix = uri[16:dot]
        gln = prefix + uri[dot + 1:dot + 1 + 12 - len(prefix)]
        return f"{CANONICAL}/417/{gln}{_check(gln)}"
    return None


def _from_digital_link(uri: str) -> str | None:
    if DIGITAL_LINK.match(uri) is None:
        return None
    uri = uri.split("?", 1)[0]
    for short, ai in SHORT_NAMES:
        uri = uri.replace(short, ai)
    if ON_CANONICAL_DOMAIN.match(uri) is None:
        for ai in KEY_ORDER:
            if f"/{ai}/" in uri:
                uri = CANONICAL + uri[uri.find(f"/{ai}/"):]
                break
    uri = _padded_gtin(uri)
    after_cpv = uri[uri.find("/22/") + 4:]
    if any(p.match(uri) for p in WITH_CPV):
        uri = uri[:uri.find("/22/")] + after_cpv[after_cpv.find("/"):-1]
    if any(p.match(uri) for p in WITH_CPV_AND_MORE):
        uri = uri[:uri.find("/22/")] + after_cpv[after_cpv.find("/"):]
    if any(p.match(uri) for p in LOT_AND_SERIAL):
        after_lot = uri[uri.find("/10/") + 4:]
        uri = uri[:uri.find("/10/")] + after_lot[after_lot.find("/"):]
    return uri if any(p.match(uri) for p in VALID) else None


def _padded_gtin(uri: str) -> str:
    if re.match(r"^https:\/\/id.gs1.org\/01\/\d{14}", uri):
        return uri
    for digits, zeros in ((13, "0"), (12, "00"), (8, "000000")):
        if re.match(rf"^https:\/\/id.gs1.org\/01\/\d{{{digits}}}", uri):
            return uri.replace("/01/", "/01/" + zeros)
    return uri
