"""/admin/audit (issue 14 item 5): admins read the audit log with filters, each entry's fields
before and after in words, linked from /admin; exports keep the filters; other roles get 403;
bad filters are said in words, never field paths."""

from __future__ import annotations

import csv
import html
import io
import re

from fastapi.testclient import TestClient
from web_kit import XSS, World, login


def entries(page: str) -> list[str]:
    return re.findall(r'<article class="card audit-entry".*?</article>', page, re.S)


def test_admin_reads_changes_before_and_after(client: TestClient, world: World) -> None:
    svc = world.svc
    lot = world.ids["pill_later"]
    expiry_before = svc.batches.get(lot).expiry_date
    svc.batches.update(lot, expiry_date="2030-01-31", unit_cost="4.20",
                       reason="supplier " + XSS)
    svc.products.update(world.ids["pill"], name="Aspirin 500 mg")
    login(client, world.usernames["admin"])
    admin = client.get("/admin")
    assert '<a class="button" href="/admin/audit">Audit log</a>' in admin.text
    assert client.get("/audit?entity=batch").headers["location"] == "/admin/audit?entity=batch"

    page = client.get("/admin/audit", params={"entity": "batch", "action": "update"})
    assert page.status_code == 200
    [entry] = entries(page.text)
    assert "<h2 class=\"audit-head\">Lot changed</h2>" in entry
    assert f'<a class="mono" href="/lots/{lot}">{lot}</a>' in entry
    assert f"<dd>{world.usernames['admin']}</dd>" in entry
    assert ('<dd class="audit-reason">supplier &lt;script&gt;alert(&#39;xss&#39;)'
            '&lt;/script&gt;</dd>') in entry
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td class="before">(.*?)</td>'
                      r'<td class="after">(.*?)</td></tr>', entry)
    assert rows == [("expiry date", str(expiry_before), "2030-01-31"),
                    ("unit cost", "—", "4.2")]

    product_page = client.get("/admin/audit", params={"entity": "product",
                                                      "entity_id": world.ids["pill"]})
    changed, created = entries(product_page.text)
    assert re.findall(r'<td class="(?:before|after)">(.*?)</td>', changed) == [
        "Aspirin 500", "Aspirin 500 mg"]
    assert "<h2 class=\"audit-head\">Product created</h2>" in created
    assert '<tr><th scope="row">name</th><td>Aspirin 500</td></tr>' in created


def test_filters_paging_and_exports(client: TestClient, world: World) -> None:
    for n in range(45):
        world.svc.products.update(world.ids["pill"], name=f"Aspirin {n}")
    login(client, world.usernames["admin"])
    everything = client.get("/admin/audit")
    assert len(entries(everything.text)) == 50
    older = re.search(r'<a href="([^"]+)" rel="next">', everything.text).group(1)
    second = client.get(html.unescape(older))
    assert len(entries(second.text)) == 12 + 45 - 50
    assert '&larr; Newest</a>' in second.text and 'rel="next"' not in second.text
    since_later = client.get("/admin/audit", params={"since": "2999-01-01"})
    assert entries(since_later.text) == [] and "No audit entries match." in since_later.text
    wrong = client.get("/admin/audit", params={"since": "soon"})
    assert wrong.status_code == 422
    assert html.unescape(re.search(r'role="alert">(.*?)</div>', wrong.text).group(1)) == (
        "From: must be an ISO 8601 date-time such as 2026-12-07T12:00:00Z")
    assert 'href="/admin/audit/export.csv?entity=batch&amp;action=create"' in client.get(
        "/admin/audit", params={"entity": "batch", "action": "create"}).text

    exported = client.get("/admin/audit/export.csv", params={"entity": "batch",
                                                             "action": "create"})
    assert exported.headers["content-disposition"] == 'attachment; filename="audit.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["entity"] for r in rows} == {"batch"} and len(rows) == 4
    assert client.get("/admin/audit/export.pdf").status_code == 404


def test_only_admins(client: TestClient, world: World) -> None:
    for role in ("manager", "viewer"):
        login(client, world.usernames[role])
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit/export.csv").status_code == 403
        assert client.get("/audit").status_code == 403
    client.cookies.clear()
    assert client.get("/admin/audit").headers["location"].startswith("/login")
