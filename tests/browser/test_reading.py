import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_to_article_and_back_through_the_breadcrumb(live_server, page, screenshot):
    """A visitor goes front page → section → article, then back up via the breadcrumb."""
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/")
    screenshot(page, "reading-front")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Today").click()
    page.wait_for_url("**/today/")
    assert page.locator("h1").inner_text() == "Today"
    page.get_by_role("link", name="River delta towns agree a shared flood plan").first.click()
    page.wait_for_url("**/today/world/river-delta-towns-agree-shared-flood-plan/")
    screenshot(page, "reading-article")
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    assert crumbs.get_by_role("link").all_inner_texts() == [
        "Home",
        "Today",
        "World",
        "River delta towns agree a shared flood plan after a wet decade",
    ]
    current = crumbs.locator('[aria-current="page"]')
    assert current.inner_text().startswith("River delta towns")
    crumbs.get_by_role("link", name="World").click()
    page.wait_for_url("**/today/world/")
    screenshot(page, "reading-category")
    assert page.locator("h1").inner_text() == "World"
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Home").click()
    page.wait_for_url(live_server.url + "/")
