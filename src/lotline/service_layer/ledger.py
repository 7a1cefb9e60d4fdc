"""Appending to the hash-chained ledger (DESIGN §5).

Each stream (a lot, or the product for serials without a lot) has its head on its row; the head
is read under a row lock on first use in a transaction and moved by compare-and-set at commit, so
concurrent writers can never fork a chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from lotline.domain.errors import Conflict
from lotline.domain.ids import new_id
from lotline.domain.ledger import movement_hash
from lotline.domain.model import Movement
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.service_layer.context import Actor
from lotline.service_layer.ports import MovementRepository


class Ledger:
    def __init__(self, repository: MovementRepository, actor: Actor) -> None:
        self.repository = repository
        self.actor = actor
        self._start_seq: dict[str, int] = {}
        self._heads: dict[str, tuple[int, str]] = {}
        self._pending: list[Movement] = []

    def _head(self, stream_id: str) -> tuple[int, str]:
        if stream_id not in self._heads:
            seq, head = self.repository.stream_head(stream_id, lock=True)
            self._start_seq[stream_id] = seq
            self._heads[stream_id] = (seq, head)
        return self._heads[stream_id]

    def prime(self, stream_id: str, seq: int, head: str) -> None:
        """The stream's head as the transaction just read it on its row, when that read
        already shuts other writers out (a SQLite write transaction holds the database's write
        lock from its BEGIN): the ledger then needs no locked read of its own. Ignored once the
        ledger holds the stream; a stale head could only fail the compare-and-set at flush."""
        if stream_id not in self._heads:
            self._start_seq[stream_id] = seq
            self._heads[stream_id] = (seq, head)

    def lock_stream(self, stream_id: str) -> None:
        """Take the stream's head (and its row lock) now, before what the movement records."""
        self._head(stream_id)

    def record(self, kind: MovementKind, *, product_id: str, quantity: Decimal,
               batch_id: str | None = None, serial_id: str | None = None,
               from_location_id: str | None = None, to_location_id: str | None = None,
               from_status: SerialStatus | None = None, to_status: SerialStatus | None = None,
               order_id: str | None = None, receipt_id: str | None = None,
               transformation_id: str | None = None, reverses_id: str | None = None,
               unit_cost: Decimal | None = None, reason: str | None = None,
               occurred_at: dt.datetime | None = None,
               serial_numbers: Iterable[str] = (),
               movement_id: str | None = None) -> Movement:
        stream_id = batch_id or product_id
        seq, prev_hash = self._head(stream_id)
        now = self.actor.now()
        values = {
            "id": movement_id or new_id(), "org_id": self.actor.org_id, "stream_id": stream_id,
            "seq": seq + 1, "occurred_at": occurred_at or now, "recorded_at": now,
            "actor": self.actor.name, "kind": kind, "product_id": product_id,
            "batch_id": batch_id, "serial_id": serial_id, "quantity": quantity,
            "from_location_id": from_location_id, "to_location_id": to_location_id,
            "from_status": from_status, "to_status": to_status, "order_id": order_id,
            "receipt_id": receipt_id, "transformation_id": transformation_id,
            "reverses_id": reverses_id, "unit_cost": unit_cost, "reason": reason,
            "prev_hash": prev_hash,
        }
        numbers = tuple(serial_numbers)
        digest = movement_hash(values, numbers)
        # `values` holds exactly HASHED_FIELDS (the hash's own test checks they are
        # Movement's fields less hash and serial_numbers).
        movement = Movement(**values, hash=digest, serial_numbers=numbers)  # type: ignore[arg-type]
        self._heads[stream_id] = (seq + 1, digest)
        self._pending.append(movement)
        return movement

    def flush(self) -> None:
        self.repository.insert_many(self._pending)
        self._pending.clear()
        for stream_id, (seq, head) in self._heads.items():
            start = self._start_seq[stream_id]
            if seq != start and not self.repository.move_stream_head(stream_id, start, seq, head):
                raise Conflict(f"ledger stream {stream_id} was written concurrently; retry")
            self._start_seq[stream_id] = seq
