"""The README's phone screenshots of the web UI, from the demo data:
`.venv/bin/python tests/e2e/web/make_screenshots.py docs/` writes web-serials.png,
web-serial-detail.png, web-expiry.png and web-picking.png (360 px wide, Debian's Chromium)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_kit import PHONE, chromium, running_server, sign_in
from web_kit import PASSWORD

from lotline.bootstrap import Services
from lotline.demo import seed_demo
from lotline.domain.statuses import Role
from lotline.service_layer.context import Actor

# name, page, whole page (else the first screen)
SHOTS = (("web-serials.png", "/serials", False),
         ("web-serial-detail.png", "/serials/{serial}", True),
         ("web-expiry.png", "/expiry", False), ("web-picking.png", "/picking/{order}", True))


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory, \
            running_server(Path(directory) / "demo.db") as server:
        org = server.app.state.identity.create_organization(
            "demo", admin_username="ana", admin_password=PASSWORD)
        svc = Services(server.app.state.engine, Actor(org_id=org.id, name="ana",
                                                      role=Role.ADMIN))
        seed_demo(svc)
        ids = {"serial": svc.serials.lookup("GM-2406-0003").id,
               "order": svc.orders.by_reference("SO-1001").id}
        with chromium() as browser:
            page = browser.new_page(viewport=PHONE, device_scale_factor=2)
            sign_in(page, server.base_url, "ana")
            for name, path, whole in SHOTS:
                page.goto(server.base_url + path.format(**ids))
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(target / name), full_page=whole)
                print(target / name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
