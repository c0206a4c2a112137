"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python.

Outside CI the browser tests skip, saying why, when Chromium is missing; with CI=true
they are required and fail instead.
"""

import json
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
BLOCKING = {"serious", "critical"}  # the axe findings a page must not have
# Flags this closed network needs: no background calls home, no QUIC, no GPU.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in item.nodeid or "tests\\browser\\" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, but static files come through WhiteNoise and the
    hashed manifest exactly as in production (its default handler serves unhashed
    names from the finders and 404s on the manifest's names)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost:0", start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI requires the browser tests.")
        pytest.skip(
            f"{CHROMIUM} is not installed (apt-get install chromium) — browser tests skipped."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
    # from such a thread unless told they are safe (they are: the test owns the thread).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name, **kwargs):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, **kwargs)
        return path

    return take


def axe_blocking(page, name=None, *, context=None, not_ours=None):
    """The serious and critical axe findings on `page` (within the `context` selector, if
    given), one readable line each; [] when there are none. With `name`, every finding is
    also written to artifacts/axe-<name>.json. A finding whose every node's HTML contains
    `not_ours` (a part of the page Django's admin draws) is left out."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, context=context).response["violations"]
    if name:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"axe-{name}.json").write_text(
            json.dumps(
                [
                    {
                        "id": v["id"],
                        "impact": v["impact"],
                        "nodes": [n["html"][:200] for n in v["nodes"]],
                    }
                    for v in violations
                ],
                indent=2,
            )
        )
    return [
        f"{v['id']} ({v['impact']}) {v['help']}"
        for v in violations
        if v["impact"] in BLOCKING
        and (not_ours is None or any(not_ours not in n["html"] for n in v["nodes"]))
    ]
