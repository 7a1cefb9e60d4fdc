"""EPCIS capture (DESIGN §9, the REST binding's `POST /capture`): a document is read as a
stream, each event checked against the official schema and stored verbatim with its index in
one transaction; a supplier's shipping event addressed to us opens an ASN. Schema errors reject
the whole document (nothing stored); other errors follow `captureErrorBehaviour`: `rollback`
(the default) stores nothing, `proceed` stores every event that has none. An event captured
before (same eventID, or same event hash when it has none) is skipped: capture is
idempotent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from lotline.domain.epcis_index import index_event
from lotline.domain.errors import FieldError, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.statuses import Role
from lotline.files.epcis_schema import document_issues, event_issues
from lotline.files.epcis_stream import DocumentSyntaxError, EpcisDocumentStream
from lotline.service_layer.base import Service
from lotline.service_layer.epcis_asn import CaptureRejected, Partners, is_for_us, open_asn
from lotline.service_layer.epcis_ports import CaptureJob
from lotline.service_layer.unit_of_work import UnitOfWork

BEHAVIOURS = ("rollback", "proceed")
MAX_EVENTS = 100_000
MAX_REPORTED = 100  # schema errors listed in the problem (the count says how many in all)
BATCH = 500


class _Run:
    """One capture in its transaction: events buffered and written in batches."""

    def __init__(self, uow: UnitOfWork, capture_id: str, behaviour: str, now: Any) -> None:
        self.uow, self.capture_id, self.behaviour, self.now = uow, capture_id, behaviour, now
        self.partners = Partners(uow.epcis.our_glns(), uow.epcis.supplier_by_gln())
        self.pending: dict[str, tuple[dict[str, Any], Any, Mapping[str, Any]]] = {}
        self.errors: list[FieldError] = []
        self.receipt_ids: list[str] = []
        self.expected_lots: list[dict[str, Any]] = []
        self.stored = 0

    def add(self, index: int, event: dict[str, Any], context: Any) -> None:
        path = f"$.epcisBody.eventList[{index}]"
        index_ = index_event(event, context)
        if index_.key in self.pending:
            return
        if is_for_us(event, self.partners):
            self.flush()
            if self.uow.epcis.known_keys([index_.key]):
                return
            try:
                receipt_id, lots = open_asn(self.uow, event, index_.key, self.partners, path,
                                            self.now)
            except ValidationError as error:
                self.errors.extend(error.errors)
                return
            self.receipt_ids.append(receipt_id)
            self.expected_lots += [{"receipt_id": receipt_id, **lot} for lot in lots]
            self._write({index_.key: (event, index_, _namespaces(context))}, receipt_id)
            return
        self.pending[index_.key] = (event, index_, _namespaces(context))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            batch, self.pending = self.pending, {}
            known = self.uow.epcis.known_keys(list(batch))
            self._write({k: v for k, v in batch.items() if k not in known}, None)

    def _write(self, batch: Mapping[str, tuple[dict[str, Any], Any, Mapping[str, Any]]],
               receipt_id: str | None) -> None:
        rows, refs = [], []
        for event, index, namespaces in batch.values():
            row_id = new_id()
            rows.append({"id": row_id, "capture_id": self.capture_id, "event_key": index.key,
                         "event_type": index.event_type, "event_time": index.event_time,
                         "record_time": self.now,  # EPCIS recordTime: when we stored it
                         "action": index.action, "biz_step": index.biz_step,
                         "disposition": index.disposition, "read_point": index.read_point,
                         "biz_location": index.biz_location, "namespaces": dict(namespaces),
                         "event": event, "receipt_id": receipt_id})
            refs += [{"event_id": row_id, "role": role, "value": value}
                     for role, value in sorted(index.refs)]
        self.uow.epcis.add_events(rows, refs)
        self.stored += len(rows)


def _namespaces(context: Any) -> dict[str, Any]:
    """The prefixes a document's `@context` declares (`{"example": "https://ns.example.com/"}`),
    kept with each event so a query answer can declare them again."""
    items = context if isinstance(context, list) else [context]
    found: dict[str, Any] = {}
    for item in items:
        if isinstance(item, Mapping):
            found.update(item)
    return found


def _behaviour(value: str | None) -> str:
    behaviour = (value or "rollback").strip().lower()
    if behaviour not in BEHAVIOURS:
        raise ValidationError.single("captureErrorBehaviour",
                                     f"must be one of {', '.join(BEHAVIOURS)}", value)
    return behaviour


class EpcisCaptureService(Service):
    def capture(self, source: IO[bytes], error_behaviour: str | None = None) -> CaptureJob:
        """Capture an EPCISDocument read from `source` (bytes); the finished job. Schema
        errors (with their JSON paths) are a ValidationError and store nothing."""
        self.actor.require(Role.MANAGER, "capturing EPCIS events")
        behaviour = _behaviour(error_behaviour)
        capture_id, started = new_id(), self.actor.now()
        job = {"id": capture_id, "created_at": started, "running": False,
               "error_behaviour": behaviour, "receipt_ids": [],
               "expected_lots": []}
        try:
            with self.writing() as uow:
                run = self._read(uow, capture_id, source, behaviour, job)
                uow.epcis.update_capture(capture_id, {
                    "finished_at": self.actor.now(), "success": not run.errors,
                    "captured_count": run.stored, "receipt_ids": run.receipt_ids,
                    "expected_lots": run.expected_lots,
                    "errors": [_error(e) for e in run.errors[:MAX_REPORTED]]})
                if run.stored:
                    uow.epcis.refresh_statistics()
        except CaptureRejected as rejected:
            with self.writing() as uow:
                uow.epcis.add_capture({**job, "finished_at": self.actor.now(),
                                       "success": False, "event_count": rejected.count or 0,
                                       "captured_count": 0,
                                       "errors": [_error(e) for e in
                                                  rejected.errors[:MAX_REPORTED]]})
        return self.job(capture_id)

    def _read(self, uow: UnitOfWork, capture_id: str, source: IO[bytes], behaviour: str,
              job: dict[str, Any]) -> _Run:
        uow.epcis.add_capture({**job, "success": False, "event_count": 0, "captured_count": 0,
                               "errors": []})
        stream = EpcisDocumentStream(source)
        run = _Run(uow, capture_id, behaviour, self.actor.now())
        issues: list[FieldError] = []
        try:
            for index, event in stream.events():
                if index >= MAX_EVENTS:
                    raise ValidationError.single("$.epcisBody.eventList",
                                                 f"holds more than {MAX_EVENTS} events")
                if len(issues) < MAX_REPORTED:
                    issues += [FieldError(i.path, i.message) for i in event_issues(event, index)]
                if not issues:
                    run.add(index, event, stream.header.get("@context"))
            issues += [FieldError(i.path, i.message) for i in document_issues(stream.header)]
        except DocumentSyntaxError as error:
            raise ValidationError.single(error.path, error.message) from None
        if issues:
            raise ValidationError(issues[:MAX_REPORTED])
        run.flush()
        if run.errors and behaviour == "rollback":
            raise CaptureRejected(run.errors, stream.event_count)
        uow.epcis.update_capture(capture_id, {"event_count": stream.event_count})
        return run

    def job(self, capture_id: str) -> CaptureJob:
        with self.reading() as uow:
            job = uow.epcis.capture(str(capture_id))
        if job is None:
            raise NotFound("capture", capture_id, "capture_id")
        return job


def _error(error: FieldError) -> dict[str, Any]:
    return {"path": error.field, "message": error.message}

