"""The floor traps of issue 12 that need no browser (TestClient against the app, on SQLite and
PostgreSQL): unknown pages, post/redirect/get, messages in the user's words."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_kit import World, login

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
