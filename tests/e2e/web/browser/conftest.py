"""Fixtures of the browser tests in this folder (test_browser.py one level up has its own):
one real server per module, one Chromium, a fresh world per test, and a page signed in as a
role at a given viewport."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from browser_kit import DESKTOP_1366, Server, chromium, running_server, sign_in
from playwright.sync_api import Browser, Page
from web_kit import World


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
def open_as(browser: Browser, server: Server, world: World) -> Iterator[Callable[..., Page]]:
    contexts = []

    def open_page(role: str, viewport: dict[str, int] | None = None,
                  java_script: bool = True) -> Page:
        context = browser.new_context(viewport=viewport or DESKTOP_1366, accept_downloads=True,
                                      java_script_enabled=java_script)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, server.base_url, world.usernames[role])
        return page

    yield open_page
    for context in contexts:
        context.close()
