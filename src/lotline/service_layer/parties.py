"""Suppliers and customers: the same shape, one service each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from lotline.domain.errors import Conflict, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.model import Customer, Page, Supplier
from lotline.domain.statuses import Role
from lotline.domain.values import (
    MAX_TEXT_LENGTH,
    ErrorCollector,
    apply_aliases,
    clean_text,
    normalize_gln,
    optional_int,
    required_text,
    search_text,
)
from lotline.service_layer.audit import record_change
from lotline.service_layer.base import Service, snapshot
from lotline.service_layer.ports import CustomerRepository, PartyRepository, SupplierRepository
from lotline.service_layer.unit_of_work import UnitOfWork

ADDRESS_FIELDS = ("street", "city", "region", "postal_code", "country")
PARTY_FIELDS = ("name", "code", "email", "phone", "gln", "address", *ADDRESS_FIELDS)
# A warehouse is described as a party is (FSMA 204 location description, GLN for SGLNs).
WAREHOUSE_FIELDS = ("name", "phone", "gln", "address", *ADDRESS_FIELDS)

P = TypeVar("P", Supplier, Customer)
MAX_MANY = 500


def _email(value: Any) -> str | None:
    text = clean_text(value, "email")
    if text is not None and ("@" not in text or text.startswith("@") or text.endswith("@")):
        raise ValidationError.single("email", "must be an e-mail address", value)
    return text


def parse_party_fields(raw: Mapping[str, Any], extra: tuple[str, ...] = (),
                       allowed: tuple[str, ...] = PARTY_FIELDS) -> dict[str, Any]:
    fields = apply_aliases(dict(raw), {}, (*allowed, *extra))
    address = fields.pop("address", None)
    errors = ErrorCollector()
    if address is not None:
        if not isinstance(address, Mapping):
            errors.add("address", "must be an object with street, city, region, postal_code, "
                       "country", address)
        else:
            unknown = set(address) - set(ADDRESS_FIELDS)
            for name in sorted(unknown):
                errors.add(f"address.{name}", "unknown field", address[name])
            fields.update({k: v for k, v in address.items() if k in ADDRESS_FIELDS})
    parsed: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "name":
            parsed[name] = errors.take(required_text, value, "name")
        elif name == "email":
            parsed[name] = errors.take(_email, value)
        elif name == "gln":
            parsed[name] = errors.take(normalize_gln, value)
        elif name == "min_remaining_shelf_life_days":
            parsed[name] = errors.take(optional_int, value, name)
        else:
            limit = 40 if name == "postal_code" else MAX_TEXT_LENGTH
            parsed[name] = errors.take(clean_text, value, name, max_length=limit)
    errors.raise_if_any()
    return parsed


class _PartyService(Service, ABC, Generic[P]):
    entity = "party"
    extra_fields: tuple[str, ...] = ()

    @abstractmethod
    def _repo(self, uow: UnitOfWork) -> PartyRepository[P]:
        """The repository of this kind of party in `uow`."""

    def _create(self, fields: dict[str, Any]) -> P:
        self.actor.require(Role.MANAGER, f"creating {self.entity}s")
        values = parse_party_fields(fields, self.extra_fields)
        if values.get("name") is None:
            raise ValidationError.single("name", "is required")
        now = self.actor.now()
        party_id = new_id()
        with self.writing() as uow:
            repo = self._repo(uow)
            repo.insert({"id": party_id, **values, "created_at": now, "updated_at": now})
            party = self._need(uow, party_id)
            uow.audit.record(actor=self.actor.name, entity=self.entity, entity_id=party_id,
                             action="create", before=None, after=snapshot(party), moment=now)
        return party

    def _need(self, uow: UnitOfWork, party_id: str) -> P:
        party: P | None = self._repo(uow).get(str(party_id))
        if party is None:
            raise NotFound(self.entity, party_id)
        return party

    def get(self, party_id: str) -> P:
        with self.reading() as uow:
            return self._need(uow, party_id)

    def get_many(self, ids: Sequence[str]) -> dict[str, P]:
        """The parties of these ids that exist (one query, for a list page's names)."""
        with self.reading() as uow:
            return self._repo(uow).get_many([str(i) for i in ids][:MAX_MANY])

    def list(self, q: str | None = None, limit: int = 50,
             cursor: str | None = None) -> Page[P]:
        with self.reading(may_lag=True) as uow:
            return self._repo(uow).search(search_text(q), limit, cursor)

    def update(self, party_id: str, **changes: Any) -> P:
        self.actor.require(Role.MANAGER, f"changing {self.entity}s")
        values = parse_party_fields(changes, self.extra_fields)
        if "name" in values and values["name"] is None:
            raise ValidationError.single("name", "must not be empty")
        now = self.actor.now()
        with self.writing() as uow:
            before = self._need(uow, party_id)
            self._repo(uow).update(party_id, {**values, "updated_at": now})
            after = self._need(uow, party_id)
            record_change(uow, self.entity, party_id, "update", snapshot(before),
                          snapshot(after))
        return after

    def delete(self, party_id: str) -> None:
        self.actor.require(Role.MANAGER, f"deleting {self.entity}s")
        with self.writing() as uow:
            party = self._need(uow, party_id)
            table = self._repo(uow).used_by(party_id)
            if table is not None:
                raise Conflict(f"{self.entity} {party.name!r} is used by {table}; "
                               f"it cannot be deleted", id=party_id)
            self._repo(uow).delete(party_id)
            uow.audit.record(actor=self.actor.name, entity=self.entity, entity_id=party_id,
                             action="delete", before=snapshot(party), after=None,
                             moment=self.actor.now())


class SupplierService(_PartyService[Supplier]):
    entity = "supplier"

    def _repo(self, uow: UnitOfWork) -> SupplierRepository:
        return uow.suppliers

    def create_supplier(self, **fields: Any) -> Supplier:
        return self._create(fields)


class CustomerService(_PartyService[Customer]):
    entity = "customer"
    extra_fields = ("min_remaining_shelf_life_days",)

    def _repo(self, uow: UnitOfWork) -> CustomerRepository:
        return uow.customers

    def create_customer(self, **fields: Any) -> Customer:
        return self._create(fields)
