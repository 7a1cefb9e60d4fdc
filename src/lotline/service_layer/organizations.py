"""Organizations, their default warehouse, and their settings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lotline.domain.errors import Conflict, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.model import Organization, OrgSettings
from lotline.domain.statuses import LocationKind, RemovalStrategy, Role, SerialScope, parse_enum
from lotline.domain.values import ErrorCollector, optional_int, required_text
from lotline.service_layer.audit import record_change
from lotline.service_layer.base import Service
from lotline.service_layer.context import Actor, utc_now
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

DEFAULT_LOCATIONS: tuple[tuple[str, LocationKind], ...] = (
    ("RECEIVING", LocationKind.RECEIVING),
    ("STOCK", LocationKind.STORAGE),
    ("SHIPPING", LocationKind.SHIPPING),
    ("RETURNS", LocationKind.RETURNS),
    ("QUARANTINE", LocationKind.QUARANTINE),
)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug or "org"


def add_warehouse(uow: UnitOfWork, code: str, name: str, *, is_default: bool,
                  details: dict[str, Any] | None = None) -> str:
    """A warehouse with the standard locations every flow relies on; `details` are its
    phone, address fields and GLN."""
    now = uow.actor.now()
    warehouse_id = new_id()
    uow.warehouses.insert({"id": warehouse_id, "code": code, "name": name,
                           "is_default": is_default, "created_at": now, **(details or {})})
    for location_code, kind in DEFAULT_LOCATIONS:
        uow.locations.insert({"id": new_id(), "warehouse_id": warehouse_id,
                              "code": location_code, "kind": kind.value, "created_at": now})
    return warehouse_id


def create_organization(uows: UnitOfWorkFactory, name: str, slug: str | None = None,
                        actor_name: str = "system") -> Organization:
    """A new tenant with its default warehouse `MAIN`."""
    clean_name = required_text(name, "name")
    clean_slug = slugify(slug or clean_name)
    organization = Organization(id=new_id(), name=clean_name, slug=clean_slug,
                                settings=OrgSettings(), created_at=utc_now())
    actor = Actor(org_id=organization.id, name=actor_name, role=Role.ADMIN)
    with uows(actor) as uow:
        if uow.organizations.by_slug(clean_slug) is not None:
            raise Conflict(f"organization {clean_slug!r} already exists", slug=clean_slug)
        uow.organizations.add(organization)
        add_warehouse(uow, "MAIN", "Main warehouse", is_default=True)
    return organization


def get_or_create_organization(uows: UnitOfWorkFactory, name: str) -> Organization:
    slug = slugify(name)
    with uows(Actor(org_id="", name="system", role=Role.ADMIN), write=False) as uow:
        existing = uow.organizations.by_slug(slug)
    if existing is not None:
        return existing
    try:
        return create_organization(uows, name, slug)
    except Conflict:  # created by a concurrent first use
        with uows(Actor(org_id="", name="system", role=Role.ADMIN), write=False) as uow:
            found = uow.organizations.by_slug(slug)
        if found is None:
            raise
        return found


SETTING_ALIASES = {"time_zone": "timezone"}


def parse_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """Check every setting sent, naming each bad one as the caller spelled it (`time_zone`
    is accepted for `timezone`); all errors at once."""
    errors = ErrorCollector()
    canonical: dict[str, tuple[str, Any]] = {}
    for sent, value in changes.items():
        name = SETTING_ALIASES.get(sent, sent)
        if name not in SETTING_PARSERS:
            errors.add(sent, "unknown setting; settings are " + ", ".join(SETTING_PARSERS),
                       value)
        elif name in canonical and canonical[name][1] != value:
            errors.add(sent, f"conflicts with {canonical[name][0]}", value)
        else:
            canonical[name] = (sent, value)
    parsed = {name: errors.take(SETTING_PARSERS[name], value, sent)
              for name, (sent, value) in canonical.items()}
    errors.raise_if_any()
    return parsed


class SettingsService(Service):
    FIELDS = ("serial_scope", "timezone", "digital_link_domain", "default_removal_strategy",
              "default_expiry_alert_days")

    def get(self) -> OrgSettings:
        with self.reading() as uow:
            return uow.settings()

    def update(self, **changes: Any) -> OrgSettings:
        """Change the settings named (admin only); every change is in the audit log."""
        self.actor.require(Role.ADMIN, "changing settings")
        parsed = parse_settings(changes)
        with self.writing() as uow:
            before = uow.organizations.get(self.actor.org_id, for_update=True)
            assert before is not None
            after = replace(before.settings, **parsed)
            if after == before.settings:
                return after
            if after.serial_scope is not before.settings.serial_scope:
                _rescope_serials(uow, after.serial_scope)
            uow.organizations.save_settings(self.actor.org_id, after)
            uow.forget_timezone()
            record_change(uow, "settings", self.actor.org_id, "update",
                          settings_dict(before.settings), settings_dict(after))
        return after


def settings_dict(settings: OrgSettings) -> dict[str, Any]:
    """The settings as the doors show them, in SettingsService.FIELDS order."""
    return {"serial_scope": settings.serial_scope.value, "timezone": settings.timezone,
            "digital_link_domain": settings.digital_link_domain,
            "default_removal_strategy": settings.default_removal_strategy.value,
            "default_expiry_alert_days": settings.default_expiry_alert_days}


def _timezone(value: Any, field: str) -> str:
    text = required_text(value, field)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError.single(field, f"unknown time zone {text!r}; use an IANA name "
                                     "such as Europe/Lisbon", value) from None
    return text


def _domain(value: Any, field: str) -> str:
    text = required_text(value, field).rstrip("/")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~/-]*)?", text):
        raise ValidationError.single(field,
                                     "must be an http(s) URL like https://id.example.com", value)
    return text


def _alert_days(value: Any, field: str) -> int:
    days = optional_int(value, field)
    if days is None:
        raise ValidationError.single(field, "is required", value)
    if days > 100_000:
        raise ValidationError.single(field, "must be at most 100000", value)
    return days


SETTING_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "serial_scope": lambda v, f: parse_enum(SerialScope, v, f),
    "timezone": _timezone,
    "digital_link_domain": _domain,
    "default_removal_strategy": lambda v, f: parse_enum(RemovalStrategy, v, f),
    "default_expiry_alert_days": _alert_days,
}


def _rescope_serials(uow: UnitOfWork, scope: SerialScope) -> None:
    """Rewrite every serial's scope key; refuse when organization-wide scope would collide."""
    if scope is SerialScope.ORGANIZATION:
        clashes = uow.serials.numbers_of_several_products(100)
        if clashes:
            raise Conflict("serial numbers are used by more than one product, so they cannot "
                           f"be unique per organization: {', '.join(clashes)}",
                           serial_numbers=clashes)
    uow.serials.rescope(per_organization=scope is SerialScope.ORGANIZATION)
