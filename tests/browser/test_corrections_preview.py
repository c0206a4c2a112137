"""Corrections and preview links in a real browser: the demo's correction on its article
and on /corrections/; an editor makes a preview link of the demo draft in the admin, a
fresh browser context (no login, no cookies) opens it and sees the banner, the editor
revokes it and the link says so. axe-clean; screenshots in artifacts/."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import axe_blocking
from tests.browser.test_revisions import person, signed_in

pytestmark = pytest.mark.django_db(transaction=True)

DELTA = "/today/world/river-delta-towns-agree-shared-flood-plan/"


def blocking(page):
    return axe_blocking(page)


def test_corrections_show_on_the_article_and_the_corrections_page(live_server, page, screenshot):
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + DELTA)
    notes = page.locator("section.corrections")
    expect(notes.get_by_role("heading", name="Corrections and updates")).to_be_visible()
    expect(notes).to_contain_text("The agreement provides for forty.")
    notes.scroll_into_view_if_needed()
    screenshot(page, "corrections-article")

    page.goto(live_server.url + "/corrections/")
    expect(page.get_by_role("heading", level=1, name="Corrections and updates")).to_be_visible()
    items = page.locator(".corrections-log__item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Update")  # newest first
    assert not blocking(page), blocking(page)
    screenshot(page, "corrections-page")
    correction = Article.objects.get(slug=DELTA.split("/")[-2]).corrections.get(kind="correction")
    items.nth(1).get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}{DELTA}#correction-{correction.pk}")


def test_a_preview_link_opens_without_an_account_and_stops_when_revoked(
    live_server, browser, screenshot
):
    call_command("seed_demo", verbosity=0)
    person("desk", "Editors")
    draft = Article.objects.get(slug="budget-talks-draft")
    admin = signed_in(browser, live_server.url, "desk")
    admin.goto(f"{live_server.url}/admin/articles/article/{draft.pk}/change/")
    admin.get_by_role("link", name="Create a preview link").click()
    expect(admin.locator("#id_hours")).to_have_value("48")
    admin.locator("[name=_save]").click()
    address = admin.locator("#preview-url")
    expect(address).to_be_visible()
    url = address.input_value()
    assert url.startswith(f"{live_server.url}/preview/")
    screenshot(admin, "preview-link-admin")

    reader = browser.new_context(viewport={"width": 1280, "height": 900})
    assert reader.cookies() == []
    page = reader.new_page()
    response = page.goto(url)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    banner = page.locator(".preview-banner")
    expect(banner).to_contain_text("Preview")
    expect(banner).to_contain_text("this article is a draft")
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget talks: what each party wants")
    assert not blocking(page), blocking(page)
    screenshot(page, "preview-page")

    admin.get_by_role("button", name="Revoke this link").click()
    expect(admin.get_by_text("The preview link no longer works.")).to_be_visible()
    response = page.goto(url)
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This preview is no longer available")
    expect(page.get_by_text("This preview link was withdrawn by the newsroom.")).to_be_visible()
    assert not blocking(page), blocking(page)
    screenshot(page, "preview-gone")
    reader.close()
    admin.context.close()
