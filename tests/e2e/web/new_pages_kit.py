"""What the browser tests of the new pages share: the two screen sizes of issue 12 (a 390 px
phone and a 1366 px desktop), browser_kit's fixtures (a page per role and size), and
screenshots of both sizes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_kit import CHROMIUM, DESKTOP_1366, PHONE_390, screenshot
from browser_kit import browser as browser  # the fixtures of the modules that use this kit
from browser_kit import open_as as open_as
from browser_kit import server as server
from browser_kit import world as world
from playwright.sync_api import Page

PHONE = PHONE_390
DESKTOP = DESKTOP_1366
SIZES = {"390": PHONE, "1366": DESKTOP}
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is "
                                    "absent (apt-get install chromium)")


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
