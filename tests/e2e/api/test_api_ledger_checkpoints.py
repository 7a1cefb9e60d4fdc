"""/ledger/checkpoints and `POST /ledger/verify` with checkpoints (issue 17, finding 14):
admins sign the chain heads, list and export the checkpoints, and send the export back to
prove the chains against it; a forged checkpoint is reported, a malformed one is a 422."""

from __future__ import annotations

from typing import Any

from api_kit import Api, assert_problem, field_names

from lotline.domain.checkpoints import read_document


def test_sign_list_export_and_verify_against_the_export(api: Api) -> None:
    product = api.product()
    lot = api.batch(product["id"], quantity="4")
    made = api.post("/ledger/checkpoints")
    assert made.status_code == 201, made.text
    checkpoint = made.json()
    heads = read_document(checkpoint["document"]).heads
    assert [(h.stream_id, h.seq) for h in heads] == [(lot["id"], 1)]
    assert (checkpoint["stream_count"], checkpoint["movement_count"]) == (1, 1)
    listed = api.get("/ledger/checkpoints", params={"limit": 1}).json()
    assert ([c["id"] for c in listed["items"]], listed["next_cursor"]) == ([checkpoint["id"]],
                                                                           None)
    exported = api.get("/ledger/checkpoints/export").json()
    assert exported["format"] == "lotline-ledger-checkpoints"
    assert exported["key_id"] == checkpoint["key_id"]
    assert exported["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert exported["checkpoints"] == [checkpoint]
    report = api.post("/ledger/verify", json=exported).json()
    assert (report["ok"], report["checkpoints"], report["problems"]) == (True, 1, [])


def test_a_forged_checkpoint_is_a_problem_and_a_malformed_one_a_422(api: Api) -> None:
    api.batch(api.product()["id"], quantity="2")
    assert api.post("/ledger/checkpoints").status_code == 201
    exported: dict[str, Any] = api.get("/ledger/checkpoints/export").json()
    record = exported["checkpoints"][0]
    forged = {**record, "document": record["document"].replace('"seq":1', '"seq":9')}
    report = api.post("/ledger/verify", json={**exported, "checkpoints": [forged]}).json()
    assert (report["ok"], report["checkpoints"]) == (False, 0)
    assert [p["kind"] for p in report["problems"]] == ["checkpoint_signature"]
    missing = {key: value for key, value in record.items() if key != "signature"}
    assert field_names(api.post("/ledger/verify", json={"checkpoints": [missing]})) == [
        "checkpoints.0.signature"]
    bad_key = api.post("/ledger/verify", json={**exported, "public_key": "not a key"})
    assert field_names(bad_key) == ["public_key"]


def test_checkpoints_are_for_admins(api: Api) -> None:
    for role in ("manager", "viewer"):
        assert_problem(api.post("/ledger/checkpoints", role=role), 403, "forbidden")
        assert_problem(api.get("/ledger/checkpoints", role=role), 403, "forbidden")
        assert_problem(api.get("/ledger/checkpoints/export", role=role), 403, "forbidden")
