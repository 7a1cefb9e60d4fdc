"""Fixtures of the browser tests in this folder: browser_kit's shared ones (one real server
per module, one Chromium, a fresh world per test, and a page signed in as a role at a given
viewport)."""

from browser_kit import browser as browser
from browser_kit import open_as as open_as
from browser_kit import server as server
from browser_kit import world as world
