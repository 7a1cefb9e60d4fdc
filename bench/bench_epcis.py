"""EPCIS capture and query against the raw driver (issue 15), on SQLite.

epcis_capture: a generated EPCISDocument of 100,000 ObjectEvents captured by the command line
(`lotline epcis capture FILE`, a process of its own, timed from start to exit, its peak memory
its own VmHWM: schema check, index, idempotency and storage included), vs. the same rows
inserted raw into `epcis_events` and `epcis_event_refs` (sqlite3 `executemany` in one
transaction, rows built before the clock starts). Target: peak < 300 MB.

epcis_query: `MATCH_epc` of one unit among the captured events through the service (an
EPCISQueryDocument with lotline's own events merged in), vs. the raw SQL of the same lookup.

Prints `epcis_capture (sqlite): ours X events/s, raw Y events/s, ratio R, peak N MB` and
`epcis_query (sqlite): ours X/s, raw Y/s, ratio R`."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_import import WRAPPER
from lotline.adapters.types import sqlite_timestamp
from lotline.domain.epcis_index import index_event
from lotline.domain.ids import new_id
from support import Bench, Result, rate, report, sqlite_bench

EVENTS = int(os.environ.get("LOTLINE_BENCH_EPCIS_EVENTS", "100000"))
QUERIES = 50
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
GTIN = "09506000134376"


def event(prefix: str, index: int) -> dict[str, Any]:
    return {"type": "ObjectEvent", "eventID": f"urn:uuid:{prefix}-{index}",
            "eventTime": f"2026-04-{1 + index % 28:02d}T{index % 24:02d}:{index % 60:02d}:00Z",
            "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
            "epcList": [f"https://id.gs1.org/01/{GTIN}/21/{prefix}-{index}"],
            "readPoint": {"id": "https://id.gs1.org/414/4012345000009/254/DOCK"}}


def write_document(path: Path, prefix: str) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(f'{{"@context": ["{CONTEXT}"], "type": "EPCISDocument", '
                  '"schemaVersion": "2.0", "creationDate": "2026-04-10T10:00:00Z", '
                  '"epcisBody": {"eventList": [')
        for index in range(EVENTS):
            out.write(("," if index else "") + json.dumps(event(prefix, index)))
        out.write("]}}")


def raw_capture(bench: Bench) -> float:
    """Events per second of the same rows inserted with the driver (a capture row first)."""
    org, capture_id, now = bench.svc.org_id, new_id(), sqlite_timestamp(dt.datetime.now(dt.UTC))
    rows, refs = [], []
    for index in range(EVENTS):
        data = event("RAW", index)
        found = index_event(data)
        row_id = new_id()
        rows.append((row_id, org, capture_id, found.key, found.event_type,
                     sqlite_timestamp(found.event_time), now, found.action, found.biz_step,
                     found.disposition, found.read_point, found.biz_location, "{}",
                     json.dumps(data)))
        refs += [(row_id, role, value, org) for role, value in sorted(found.refs)]
    conn = bench.sqlite_connect()
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO epcis_captures (id, org_id, created_at, running, success, "
                 "error_behaviour, event_count, captured_count, errors, receipt_ids, "
                 "expected_lots) VALUES (?, ?, ?, 0, 1, 'rollback', ?, ?, '[]', '[]', '[]')",
                 (capture_id, org, now, EVENTS, EVENTS))
    conn.executemany("INSERT INTO epcis_events (id, org_id, capture_id, event_key, event_type, "
                     "event_time, record_time, action, biz_step, disposition, read_point, "
                     "biz_location, namespaces, event) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO epcis_event_refs (event_id, role, value, org_id) "
                     "VALUES (?, ?, ?, ?)", refs)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return EVENTS / seconds


def run_cli(*arguments: str) -> tuple[float, float]:
    """(seconds, peak MB) of a `lotline` command in a process of its own."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *arguments], capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"lotline failed: {done.stderr or done.stdout}")
    peaks = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    return seconds, int(peaks[-1]) / 1024


def query_rates(bench: Bench) -> Result:
    unit = f"https://id.gs1.org/01/{GTIN}/21/OURS-{EVENTS // 2}"
    epcis = bench.svc.epcis_query

    def ours() -> None:
        for _ in range(QUERIES):
            page = epcis.events({"MATCH_epc": [unit]})
            assert len(page.document["epcisBody"]["queryResults"]["resultsBody"][
                "eventList"]) == 1

    conn = bench.sqlite_connect()
    sql = ("SELECT e.event FROM epcis_events e WHERE e.org_id = ? AND e.id IN (SELECT event_id "
           "FROM epcis_event_refs WHERE org_id = ? AND value = ?) ORDER BY e.event_time, "
           "e.event_key LIMIT 101")
    org = bench.svc.org_id

    def raw() -> None:
        for _ in range(QUERIES):
            found = conn.execute(sql, (org, org, unit)).fetchall()
            assert len([json.loads(row[0]) for row in found]) == 1

    result = Result("epcis_query (sqlite)", rate(QUERIES, ours), rate(QUERIES, raw))
    conn.close()
    return result


def main(postgres_url: str | None = None) -> list[str]:
    with sqlite_bench() as bench, tempfile.TemporaryDirectory() as directory:
        raw = raw_capture(bench)
        path = Path(directory) / "events.jsonld"
        write_document(path, "OURS")
        assert bench.sqlite_path is not None
        command = ("--database-url", f"sqlite:///{bench.sqlite_path}", "--organization",
                   "bench", "epcis", "capture", str(path))
        seconds, peak = run_cli(*command)
        line = (f"epcis_capture (sqlite): ours {EVENTS / seconds:.0f} events/s, raw "
                f"{raw:.0f} events/s, ratio {EVENTS / seconds / raw:.2f}, peak {peak:.0f} MB")
        print(line, flush=True)
        query = report(query_rates(bench))
        return [line, query.line()]


if __name__ == "__main__":
    if str(Path(__file__).resolve().parent) not in sys.path:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
