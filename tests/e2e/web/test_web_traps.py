"""The floor traps of issue 12 that need no browser (TestClient against the app, on SQLite and
PostgreSQL): unknown pages, post/redirect/get, messages in the user's words."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_kit import World, login

from lotline.domain.errors import FieldError, ValidationError
from lotline.entrypoints.web.wording import in_user_words

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_an_unknown_page_is_an_html_page_for_a_browser_and_a_problem_for_an_api_client(
        client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    page = client.get("/nope", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 404
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Page not found</h1>" in page.text
    assert 'href="/serials"' in page.text  # signed in: the navigation is there
    assert "default-src 'self'" in page.headers["content-security-policy"]
    machine = client.get("/nope", headers={"Accept": "application/json"})
    assert machine.status_code == 404
    assert machine.headers["content-type"] == "application/problem+json"
    assert machine.json()["detail"] == "no route GET /nope"
    api = client.get("/api/v1/nope", headers={"Accept": BROWSER_ACCEPT})
    assert api.headers["content-type"] == "application/problem+json"
    client.cookies.clear()
    signed_out = client.get("/nope", headers={"Accept": BROWSER_ACCEPT})
    assert signed_out.status_code == 404 and "Page not found" in signed_out.text


def test_errors_name_the_line_and_product_not_request_paths() -> None:
    error = ValidationError([FieldError("lines.0.lots", "lots add up to 8 but the line "
                                       "expects 10", "8"),
                             FieldError("lines.1.lots.0.batch_number", "is required", None)])
    assert in_user_words(error, [(1, "WIDGET-1"), (2, "GEL-2")]) == (
        "Line 1 (WIDGET-1): lots add up to 8 but the line expects 10; "
        "Line 2 (GEL-2): lot number is required")
    scanned = ValidationError([FieldError("data", "check digit: AI (01) GTIN 09506000134353 "
                                         "has a wrong check digit (expected 2, got 3)", None)])
    assert in_user_words(scanned) == ("AI (01) GTIN 09506000134353 has a wrong check digit "
                                      "(expected 2, got 3)")


def test_a_web_idempotency_key_belongs_to_its_session(web_app: FastAPI,
                                                      world: World) -> None:
    receipt = world.svc.receipts.get(world.ids["receipt"])
    pending = json.dumps([{"batch_number": "IDEM-LOT", "quantity": 2,
                           "serial_numbers": ["IDEM-1", "IDEM-2"]}])
    headers = {"HX-Request": "true", "Idempotency-Key": "web-receive-same"}
    answers = []
    for role in ("manager", "admin"):
        with TestClient(web_app, follow_redirects=False) as client:
            form = {"csrf_token": login(client, world.usernames[role]),
                    "line_id": receipt.lines[0].id, "pending": pending}
            url = f"/receiving/{receipt.id}/receive"
            answers.append(client.post(url, headers=headers, data=form))
            if role == "manager":  # the same session's double submit replays its answer
                again = client.post(url, headers=headers, data=form)
                assert again.headers["hx-redirect"] == answers[0].headers["hx-redirect"]
    assert answers[0].headers["hx-redirect"].endswith("?received=2&posted="
                                                      + receipt.lines[0].id)
    # Another session's key is its own: its request runs (and finds the units received), it
    # is not compared with the first session's request.
    assert answers[1].status_code == 422
    assert answers[1].headers["content-type"] == "text/html; charset=utf-8"
    sku = world.svc.products.get(world.ids["scanner"]).sku
    assert re.findall(r'class="scan-msg error"[^>]*>([^<]*)<', answers[1].text) == [
        f"Line 1 ({sku}): lots add up to 2 (4 with the 2 received before) but the line "
        "expects 2; give a reason for a short or over receipt"]
    assert world.svc.receipts.get(receipt.id).lines[0].received_quantity == 2
