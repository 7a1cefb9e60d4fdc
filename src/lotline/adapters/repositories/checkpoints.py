"""Ledger checkpoints (append-only) and the chain heads and movements they are made of and
proved against."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, insert, select, tuple_, union_all

from lotline.adapters import tables as t
from lotline.domain.checkpoints import Checkpoint, StreamHead

LOOKUP_CHUNK = 500


def checkpoint_from_row(row: Row[Any]) -> Checkpoint:
    return Checkpoint(id=row.id, org_id=row.org_id, created_at=row.created_at,
                      key_id=row.key_id, stream_count=int(row.stream_count),
                      movement_count=int(row.movement_count), heads_digest=row.heads_digest,
                      document=row.document, signature=row.signature)


class CheckpointRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def stream_heads(self) -> list[StreamHead]:
        """Every stream (lot, or product) that has movements, with its head; one statement,
        so one snapshot on both databases."""
        heads = union_all(*(
            select(table.c.id, table.c.chain_seq, table.c.chain_head)
            .where(table.c.org_id == self.org_id, table.c.chain_seq > 0)
            for table in (t.batches, t.products)))
        return sorted(StreamHead(row.id, int(row.chain_seq), str(row.chain_head))
                      for row in self.conn.execute(select(heads.subquery())))

    def insert(self, checkpoint: Checkpoint) -> None:
        self.conn.execute(insert(t.ledger_checkpoints).values(
            id=checkpoint.id, org_id=checkpoint.org_id, created_at=checkpoint.created_at,
            key_id=checkpoint.key_id, stream_count=checkpoint.stream_count,
            movement_count=checkpoint.movement_count, heads_digest=checkpoint.heads_digest,
            document=checkpoint.document, signature=checkpoint.signature))

    def latest(self) -> Checkpoint | None:
        c = t.ledger_checkpoints.c
        row = self.conn.execute(select(t.ledger_checkpoints).where(c.org_id == self.org_id)
                                .order_by(c.created_at.desc(), c.id.desc()).limit(1)).first()
        return None if row is None else checkpoint_from_row(row)

    def newest_first(self, limit: int, before_id: str | None = None) -> list[Checkpoint]:
        """A page, newest first; ids are UUIDv7, so id order is creation order."""
        c = t.ledger_checkpoints.c
        statement = select(t.ledger_checkpoints).where(c.org_id == self.org_id)
        if before_id is not None:
            statement = statement.where(c.id < before_id)
        return [checkpoint_from_row(row) for row in self.conn.execute(
            statement.order_by(c.id.desc()).limit(limit))]

    def oldest_first(self) -> Iterator[Checkpoint]:
        c = t.ledger_checkpoints.c
        for row in self.conn.execute(select(t.ledger_checkpoints)
                                     .where(c.org_id == self.org_id).order_by(c.id)):
            yield checkpoint_from_row(row)

    def movements_at(self, positions: Sequence[tuple[str, int]]
                     ) -> dict[tuple[str, int], tuple[str, str]]:
        """(stream_id, seq) -> (movement id, hash) for the positions that still exist."""
        m = t.movements.c
        found: dict[tuple[str, int], tuple[str, str]] = {}
        for start in range(0, len(positions), LOOKUP_CHUNK):
            chunk = positions[start:start + LOOKUP_CHUNK]
            statement = select(m.stream_id, m.seq, m.id, m.hash).where(
                m.org_id == self.org_id, tuple_(m.stream_id, m.seq).in_(chunk))
            for row in self.conn.execute(statement):
                found[(row.stream_id, int(row.seq))] = (row.id, row.hash)
        return found
