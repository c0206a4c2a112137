"""The moderation report in a real browser, as a moderator who is not a superuser: per day
and per week on the demo's history, no CSP violation, no serious axe finding, and Akismet's
banner dealt with from the queue. Screenshots: artifacts/moderation-report-*.png."""

import pytest
from playwright.sync_api import expect

from comments import alerts
from comments.models import AkismetAlert
from tests.browser.conftest import axe_blocking
from tests.browser.test_csp import LISTEN
from tests.browser.test_moderating import newsroom, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_report_per_day_and_week_and_the_alert_banner(live_server, page, screenshot, newsroom):  # noqa: F811
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.add_init_script(LISTEN)
    alerts.record("10008", "Your Akismet subscription has lapsed: renew it to keep checking.")
    sign_in(page, live_server.url)

    banner = page.get_by_role("region", name="Akismet needs attention")
    expect(banner).to_contain_text("subscription has lapsed")
    screenshot(page, "moderation-alert-banner")
    page.get_by_role("link", name="Moderation report").click()
    expect(page.get_by_role("heading", name="Moderation report")).to_be_visible()
    charts = page.get_by_role("img")
    expect(charts).to_have_count(5)
    expect(page.locator(".report-table table").first).to_contain_text("Received")
    screenshot(page, "moderation-report-day")
    # The report itself (the admin's own breadcrumbs are not ours to restyle).
    blocking = axe_blocking(page, context="#content")
    assert not blocking, blocking

    page.get_by_label("Per", exact=True).select_option("week")
    page.get_by_label("Section", exact=True).select_option("opinion")
    page.get_by_label("From", exact=True).fill("")  # empty: the last twelve weeks
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".report-summary")).to_contain_text("Per week")
    expect(page.locator(".report-summary")).to_contain_text("section Opinion")
    screenshot(page, "moderation-report-week")

    page.get_by_label("From", exact=True).fill("2026-02-30")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".report-error")).to_have_text(
        "“From” is not a date: write it as 2026-11-30."
    )
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-02-30")

    page.get_by_role("link", name="Comments").first.click()
    page.goto(live_server.url + "/admin/comments/comment/")
    page.get_by_role("button", name="Mark as dealt with").click()
    expect(page.locator(".messagelist")).to_contain_text("Alert marked as dealt with")
    expect(page.get_by_role("region", name="Akismet needs attention")).to_have_count(0)
    assert AkismetAlert.objects.get().dealt_with_by == newsroom

    violations = page.evaluate("window.__cspViolations")
    assert not violations + [m for m in messages if "Content Security Policy" in m]
