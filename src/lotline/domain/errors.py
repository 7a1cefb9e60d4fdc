"""Typed errors. Each carries a machine `code`, a message naming the offending values, and the
one HTTP status the API maps it to. Every door maps these once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field. `field` is a dotted path (`lines.0.quantity`)."""

    field: str
    message: str
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "value": _jsonable(self.value)}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


class LotlineError(Exception):
    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 500
    title: ClassVar[str] = "Error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class NotFound(LotlineError):
    code = "not_found"
    http_status = 404
    title = "Not found"

    def __init__(self, entity: str, value: object, field: str = "id") -> None:
        super().__init__(f"{entity} not found: {field}={value!s}", entity=entity, field=field,
                         value=str(value))
        self.entity = entity
        self.field = field
        self.value = value


class ValidationError(LotlineError):
    code = "validation_error"
    http_status = 422
    title = "Invalid input"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        message = "; ".join(f"{e.field}: {e.message}" for e in self.errors) or "invalid input"
        super().__init__(message, errors=[e.as_dict() for e in self.errors])

    @classmethod
    def single(cls, field: str, message: str, value: Any = None) -> ValidationError:
        return cls([FieldError(field, message, value)])


class ReasonRequired(ValidationError):
    """A change that must say why (a lot's expiry date or cost) was asked without a reason:
    a 422 naming `reason`."""

    def __init__(self, changed: Sequence[str]) -> None:
        self.changed = list(changed)
        super().__init__([FieldError("reason", f"is required to change {' and '.join(changed)}"
                                     )])


class Conflict(LotlineError):
    code = "conflict"
    http_status = 409
    title = "Conflict"


class DuplicateSerial(Conflict):
    code = "duplicate_serial"
    title = "Duplicate serial number"

    def __init__(self, serial_numbers: Iterable[str], where: str = "already registered") -> None:
        self.serial_numbers = sorted(set(serial_numbers))
        shown = ", ".join(self.serial_numbers[:50])
        more = f" (+{len(self.serial_numbers) - 50} more)" if len(self.serial_numbers) > 50 else ""
        super().__init__(f"serial numbers {where}: {shown}{more}",
                         serial_numbers=self.serial_numbers)


class DuplicateBatch(Conflict):
    code = "duplicate_batch"
    title = "Duplicate batch"

    def __init__(self, batch_number: str, existing_id: str) -> None:
        super().__init__(
            f"batch {batch_number!r} already exists for this product and supplier "
            f"(id {existing_id})", batch_number=batch_number, existing_id=existing_id)


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Status change not allowed"

    def __init__(self, serial_number: str, current: str, target: str,
                 allowed: Sequence[str], why: str | None = None) -> None:
        self.current = current
        self.target = target
        self.allowed = list(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (final status)"
        super().__init__(
            f"serial {serial_number!r} cannot go from {current} to {target}"
            f"{'' if why is None else ' (' + why + ')'}; allowed from {current}: {allowed_text}",
            serial_number=serial_number, current=current, target=target, allowed=self.allowed)


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    title = "Insufficient stock"


class LotBlocked(Conflict):
    code = "lot_blocked"
    title = "Lot or unit blocked"


class Ambiguous(Conflict):
    code = "ambiguous"
    title = "Ambiguous reference"

    def __init__(self, what: str, candidates: Sequence[dict[str, Any]]) -> None:
        self.candidates = list(candidates)
        named = ", ".join(self.name_of(c) for c in self.candidates)
        super().__init__(f"{what} matches {len(self.candidates)} records: {named}; "
                         "name one of them", candidates=self.candidates)

    @staticmethod
    def name_of(candidate: dict[str, Any]) -> str:
        """One candidate in words: a lot by number, product and supplier; anything else by
        SKU, code or name; always with its id, the one name that cannot be shared."""
        if candidate.get("batch_number"):
            text = f"lot {candidate['batch_number']} of "
            text += str(candidate.get("sku") or f"product {candidate.get('product_id')}")
            supplier = candidate.get("supplier") or candidate.get("supplier_id")
            text += f" from {supplier}" if supplier else ", no supplier"
        else:
            text = str(candidate.get("sku") or candidate.get("code") or candidate.get("name")
                       or "")
        return f"{text} (id {candidate.get('id')})" if text else f"id {candidate.get('id')}"


class PermissionDenied(LotlineError):
    code = "forbidden"
    http_status = 403
    title = "Forbidden"


class Unauthorized(LotlineError):
    code = "unauthorized"
    http_status = 401
    title = "Unauthorized"


class RateLimited(LotlineError):
    code = "rate_limited"
    http_status = 429
    title = "Too many requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class PayloadTooLarge(LotlineError):
    code = "payload_too_large"
    http_status = 413
    title = "Payload too large"


class LedgerKeyUnavailable(LotlineError):
    """The installation's ledger signing key file cannot be read, created or trusted."""

    code = "ledger_key_unavailable"
    http_status = 503
    title = "Ledger signing key unavailable"
