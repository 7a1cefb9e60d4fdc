"""All or nothing: a failure at any step after the serial rows are inserted leaves no trace —
no serials, no movements, no counts, no lot balance, the cap untouched."""

from __future__ import annotations

from typing import Any

import pytest

from lotline.adapters import tables as t
from lotline.adapters.repositories.batches import BatchRepository
from lotline.adapters.repositories.movements import MovementRepository
from lotline.adapters.repositories.serials import SerialRepository
from lotline.bootstrap import Services
from lotline.service_layer.ledger import Ledger
from support import Kit


class Crash(RuntimeError):
    pass


def crash(*_args: Any, **_kwargs: Any) -> None:
    raise Crash("power cut")


# Each step runs after SerialRepository.insert_new inside the same registration.
STEPS = [
    (Ledger, "record"),                     # appending the movement
    (SerialRepository, "bump_count"),       # the per-status counts projection
    (BatchRepository, "add_balance"),       # the lot balance projection
    (MovementRepository, "insert_many"),    # the ledger flush at commit
    (MovementRepository, "move_stream_head"),  # the chain head at commit
]


@pytest.mark.parametrize(("owner", "method"), STEPS,
                         ids=[f"{o.__name__}.{m}" for o, m in STEPS])
def test_failure_halfway_through_register_serials_leaves_nothing(
        svc: Services, kit: Kit, monkeypatch: pytest.MonkeyPatch, owner: type,
        method: str) -> None:
    product, batch = kit.serial_lot(quantity=5)
    svc.serials.register("KEEP-1", batch_id=batch.id)
    inserted: list[int] = []
    real_insert = SerialRepository.insert_new

    def spy_insert(self: SerialRepository, new: Any) -> None:
        real_insert(self, new)
        inserted.append(len(new.numbers))

    before = (kit.count(t.serials), len(kit.movements()), svc.serials.counts(),
              svc.batches.get(batch.id), kit.chain_problems())
    monkeypatch.setattr(SerialRepository, "insert_new", spy_insert)
    monkeypatch.setattr(owner, method, crash)
    with pytest.raises(Crash):
        svc.batch_tracking.register_serials(batch.id, ["NEW-1", "NEW-2", "NEW-3", "NEW-4"])
    monkeypatch.undo()
    assert inserted == [4]  # the rows were written before the failure ...
    after = (kit.count(t.serials), len(kit.movements()), svc.serials.counts(),
             svc.batches.get(batch.id), kit.chain_problems())
    assert after == before  # ... and rolled back with everything else
    assert svc.serials.find("NEW-1") is None
    assert svc.serials.search(q="NEW").items == []
    # The numbers are free and the cap is intact: exactly four more fit.
    again = svc.serials.register_many(["NEW-1", "NEW-2", "NEW-3", "NEW-4"], batch_id=batch.id)
    assert [s.serial_number for s in svc.serials.search(q="NEW-").items] == [
        "NEW-1", "NEW-2", "NEW-3", "NEW-4"]
    assert len(again) == 4
    assert svc.batches.get(batch.id).balance_quantity == 5
    assert svc.serials.counts(product_id=product.id)["IN_STOCK"] == 5
    assert kit.chain_problems() == []
    assert svc.ledger.verify().ok


def test_failure_in_a_status_change_leaves_the_serial_as_it_was(
        svc: Services, kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("S-1", batch_id=batch.id)
    monkeypatch.setattr(MovementRepository, "insert_many", crash)
    with pytest.raises(Crash):
        svc.serials.change_status(serial.id, "SHIPPED")
    monkeypatch.undo()
    assert svc.serials.get(serial.id) == serial
    assert svc.batches.get(batch.id).balance_quantity == 1
    assert svc.serials.counts()["SHIPPED"] == 0
    assert len(kit.movements()) == 1
    assert svc.serials.change_status(serial.id, "SHIPPED").status.value == "SHIPPED"
    assert kit.chain_problems() == []


def test_failure_creating_a_lot_leaves_no_lot(svc: Services, kit: Kit,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    product = kit.product("lot")
    monkeypatch.setattr(Ledger, "record", crash)
    with pytest.raises(Crash):
        kit.lot(product, "L-1", quantity=10)
    monkeypatch.undo()
    assert kit.count(t.batches) == 0
    assert kit.count(t.lot_balances) == 0
    assert kit.lot(product, "L-1", quantity=10).balance_quantity == 10
