"""The serial lifecycle of DESIGN §2: the transition table over every pair of statuses, the
ledger kind of each allowed transition, and the aliases of every closed vocabulary."""

from __future__ import annotations

import itertools

import pytest

from lotline.domain.errors import ValidationError
from lotline.domain.statuses import (
    CUSTODY_STATUSES,
    KEEP,
    MOVEMENT_KINDS,
    TRANSITIONS,
    HoldKind,
    LocationKind,
    MovementKind,
    RemovalStrategy,
    Role,
    SerialStatus,
    Tracking,
    allowed_targets,
    destination,
    is_allowed,
    parse_enum,
)

S = SerialStatus

CANONICAL = ["EXPECTED", "RECEIVED", "IN_STOCK", "ALLOCATED", "PICKED", "SHIPPED", "RETURNED",
             "DEFECTIVE", "SCRAPPED", "CONSUMED", "INSTALLED", "CANCELLED"]

# DESIGN §2's table, written out again by hand (not derived from the code under test).
DESIGN_TABLE = {
    "EXPECTED": {"RECEIVED", "IN_STOCK", "CANCELLED"},
    "RECEIVED": {"IN_STOCK", "CANCELLED"},
    "IN_STOCK": {"ALLOCATED", "SHIPPED", "DEFECTIVE", "SCRAPPED", "CONSUMED", "INSTALLED",
                 "CANCELLED"},
    "ALLOCATED": {"IN_STOCK", "PICKED", "SHIPPED"},
    "PICKED": {"SHIPPED", "IN_STOCK"},
    "SHIPPED": {"RETURNED", "DEFECTIVE"},
    "RETURNED": {"IN_STOCK", "DEFECTIVE", "SCRAPPED"},
    "DEFECTIVE": {"IN_STOCK", "SCRAPPED"},
    "INSTALLED": {"IN_STOCK", "SCRAPPED"},
    "SCRAPPED": set(),
    "CONSUMED": set(),
    "CANCELLED": set(),
}
ALLOWED_PAIRS = {(a, b) for a, targets in DESIGN_TABLE.items() for b in targets}


def test_canonical_members_are_exactly_the_twelve_statuses() -> None:
    assert [m.value for m in SerialStatus] == CANONICAL
    assert [m.name for m in SerialStatus] == CANONICAL
    assert set(TRANSITIONS) == set(SerialStatus)


@pytest.mark.parametrize(("current", "target"),
                         list(itertools.product(CANONICAL, CANONICAL)))
def test_every_pair_of_statuses(current: str, target: str) -> None:
    expected = (current, target) in ALLOWED_PAIRS
    assert is_allowed(S(current), S(target)) is expected
    assert (S(target) in TRANSITIONS[S(current)]) is expected


def test_there_are_exactly_as_many_allowed_pairs_as_design_lists() -> None:
    from_code = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert from_code == ALLOWED_PAIRS
    assert len(from_code) == 26


@pytest.mark.parametrize("status", CANONICAL)
def test_same_status_is_never_a_transition(status: str) -> None:
    assert not is_allowed(S(status), S(status))


@pytest.mark.parametrize("status", ["SCRAPPED", "CONSUMED", "CANCELLED"])
def test_final_statuses_have_no_transitions(status: str) -> None:
    assert allowed_targets(S(status)) == ()


def test_allowed_targets_keep_the_table_order_for_display() -> None:
    assert [s.value for s in allowed_targets(S.IN_STOCK)] == [
        "ALLOCATED", "SHIPPED", "DEFECTIVE", "SCRAPPED", "CONSUMED", "INSTALLED", "CANCELLED"]
    assert [s.value for s in allowed_targets(S.PICKED)] == ["SHIPPED", "IN_STOCK"]


def test_every_transition_has_an_action_label() -> None:
    for current, targets in TRANSITIONS.items():
        for target, label in targets.items():
            assert isinstance(label, str) and label.strip(), (current, target)
    assert TRANSITIONS[S.SHIPPED][S.RETURNED] == "customer return"
    assert TRANSITIONS[S.RECEIVED][S.IN_STOCK] == "put away"


def test_every_allowed_pair_has_exactly_one_movement_kind() -> None:
    pairs = {(a.value, b.value) for a, b in MOVEMENT_KINDS}
    assert pairs == ALLOWED_PAIRS
    assert all(isinstance(kind, MovementKind) for kind in MOVEMENT_KINDS.values())


@pytest.mark.parametrize(("pair", "kind"), [
    (("EXPECTED", "RECEIVED"), "receipt"),
    (("RECEIVED", "IN_STOCK"), "putaway"),
    (("IN_STOCK", "ALLOCATED"), "allocation"),
    (("ALLOCATED", "IN_STOCK"), "deallocation"),
    (("ALLOCATED", "PICKED"), "pick"),
    (("PICKED", "SHIPPED"), "shipment"),
    (("IN_STOCK", "SHIPPED"), "shipment"),
    (("SHIPPED", "RETURNED"), "return"),
    (("IN_STOCK", "SCRAPPED"), "scrap"),
    (("IN_STOCK", "CONSUMED"), "consume"),
    (("IN_STOCK", "INSTALLED"), "install"),
    (("INSTALLED", "IN_STOCK"), "remove"),
    (("IN_STOCK", "CANCELLED"), "cancel"),
])
def test_movement_kind_of_key_transitions(pair: tuple[str, str], kind: str) -> None:
    assert MOVEMENT_KINDS[(S(pair[0]), S(pair[1]))] is MovementKind(kind)


def test_movement_kinds_are_design_section_5s_list() -> None:
    assert {k.value for k in MovementKind} == {
        "receipt", "putaway", "transfer", "allocation", "deallocation", "pick", "shipment",
        "return", "adjustment", "scrap", "consume", "produce", "install", "remove", "cancel",
        "reversal", "status_change"}


# --- custody and default destinations ----------------------------------------------------------

def test_custody_statuses_are_design_section_2s() -> None:
    assert {s.value for s in CUSTODY_STATUSES} == {
        "RECEIVED", "IN_STOCK", "ALLOCATED", "PICKED", "RETURNED", "DEFECTIVE"}


@pytest.mark.parametrize(("pair", "expected"), [
    (("EXPECTED", "RECEIVED"), "RECEIVING"),
    (("EXPECTED", "IN_STOCK"), "STOCK"),
    (("RECEIVED", "IN_STOCK"), "STOCK"),
    (("SHIPPED", "RETURNED"), "RETURNS"),
    (("RETURNED", "IN_STOCK"), "STOCK"),
    (("DEFECTIVE", "IN_STOCK"), "STOCK"),
    (("INSTALLED", "IN_STOCK"), "STOCK"),
    (("IN_STOCK", "ALLOCATED"), KEEP),
    (("ALLOCATED", "PICKED"), KEEP),
    (("ALLOCATED", "IN_STOCK"), KEEP),
    (("PICKED", "IN_STOCK"), KEEP),
    (("IN_STOCK", "DEFECTIVE"), KEEP),
    (("IN_STOCK", "SHIPPED"), None),
    (("PICKED", "SHIPPED"), None),
    (("IN_STOCK", "INSTALLED"), None),
    (("IN_STOCK", "CONSUMED"), None),
    (("RETURNED", "SCRAPPED"), None),
    (("EXPECTED", "CANCELLED"), None),
])
def test_destination(pair: tuple[str, str], expected: str | None) -> None:
    assert destination(S(pair[0]), S(pair[1])) == expected


def test_destination_is_none_exactly_when_the_target_leaves_custody() -> None:
    for current, target in MOVEMENT_KINDS:
        assert (destination(current, target) is None) is (target not in CUSTODY_STATUSES)


# --- aliases -----------------------------------------------------------------------------------

def test_status_aliases_are_the_same_members() -> None:
    assert SerialStatus.AVAILABLE is SerialStatus.IN_STOCK
    assert SerialStatus.IN_INVENTORY is SerialStatus.IN_STOCK
    assert SerialStatus.ASSIGNED is SerialStatus.ALLOCATED
    assert SerialStatus.RESERVED is SerialStatus.ALLOCATED
    assert SerialStatus.SOLD is SerialStatus.SHIPPED


@pytest.mark.parametrize(("text", "member"), [
    ("sold", S.SHIPPED), ("SOLD", S.SHIPPED), ("available", S.IN_STOCK),
    ("AVAILABLE", S.IN_STOCK), ("in_inventory", S.IN_STOCK), ("reserved", S.ALLOCATED),
    ("Assigned", S.ALLOCATED), ("in_stock", S.IN_STOCK), ("IN_STOCK", S.IN_STOCK),
    ("in stock", S.IN_STOCK), ("in-stock", S.IN_STOCK), (" picked ", S.PICKED),
])
def test_status_parsing_accepts_aliases_in_any_case(text: str, member: SerialStatus) -> None:
    assert SerialStatus(text) is member
    assert parse_enum(SerialStatus, text, "status") is member


def test_outputs_use_the_canonical_name() -> None:
    assert SerialStatus("sold").value == "SHIPPED"
    assert str(SerialStatus.AVAILABLE) == "IN_STOCK"
    assert SerialStatus.RESERVED.name == "ALLOCATED"
    assert SerialStatus.AVAILABLE == "IN_STOCK"


@pytest.mark.parametrize("value", ["LOST", "", "in_stockk", 3, None])
def test_unknown_status_is_a_validation_error_naming_the_value(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_enum(SerialStatus, value, "status")
    error = caught.value
    assert error.code == "validation_error"
    assert error.http_status == 422
    assert [e.field for e in error.errors] == ["status"]
    assert error.errors[0].value == value
    assert repr(value) in error.message
    assert "IN_STOCK" in error.message  # the choices are listed


def test_tracking_modes_and_aliases() -> None:
    assert [t.value for t in Tracking] == ["none", "lot", "serial", "lot_serial"]
    assert Tracking("LOT_SERIAL") is Tracking.LOT_SERIAL
    assert Tracking("lot-serial") is Tracking.LOT_SERIAL
    assert Tracking("Serial") is Tracking.SERIAL
    assert Tracking.SERIAL.uses_serials and Tracking.LOT_SERIAL.uses_serials
    assert not Tracking.LOT.uses_serials and not Tracking.NONE.uses_serials
    assert Tracking.LOT.requires_lot and Tracking.LOT_SERIAL.requires_lot
    assert not Tracking.SERIAL.requires_lot and not Tracking.NONE.requires_lot
    with pytest.raises(ValidationError) as caught:
        parse_enum(Tracking, "batch", "tracking")
    assert caught.value.errors[0].field == "tracking"
    assert "'batch'" in caught.value.message


def test_role_aliases_from_seed_004() -> None:
    assert Role("gestor") is Role.MANAGER
    assert Role("consultor") is Role.VIEWER
    assert Role("GESTOR") is Role.MANAGER
    assert Role.GESTOR is Role.MANAGER
    assert Role.CONSULTOR is Role.VIEWER
    assert [r.value for r in Role] == ["admin", "manager", "viewer"]
    assert Role.ADMIN.at_least(Role.MANAGER) and Role.MANAGER.at_least(Role.MANAGER)
    assert not Role.VIEWER.at_least(Role.MANAGER)
    assert not Role.CONSULTOR.at_least(Role.GESTOR)
    with pytest.raises(ValidationError):
        parse_enum(Role, "owner", "role")


def test_other_vocabularies() -> None:
    assert [k.value for k in LocationKind] == [
        "receiving", "storage", "staging", "shipping", "returns", "quarantine"]
    assert [k.value for k in HoldKind] == ["quarantine", "recall", "other"]
    assert [k.value for k in RemovalStrategy] == ["fefo", "fifo", "lifo"]
    assert RemovalStrategy("FEFO") is RemovalStrategy.FEFO
