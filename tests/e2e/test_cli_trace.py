"""`lotline trace`, `transform`, `recall`, `reports`, `export epcis` and `ledger verify`, driven
through Typer's runner on SQLite and PostgreSQL, on the genealogy of tests/trace_world.py.
Trees and tables are checked exactly; tampering behind the app's back makes `ledger verify`
exit 1 naming the row."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_kit import Run, data_error, make_cli, ok, usage_error
from sqlalchemy import text, update

import lotline
from lotline.adapters import tables as t
from lotline.domain.reports import FSMA204_COLUMNS
from trace_world import World, add_hamper, build_world

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EPCIS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "epcis"


def shown(output: str) -> str:
    """The output with ids as `<id>` and Rich's trailing padding removed."""
    return "\n".join(UUID.sub("<id>", line.rstrip()) for line in output.splitlines()) + "\n"


def trimmed(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.splitlines()) + "\n"


def world_cli(url: str, engine: Any) -> tuple[World, Run]:
    """A world in an organization of its own, and the CLI working in it."""
    name = f"cli-trace-{uuid.uuid4().hex[:8]}"
    world = build_world(lotline.create_services(organization=name, engine=engine))
    run = make_cli(url)

    def cli(*args: str, stdin: str | None = None) -> Any:
        return run("--organization", name, *args, stdin=stdin)

    return world, cli


@pytest.fixture(scope="module")
def read_world(database: Any) -> tuple[World, Run]:
    """One world per backend for the commands that only read."""
    return world_cli(database.url, database.engine)


@pytest.fixture
def own_world(database: Any) -> tuple[World, Run]:
    return world_cli(database.url, database.engine)


FORWARD_TREE = "\n".join((
    "Lot OF-26-01 · OIL-BULK (Olive oil, bulk) · supplier Olive Farm · expires 2027-06-30 · "
    "shipped 0, on hand 40",
    "└── used in TR-BLEND (production) →",
    "    └── Lot BL-1 · OIL-BLEND (Olive oil blend) · expires 2027-03-31 · shipped 5, on hand 25",
    "        ├── Carol Cafe — order SO-CAROL: 5",
    "        └── used in TR-REPACK (repacking) →",
    "            ├── Lot BT-1 · BOTTLE-500 (Olive oil 500 ml bottle) · expires 2027-03-31 · "
    "shipped 50, on hand 10",
    "            │   ├── Alice Deli — order SO-ALICE: 20",
    "            │   └── Bob Market — order SO-BOB: 30",
    "            └── Lot GB-1 · GIFT-BOX (Gift box) · expires 2027-03-31 · shipped 2, on hand 3",
    "                └── Alice Deli — order SO-ALICE: 2 [GB-001, GB-002]",
    "",
))


def test_trace_batch_forward_is_a_tree_of_every_customer(read_world: tuple[World, Run]
                                                         ) -> None:
    world, cli = read_world
    assert ok(cli("trace", "batch", "OF-26-01")) == FORWARD_TREE
    assert ok(cli("trace", "batch", world.lot_id("OF-26-01"), "--direction", "forward")) \
        == FORWARD_TREE
    rows = list(csv.DictReader(io.StringIO(ok(cli("trace", "batch", "OF-26-01", "-f",
                                                  "csv")))))
    assert [(r["depth"], r["batch_number"], r["customer_name"], r["quantity"],
             r["serial_numbers"]) for r in rows] == [
        ("1", "BL-1", "Carol Cafe", "5", ""), ("2", "BT-1", "Alice Deli", "20", ""),
        ("2", "BT-1", "Bob Market", "30", ""), ("2", "GB-1", "Alice Deli", "2", "GB-001 GB-002")]
    tree = json.loads(ok(cli("trace", "batch", "OF-26-01", "-f", "json")))
    assert tree["outputs"][0]["lot"]["batch_number"] == "BL-1"


def test_trace_batch_backward_and_a_serial(read_world: tuple[World, Run]) -> None:
    _world, cli = read_world
    today = _world.svc.actor.now().date().isoformat()
    assert ok(cli("trace", "batch", "GB-1", "--direction", "backward")) == f"""\
Lot GB-1 · GIFT-BOX (Gift box) · expires 2027-03-31
└── made by TR-REPACK (repacking) on {today} from
    └── Lot BL-1 · OIL-BLEND (Olive oil blend) · expires 2027-03-31
        └── made by TR-BLEND (production) on {today} from
            ├── Lot OF-26-01 · OIL-BULK (Olive oil, bulk) · supplier Olive Farm · expires 2027-06-30
            │   └── received 100 on {today} (receipt ASN-OF-1)
            └── Lot HG-77 · OIL-BULK (Olive oil, bulk) · supplier Hill Grove · expires 2027-03-31
                └── received 50 on {today} (receipt ASN-HG-1)
"""
    unit = ok(cli("trace", "serial", "GB-002"))
    assert unit.splitlines()[:3] == ["Serial GB-002 · SHIPPED",
                                     "├── order SO-ALICE (Alice Deli)",
                                     "└── Lot GB-1 · GIFT-BOX (Gift box) · expires 2027-03-31"]
    assert "received 100" in unit and "Hill Grove" in unit
    scanned = ok(cli("trace", "scan", "(01)09506000134352(10)BT-1", "--direction", "forward"))
    assert scanned.splitlines()[1:] == [
        "├── Alice Deli — order SO-ALICE: 20", "└── Bob Market — order SO-BOB: 30"]


def test_unknown_numbers_are_data_errors_naming_them(read_world: tuple[World, Run]) -> None:
    _world, cli = read_world
    assert data_error(cli("trace", "serial", "GB-999")) == \
        "error: not_found: serial not found: serial_number=GB-999\n"
    assert data_error(cli("trace", "batch", "LOT-NOPE")) == \
        "error: not_found: batch not found: batch_number=LOT-NOPE\n"
    assert "'sideways'" in usage_error(cli("trace", "batch", "BT-1", "--direction",
                                           "sideways"))


def test_reports_as_tables_csv_and_the_fsma_spreadsheet(read_world: tuple[World, Run],
                                                        tmp_path: Path) -> None:
    world, cli = read_world
    ids = {key: product.id for key, product in world.products.items()}
    assert trimmed(ok(cli("reports", "valuation"))) == f"""\
Report valuation
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━┓
┃ product_id                           ┃ product_sku ┃ on_hand ┃    value ┃ average_cost ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━┩
│ {ids["bottle"]} │ BOTTLE-500  │      10 │ 25.84615 │     2.584615 │
│ {ids["gift"]} │ GIFT-BOX    │       3 │ 7.753845 │     2.584615 │
│ {ids["blend"]} │ OIL-BLEND   │      25 │       60 │          2.4 │
│ {ids["bulk"]} │ OIL-BULK    │      45 │       95 │     2.111111 │
└──────────────────────────────────────┴─────────────┴─────────┴──────────┴──────────────┘
                                          4 rows
"""
    valuation = ok(cli("reports", "valuation", "-f", "csv")).splitlines()
    assert valuation[0] == "product_id,product_sku,on_hand,value,average_cost"
    assert valuation[1].endswith(",BOTTLE-500,10,25.84615,2.584615")
    sheet = tmp_path / "fsma.xlsx"
    assert ok(cli("reports", "fsma204", "--batch", "BT-1", "-f", "xlsx", "-o", str(sheet))) \
        == f"wrote report fsma204 (3 rows) to {sheet}\n"
    rows = list(openpyxl.load_workbook(sheet).worksheets[0].values)
    assert rows[0] == FSMA204_COLUMNS
    assert [(r[0], r[2], r[5], r[21], r[24], r[30]) for r in rows[1:]] == [
        ("shipping", "BT-1", 20, "Alice Deli", "Lisbon", "SO-ALICE"),
        ("shipping", "BT-1", 30, "Bob Market", "Porto", "SO-BOB"),
        ("transformation_output", "BT-1", 60, None, None, "TR-REPACK")]
    assert "takes no days" in usage_error(cli("reports", "valuation", "--days", "3"))
    assert "XLSX report needs --output" in usage_error(cli("reports", "valuation", "-f",
                                                           "xlsx"))
    assert data_error(cli("reports", "fsma204", "--start", "2026-05-01", "--end",
                          "2026-04-01")) == \
        "error: validation_error: end: 2026-04-01 is before start 2026-05-01\n"
    assert world.lot_id("BT-1")


@pytest.mark.skipif(not (EPCIS / "EPCIS-JSON-Schema.json").exists(),
                    reason="the GS1 EPCIS schema is not in shared/standards/epcis")
def test_export_epcis_writes_a_valid_document(read_world: tuple[World, Run],
                                              tmp_path: Path) -> None:
    from jsonschema import Draft7Validator

    _world, cli = read_world
    target = tmp_path / "events.jsonld"
    message = ok(cli("export", "epcis", "--output", str(target)))
    document = json.loads(target.read_text(encoding="utf-8"))
    count = len(document["epcisBody"]["eventList"])
    # 9: one event a shipment (SO-ALICE's lot and two units are one)
    assert message == f"wrote {count} EPCIS events to {target}\n" and count == 9
    schema = json.loads((EPCIS / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(document)) == []
    lot_only = json.loads(ok(cli("export", "epcis", "--batch", "GB-1")))
    assert list(validator.iter_errors(lot_only)) == []


def test_a_recall_from_the_command_line(own_world: tuple[World, Run], tmp_path: Path) -> None:
    world, cli = own_world
    created = trimmed(ok(cli("recall", "create", "--batch", "OF-26-01", "--hold", "--reason",
                             "Pesticide residue above the limit")))
    recall = world.svc.recalls.list()[0]
    assert created.startswith(f"""\
Recall RC-000001 (open)
┌───────────────┬──────────────────────────────────────┐
│ Reason        │ Pesticide residue above the limit    │
│ Lots          │ 4 affected, 4 put on recall hold     │
│ Customers     │ 3                                    │
│ Shipped       │ 57                                   │
│ Recovered     │ 0                                    │
│ Effectiveness │ 0.00 %                               │
│ Created       │ {recall.created_at:%Y-%m-%d %H:%M:%S} UTC              │
│ Closed        │ —                                    │
│ ID            │ {recall.id} │
└───────────────┴──────────────────────────────────────┘
""")
    assert created.split("┘\n", 1)[1] == """\
Affected lots
┏━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━┓
┃ Lot      ┃ Product    ┃ Supplier   ┃ Depth ┃ Expiry     ┃
┡━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━┩
│ OF-26-01 │ OIL-BULK   │ Olive Farm │ 0     │ 2027-06-30 │
│ BL-1     │ OIL-BLEND  │ —          │ 1     │ 2027-03-31 │
│ BT-1     │ BOTTLE-500 │ —          │ 2     │ 2027-03-31 │
│ GB-1     │ GIFT-BOX   │ —          │ 2     │ 2027-03-31 │
└──────────┴────────────┴────────────┴───────┴────────────┘
Shipped to
┏━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ Customer   ┃ Order    ┃ Lot  ┃ Quantity ┃ Returned ┃ Serial numbers ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ Alice Deli │ SO-ALICE │ BT-1 │       20 │        0 │ —              │
│ Alice Deli │ SO-ALICE │ GB-1 │        2 │        0 │ GB-001 GB-002  │
│ Bob Market │ SO-BOB   │ BT-1 │       30 │        0 │ —              │
│ Carol Cafe │ SO-CAROL │ BL-1 │        5 │        0 │ —              │
└────────────┴──────────┴──────┴──────────┴──────────┴────────────────┘
On hand
┏━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━┓
┃ Lot      ┃ Location ┃ Quantity ┃ Allocated ┃
┡━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━┩
│ OF-26-01 │ STOCK    │       40 │         0 │
│ BL-1     │ STOCK    │       25 │         0 │
│ BT-1     │ STOCK    │       10 │         0 │
│ GB-1     │ STOCK    │        3 │         0 │
└──────────┴──────────┴──────────┴───────────┘
"""
    assert world.svc.batches.get(world.lot_id("GB-1")).hold is not None
    world.svc.orders.returns(world.orders["SO-BOB"].id,
                             [{"batch_id": world.lot_id("BT-1"), "quantity": 10}],
                             reason="recall")
    assert ok(cli("recall", "note", "RC-000001", "Bob returned 10")) == \
        "recall RC-000001: 1 notes\n"
    export = list(csv.DictReader(io.StringIO(ok(cli("recall", "export", "RC-000001")))))
    assert [(r["customer_name"], r["order_reference"], r["batch_number"], r["quantity"])
            for r in export if r["section"] == "shipped"] == [
        ("Alice Deli", "SO-ALICE", "BT-1", "20"), ("Alice Deli", "SO-ALICE", "GB-1", "2"),
        ("Bob Market", "SO-BOB", "BT-1", "30"), ("Carol Cafe", "SO-CAROL", "BL-1", "5")]
    book = tmp_path / "recall.xlsx"
    assert ok(cli("recall", "export", "RC-000001", "-f", "xlsx", "-o", str(book))) == \
        f"wrote recall RC-000001 to {book}\n"
    assert openpyxl.load_workbook(book).worksheets[0].max_row == len(export) + 1
    listed = json.loads(ok(cli("recall", "list", "-f", "json")))
    assert [(r["reference"], r["recovered_quantity"], r["effectiveness"]) for r in listed] \
        == [("RC-000001", 10, 0.1754)]
    assert ok(cli("recall", "close", "RC-000001", "--note", "done")) == \
        "recall RC-000001 closed: 10 of 57 recovered (17.54 %)\n"
    assert data_error(cli("recall", "close", "RC-000001")) == \
        "error: conflict: recall 'RC-000001' is already closed\n"
    shown_again = json.loads(ok(cli("recall", "show", "RC-000001", "-f", "json")))
    assert [n["text"] for n in shown_again["notes"]] == ["Bob returned 10", "done"]


def test_a_recall_follows_units_installed_in_a_shipped_assembly(
        own_world: tuple[World, Run]) -> None:
    world, cli = own_world
    add_hamper(world)
    created = trimmed(ok(cli("recall", "create", "--batch", "GB-1", "--reason", "cracked")))
    assert created.split("Shipped to\n", 1)[1] == """\
┏━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Customer   ┃ Order     ┃ Lot  ┃ Quantity ┃ Returned ┃ Serial numbers              ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ Alice Deli │ SO-ALICE  │ GB-1 │        2 │        0 │ GB-001 GB-002               │
│ Dave Diner │ SO-HAMPER │ GB-1 │        2 │        0 │ GB-003 GB-004 inside HM-001 │
└────────────┴───────────┴──────┴──────────┴──────────┴─────────────────────────────┘
On hand
┏━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━┓
┃ Lot  ┃ Location ┃ Quantity ┃ Allocated ┃
┡━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━┩
│ GB-1 │ STOCK    │        1 │         0 │
└──────┴──────────┴──────────┴───────────┘
Installed in assemblies
┏━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━┓
┃ Lot  ┃ Serial number ┃ Assembly ┃ Status  ┃ Location ┃
┡━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━┩
│ GB-1 │ GB-003        │ HM-001   │ SHIPPED │ —        │
│ GB-1 │ GB-004        │ HM-001   │ SHIPPED │ —        │
└──────┴───────────────┴──────────┴─────────┴──────────┘
"""
    forward = json.loads(ok(cli("trace", "batch", "GB-1", "-f", "json")))
    assert [(d["customer_name"], d["serial_numbers"], d["inside_assemblies"])
            for d in forward["deliveries"]] == [
        ("Alice Deli", ["GB-001", "GB-002"], []),
        ("Dave Diner", ["GB-003", "GB-004"], ["HM-001"])]


def test_bad_recalls_write_nothing(own_world: tuple[World, Run]) -> None:
    world, cli = own_world
    assert data_error(cli("recall", "create", "--supplier", "Olive Farm", "--received-from",
                          "2026-05-01", "--received-to", "2026-01-01", "--reason", "x")) == \
        ("error: validation_error: received_to: 2026-01-01 is before received_from "
         "2026-05-01\n")
    assert data_error(cli("recall", "create", "--reason", "x")) == (
        "error: validation_error: batch_ids: give batch_ids, or supplier_id with a date "
        "range\n")
    assert data_error(cli("recall", "create", "--batch", "NOPE", "--reason", "x")) == \
        "error: not_found: batch not found: batch_number=NOPE\n"
    assert world.svc.recalls.list() == []
    assert data_error(cli("recall", "show", "RC-404")) == \
        "error: not_found: recall not found: reference=RC-404\n"


def test_transform_from_options_and_from_a_file(own_world: tuple[World, Run],
                                                tmp_path: Path) -> None:
    world, cli = own_world
    assert shown(ok(cli("transform", "--input", "HG-77:2.5", "--output",
                        "OIL-BLEND:BL-CLI:2.5:2027-01-31", "--reference", "TR-CLI"))) == """\
Transformation TR-CLI (production)
┏━━━━━┳━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━┓
┃     ┃ Lot    ┃ Quantity ┃ Serial ┃
┡━━━━━╇━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━┩
│ in  │ HG-77  │      2.5 │ —      │
│ out │ BL-CLI │      2.5 │ —      │
└─────┴────────┴──────────┴────────┘
"""
    spec = tmp_path / "kit.json"
    spec.write_text(json.dumps({
        "kind": "kitting", "reference": "TR-KIT",
        "inputs": [{"batch": "BT-1", "quantity": 1}, {"serial_number": "GB-003"}],
        "outputs": [{"product": "GIFT-BOX", "batch_number": "KIT-1", "quantity": 1,
                     "serial_numbers": ["KIT-0001"]}]}), encoding="utf-8")
    made = json.loads(ok(cli("transform", "--file", str(spec), "-f", "json")))
    assert (made["reference"], made["kind"], len(made["outputs"][0]["serial_ids"])) == (
        "TR-KIT", "kitting", 1)
    kit_tree = ok(cli("trace", "serial", "KIT-0001"))
    assert "made by TR-KIT (kitting)" in kit_tree and "units GB-003" in kit_tree
    before = world.svc.batches.get(world.lot_id("HG-77")).balance_quantity
    assert data_error(cli("transform", "--input", "HG-77:500", "--output",
                          "OIL-BLEND:BL-OVER:500")) == (
        "error: insufficient_stock: inputs.0: lot 'HG-77' has 2.5 free at that location; "
        "500 were asked for (short by 497.5)\n")
    assert world.svc.batches.get(world.lot_id("HG-77")).balance_quantity == before
    assert world.svc.batches.by_number("BL-OVER") == []
    assert "LOT:QUANTITY" in usage_error(cli("transform", "--input", "HG-77", "--output",
                                             "OIL-BLEND:X:1"))
    assert "give inputs" in usage_error(cli("transform"))


# --- the ledger --------------------------------------------------------------------------------


@pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
def test_ledger_verify_exits_1_naming_a_row_changed_behind_the_apps_back(
        fresh_database: Any) -> None:
    world, cli = world_cli(fresh_database.url, fresh_database.engine)
    assert ok(cli("ledger", "verify")).startswith("ledger: ")
    assert ok(cli("ledger", "verify")).endswith("checked: ok\n")
    engine = fresh_database.engine
    m = t.movements.c
    with engine.begin() as conn:
        target = conn.execute(t.movements.select().where(
            m.batch_id == world.lot_id("BL-1"), m.kind == "shipment")).one()
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER movements_no_update"))
            conn.execute(text("DROP TRIGGER movements_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER movements_append_only ON movements"))
        conn.execute(update(t.movements).where(m.id == target.id).values(reason="edited"))
    result = cli("ledger", "verify")
    assert result.exit_code == 1
    assert result.stderr == "error: ledger_mismatch: 1 problem found; nothing was repaired\n"
    assert target.id in result.stdout and world.lot_id("BL-1") in result.stdout
    assert "tampered" in result.stdout and "does not match its hash" in result.stdout
    report = json.loads(cli("ledger", "verify", "-f", "json").stdout)
    assert report["ok"] is False
    assert [(p["kind"], p["stream_id"], p["movement_id"]) for p in report["problems"]] == [
        ("tampered", world.lot_id("BL-1"), target.id)]
    with engine.connect() as conn:  # never repaired
        assert conn.execute(t.movements.select().with_only_columns(m.reason).where(
            m.id == target.id)).scalar_one() == "edited"
