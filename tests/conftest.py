"""Shared pytest configuration.

Notebooks under tests/ (fixture courses, attack notebooks) are inputs to the grading tests,
not notebooks to execute with nbval; only solutions/ notebooks are executed that way.
"""

from pathlib import Path

import pytest

collect_ignore_glob = ["**/*.ipynb"]

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright never downloads a browser here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """A headless chromium driven by Playwright; fails (never skips) without chromium."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
