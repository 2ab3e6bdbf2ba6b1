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
def phoenix_url(tmp_path_factory):
    """A real Phoenix server on a free 127.0.0.1 port, with its own store, for one test module."""
    from servers import free_port

    from infralab import lab

    port = free_port()
    child = lab.start_phoenix(port, tmp_path_factory.mktemp("phoenix"))
    url = f"http://127.0.0.1:{port}"
    try:
        lab._wait_until(lab._answers(f"{url}/healthz"), child, "Phoenix")
        yield url
    finally:
        child.stop()


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
