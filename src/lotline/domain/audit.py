"""The audit log as people read it (DESIGN §5, §9): which master data or setting changed,
who changed it, when, what it was before and after, and why. Pure: the filters a reader may
give, checked the same for every door, and the difference of two snapshots."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from lotline.domain.errors import ReasonRequired, ValidationError
from lotline.domain.values import ErrorCollector, clean_text

# Every kind of record the services audit; a filter naming anything else is a typo.
AUDIT_ENTITIES = ("api_key", "batch", "customer", "location", "order", "organization",
                  "product", "serial", "settings", "supplier", "user", "warehouse")
AUDIT_LIMIT_MAX = 500
# Fields that change with every edit and say nothing about it.
UNAUDITED_FIELDS = frozenset({"updated_at"})
# Why a lot's expiry date or cost changed must be said (DESIGN §5: "a wrong expiry date is
# changed with a reason"); the change is refused without one.
REASONED_BATCH_FIELDS = ("expiry_date", "unit_cost")
REASONED_BATCH_INPUTS = (*REASONED_BATCH_FIELDS, "expiration_date")  # with the seed alias
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
AUDIT_COLUMNS = ("id", "occurred_at", "actor", "entity", "entity_id", "action", "reason",
                 "before", "after")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    entity: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive


def changed_fields(before: dict[str, Any], after: dict[str, Any]
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose value differs, as (before, after), each holding only those fields;
    a field present on one side only counts as None on the other. A field that is an object
    on both sides (an address) is compared field by field: `address.city`."""
    old, new = {}, {}
    for name in (*before, *(k for k in after if k not in before)):
        was, now = before.get(name), after.get(name)
        if name in UNAUDITED_FIELDS or was == now:
            continue
        if isinstance(was, dict) and isinstance(now, dict):
            inner_old, inner_new = changed_fields(was, now)
            old.update({f"{name}.{key}": value for key, value in inner_old.items()})
            new.update({f"{name}.{key}": value for key, value in inner_new.items()})
        else:
            old[name], new[name] = was, now
    return old, new


def require_reason(current: Any, changes: dict[str, Any], reason: str | None) -> None:
    """A lot's expiry date or unit cost changing to another value needs a reason."""
    reasoned = [name for name in REASONED_BATCH_FIELDS
                if name in changes and changes[name] != getattr(current, name)]
    if reasoned and reason is None:
        raise ReasonRequired(reasoned)


def parse_moment(value: Any, field: str) -> dt.datetime | None:
    """An ISO 8601 date-time (a missing offset reads as UTC) or a date (its 00:00 UTC)."""
    if value is None or isinstance(value, dt.datetime):
        return _utc(value) if value is not None else None
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0), tzinfo=dt.UTC)
    text = value.strip() if isinstance(value, str) else None
    if not text:
        raise ValidationError.single(field, "must be an ISO 8601 date-time such as "
                                     "2026-12-07T12:00:00Z", value)
    try:
        moment = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValidationError.single(field, "must be an ISO 8601 date-time such as "
                                     "2026-12-07T12:00:00Z", value) from None
    return _utc(moment)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _entity(value: Any) -> str | None:
    text = clean_text(value, "entity", max_length=40)
    if text is not None and text not in AUDIT_ENTITIES:
        raise ValidationError.single("entity", f"{text!r} is not one of "
                                     f"{', '.join(AUDIT_ENTITIES)}", value)
    return text


def parse_audit_filter(*, entity: Any = None, entity_id: Any = None, actor: Any = None,
                       action: Any = None, since: Any = None,
                       until: Any = None) -> AuditFilter:
    """The filters as given by any door, every bad one reported at once by its name."""
    errors = ErrorCollector()
    parsed = AuditFilter(
        entity=errors.take(_entity, entity),
        entity_id=errors.take(clean_text, entity_id, "entity_id", max_length=100),
        actor=errors.take(clean_text, actor, "actor", max_length=200),
        action=errors.take(clean_text, action, "action", max_length=40),
        since=errors.take(parse_moment, since, "since"),
        until=errors.take(parse_moment, until, "until"))
    errors.raise_if_any()
    if parsed.since and parsed.until and parsed.until <= parsed.since:
        raise ValidationError.single("until", f"must be after since "
                                     f"({parsed.since.isoformat()})", until)
    return parsed


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of an audit row as people read it: its value before and after."""

    field: str
    before: str | None
    after: str | None


def field_changes(before: dict[str, Any] | None,
                  after: dict[str, Any] | None) -> list[FieldChange]:
    """An audit row's fields in words: for an edit, each changed field; for a creation or
    a deletion, each field the record had that holds a value, ids and bookkeeping times
    left out (the JSON and the exports keep them)."""
    whole = before is None or after is None
    old, new = _expanded(before or {}), _expanded(after or {})
    names = [*old, *(k for k in new if k not in old)]
    if whole:
        names = [n for n in names if not _bookkeeping(n)]
    shown = [FieldChange(name, _shown(old.get(name)), _shown(new.get(name)))
             for name in names]
    # Empty on both sides: a whole record's unset field, or an object that appeared.
    return [c for c in shown if c.before is not None or c.after is not None]


def _expanded(values: dict[str, Any]) -> dict[str, Any]:
    """An object value (a hold, an address) as one field per member: `hold.reason`."""
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict) and value:
            flat.update({f"{name}.{key}": inner for key, inner in _expanded(value).items()})
        else:
            flat[name] = value
    return flat


def _bookkeeping(name: str) -> bool:
    return (name in ("id", "created_at", "updated_at", "received_at")
            or name.endswith(("_id", "_ref")))


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
        moment = dt.datetime.fromisoformat(value).astimezone(dt.UTC)
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC"
    if isinstance(value, dict | list):
        if not value:
            return None
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    return str(value)
