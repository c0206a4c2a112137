"""Screenshots of the front, a section and an article at 375 px and 1440 px.

They always land in artifacts/; with UPDATE_DOCS_SCREENSHOTS=1 they also replace the
ones in docs/screenshots/ that the README shows (the masthead prints today's date, so
copying them on every run would change tracked files).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PAGES = {
    "front": "/",
    "category": "/today/world/",
    "article": "/today/world/river-delta-towns-agree-shared-flood-plan/",
}
# Scroll through the page so lazy images load before the full-page screenshot.
SCROLL_THROUGH = """async () => {
  for (let y = 0; y < document.body.scrollHeight; y += 400) {
    window.scrollTo(0, y);
    await new Promise(resolve => setTimeout(resolve, 40));
  }
  window.scrollTo(0, 0);
}"""


@pytest.mark.parametrize("width", [375, 1440])
def test_screenshots(live_server, browser, screenshot, width):
    call_command("seed_demo", verbosity=0)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in PAGES.items():
        page.goto(live_server.url + path)
        page.evaluate(SCROLL_THROUGH)
        page.wait_for_load_state("networkidle")
        images = page.locator("main img")
        for i in range(images.count()):  # every image arrived and decoded
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), name
        # No horizontal scrolling at this width.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        shot = screenshot(page, f"{name}-{width}")
        if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, DOCS / shot.name)
    context.close()
