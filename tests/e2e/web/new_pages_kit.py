"""What the browser tests of the new pages share: the two screen sizes of issue 12 (a 390 px
phone and a 1366 px desktop), a page per role and size, and screenshots of both sizes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_kit import CHROMIUM, Server, chromium, running_server, screenshot, sign_in
from playwright.sync_api import Browser, Page
from web_kit import World

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SIZES = {"390": PHONE, "1366": DESKTOP}
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is "
                                    "absent (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("web") / "lotline.db") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def world(server: Server) -> World:
    return server.world()


@pytest.fixture
def open_as(browser: Browser, server: Server,
            world: World) -> Iterator[Callable[[str, dict[str, int]], Page]]:
    contexts = []

    def open_page(role: str, viewport: dict[str, int]) -> Page:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, server.base_url, world.usernames[role])
        return page

    yield open_page
    for context in contexts:
        context.close()


def shoot_both(open_page: Callable[[str, dict[str, int]], Page], base_url: str, path: str,
               name: str, role: str = "manager") -> list[Path]:
    """`path` at both sizes, whole page, as test-artifacts/{name}-{width}.png."""
    shots = []
    for width, size in SIZES.items():
        page = open_page(role, size)
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        shots.append(screenshot_full(page, f"{name}-{width}.png"))
    return shots


def screenshot_full(page: Page, name: str) -> Path:
    path = screenshot(page, name)
    page.screenshot(path=str(path), full_page=True)
    return path
