"""axe-core (bundled by axe-playwright-python) on the pages visitors see most.

The test fails on any serious or critical violation; every finding, whatever its impact,
is written to artifacts/axe.json for the record.
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS, BLOCKING

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "front": "/",
    "category": "/today/world/",
    "article": "/today/world/river-delta-towns-agree-shared-flood-plan/",
    "author": "/author/tomas-brandt/",
    "tag": "/tag/climate/",
    "search": "/search/?q=flood",
    "search-empty": "/search/?q=zeppelin",
    "404": "/no/such/page/",
}


@pytest.mark.parametrize("width", [375, 1440])
def test_no_serious_or_critical_axe_violations(live_server, browser, width):
    call_command("seed_demo", verbosity=0)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    axe = Axe()
    report, blocking = {}, []
    for name, path in PAGES.items():
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "404" else 200), name
        violations = axe.run(page).response["violations"]
        report[name] = [
            {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "help": v["help"]}
            for v in violations
        ]
        blocking += [f"{name}: {v['id']} ({v['impact']}) {v['help']}" for v in violations
                     if v["impact"] in BLOCKING]  # fmt: skip
    context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{width}.json").write_text(json.dumps(report, indent=2))
    assert not blocking, "\n".join(blocking)


def test_skip_link_is_first_and_moves_focus_to_the_content(live_server, page):
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/today/world/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.inner_text() == "Skip to content"
    assert focused.bounding_box()["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
