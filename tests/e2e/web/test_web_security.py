"""The web UI's guards, without a browser: sessions, CSRF on every POST, roles (a viewer sees no
action and a forged POST is refused), escaping of user text, friendly error pages."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from web_kit import PASSWORD, XSS, World, csrf_of, login, post

from lotline.domain.statuses import SerialStatus


def _serial_id(world: World, key: str = "last") -> str:
    return world.svc.serials.lookup(world.numbers[key]).id


def test_pages_send_a_stranger_to_the_login_form(client: TestClient) -> None:
    response = client.get("/serials?status=IN_STOCK")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/serials%3Fstatus%3DIN_STOCK"
    partial = client.get("/serials", headers={"HX-Request": "true"})
    assert partial.headers["hx-redirect"].startswith("/login")


def test_login_sets_a_hardened_session_cookie_and_logout_revokes_it(
        client: TestClient, world: World) -> None:
    page = client.get("/login?next=/lots")
    assert "httponly" in page.headers["set-cookie"].lower()
    response = client.post("/login", data={"username": world.usernames["viewer"],
                                           "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                           "next": "/lots"})
    assert response.status_code == 303 and response.headers["location"] == "/lots"
    cookie = next(c for c in response.headers.get_list("set-cookie")
                  if c.startswith("lotline_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = csrf_of(client.get("/").text)
    old_cookie = client.cookies.get("lotline_session")
    assert post(client, "/logout", token).headers["location"] == "/login"
    client.cookies.set("lotline_session", str(old_cookie))
    assert client.get("/").status_code == 303  # the revoked session is gone server-side


def test_the_session_cookie_is_secure_over_https(web_app: FastAPI, world: World) -> None:
    with TestClient(web_app, base_url="https://testserver", follow_redirects=False) as https:
        page = https.get("/login")
        response = https.post("/login", data={"username": world.usernames["viewer"],
                                              "password": PASSWORD,
                                              "csrf_token": csrf_of(page.text)})
        cookie = next(c for c in response.headers.get_list("set-cookie")
                      if c.startswith("lotline_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_wrong_password_re_renders_the_form_with_the_username(
        client: TestClient, world: World) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"username": world.usernames["viewer"],
                                           "password": "wrong password!",
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 401
    assert "Unknown username or wrong password." in response.text
    assert f'value="{world.usernames["viewer"]}"' in response.text
    assert "lotline_session" not in response.headers.get("set-cookie", "")


def test_every_post_needs_the_csrf_token(client: TestClient, world: World) -> None:
    page = client.get("/login")
    no_token = client.post("/login", data={"username": world.usernames["admin"],
                                           "password": PASSWORD})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    assert csrf_of(page.text)  # the form carries one
    token = login(client, world.usernames["manager"])
    serial_id = _serial_id(world)
    for url, data in ((f"/serials/{serial_id}/status", {"status": "DEFECTIVE"}),
                      ("/serials/new", {"serial_number": "X-1",
                                        "product_id": world.ids["scanner"]}),
                      (f"/lots/{world.ids['lot']}/hold", {"reason": "qa"}),
                      ("/logout", {})):
        assert client.post(url, data=data).status_code == 403, url
        assert client.post(url, data={**data, "csrf_token": "x" + token}).status_code == 403
    assert world.svc.serials.get(serial_id).status is SerialStatus.IN_STOCK
    assert world.svc.batches.get(world.ids["lot"]).hold is None
    # htmx sends the token as a header instead of a field.
    answer = client.post(f"/serials/{serial_id}/status", data={"status": "DEFECTIVE"},
                         headers={"X-CSRF-Token": token})
    assert answer.status_code == 303
    assert world.svc.serials.get(serial_id).status is SerialStatus.DEFECTIVE


def test_a_viewer_sees_no_action_and_a_forged_post_is_403(client: TestClient,
                                                          world: World) -> None:
    token = login(client, world.usernames["viewer"])
    serial_id = _serial_id(world)
    detail = client.get(f"/serials/{serial_id}").text
    assert "data-action" not in detail and "/status" not in detail
    assert "Add serial" not in client.get("/serials").text
    lot_page = client.get(f"/lots/{world.ids['lot']}").text
    assert "data-action" not in lot_page
    assert "data-action" not in client.get(f"/picking/{world.ids['order']}").text
    for url, data in ((f"/serials/{serial_id}/status", {"status": "SCRAPPED"}),
                      (f"/lots/{world.ids['lot']}/inactive", {}),
                      ("/serials/new", {"serial_number": "V-1",
                                        "product_id": world.ids["scanner"]}),
                      (f"/picking/{world.ids['order']}/ship", {}),
                      ("/recalls", {"batch_id": world.ids["lot"], "reason": "x"})):
        response = post(client, url, token, **data)
        assert response.status_code == 403, url
        assert "Not allowed" in response.text and "Traceback" not in response.text
    assert world.svc.serials.get(serial_id).status is SerialStatus.IN_STOCK
    assert client.get("/admin").status_code == 403


def test_admin_pages_are_for_admins_only(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    assert client.get("/admin").status_code == 403
    assert post(client, "/admin/users", token, username="eve-x", password=PASSWORD,
                role="admin").status_code == 403
    assert 'href="/admin"' not in client.get("/").text
    login(client, world.usernames["admin"])
    assert 'href="/admin"' in client.get("/").text


@pytest.mark.parametrize("where", ["serial", "product", "lot"])
def test_user_text_is_escaped_everywhere(client: TestClient, world: World, where: str) -> None:
    svc = world.svc
    payload = f"{XSS}-{where}"
    product_id = world.ids["scanner"]
    if where == "product":
        product_id = svc.products.create_product(sku=f"X-{world.org_id[-6:]}", name=payload,
                                                 tracking="serial").id
    batch_id = world.ids["lot"] if where == "serial" else None
    if where == "lot":
        batch_id = svc.batches.create(product_id=product_id, batch_number=payload,
                                      quantity=5).id
    number = payload if where == "serial" else f"SAFE-{where}"
    serial = svc.serials.register(number, product_id=product_id, batch_id=batch_id)
    login(client, world.usernames["admin"])
    pages = ["/serials", f"/serials/{serial.id}", f"/serials?q={payload}", "/lots",
             f"/trace?q={serial.serial_number}", f"/scan?data={payload}"]
    if batch_id:
        pages.append(f"/lots/{batch_id}")
    for url in pages:
        text = client.get(url, follow_redirects=True).text
        assert "<script>alert(" not in text, url
    assert str(escape(payload)) in client.get(f"/serials/{serial.id}").text


def test_errors_are_friendly_pages_without_internals(client: TestClient, world: World,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    login(client, world.usernames["viewer"])
    missing = client.get("/serials/no-such-serial")
    assert missing.status_code == 404 and "Not found" in missing.text
    assert "<html" in missing.text and "problem+json" not in missing.headers["content-type"]
    bad_status = client.get("/serials?status=LOST")
    assert bad_status.status_code == 422 and "unknown status" in bad_status.text

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals: /etc/passwd")

    from lotline.service_layer.serials import SerialService
    monkeypatch.setattr(SerialService, "counts", broken)
    crashed = client.get("/serials")
    assert crashed.status_code == 500
    assert "Something went wrong" in crashed.text
    assert "secret internals" not in crashed.text and "Traceback" not in crashed.text


def test_pages_carry_security_headers_and_stay_out_of_the_openapi_schema(
        client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    response = client.get("/serials")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["server-timing"].startswith("app;dur=")
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith("/api/") and p not in ("/healthz",
                                                                             "/readyz")]
    static = client.get("/static/htmx.min.js")
    assert static.status_code == 200 and "htmx" in static.text[:100]
