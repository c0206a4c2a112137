"""Readers' reports in a real browser: a reader follows a comment's Report link (no
JavaScript needed) and reports illegal content; a moderator (not a superuser) finds it first
in the Reported view, removes the comment with a reason and a note; the comment's author
reads that statement of reasons on their status page. The report form, the Reported view,
the decision page, the status page and /transparency/ are screenshotted into artifacts/;
the public pages pass axe."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from comments import authoring
from comments.models import Comment, Report
from tests.browser.conftest import ARTIFACTS, axe_blocking

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-Long-pass-phrase-9"


@pytest.fixture
def newsroom():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_comments", verbosity=0)
    user = get_user_model().objects.create_user(
        "maria", email="maria@example.com", password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_reader_reports_moderator_removes_author_reads_the_statement(
    live_server, browser, screenshot, newsroom
):
    comment = Comment.objects.get(author_name="Dev Raman")
    article = comment.article
    reader = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = reader.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    shown = page.locator(f"#comment-{comment.pk}")
    shown.screenshot(path=str(ARTIFACTS / "report-link.png"))
    shown.get_by_role("link", name="Report").click()
    page.wait_for_url(f"**/comments/{comment.pk}/report/")
    expect(page.get_by_role("heading", name="Report a comment")).to_be_visible()
    page.get_by_role("radio", name="Illegal content").check()
    page.get_by_role("button", name="Send report").click()
    # The notice needs its ground: refused, with a message, and the choice kept.
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields")
    expect(page.get_by_role("radio", name="Illegal content")).to_be_checked()
    page.get_by_label("Which law").fill("Defamation Act 2013")
    page.get_by_label("Explanation").fill("It says a named engineer falsified the figures.")
    page.get_by_label("Your email").fill("reporter@example.org")
    screenshot(page, "report-form")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you: your report is sent")).to_be_visible()
    reader.close()
    assert Report.objects.filter(comment=comment, ground="illegal").count() == 1

    # axe needs scripts: the form page again, in a browser that runs them.
    checker = browser.new_context(viewport={"width": 375, "height": 900})
    page = checker.new_page()
    page.goto(f"{live_server.url}/comments/{comment.pk}/report/")
    assert not axe_blocking(page, "report-form")
    screenshot(page, "report-form-narrow")
    checker.close()

    desk_context = browser.new_context(viewport={"width": 1440, "height": 900})
    desk = desk_context.new_page()
    desk.goto(live_server.url + "/admin/comments/reportedcomment/")
    desk.get_by_label("Username").fill("maria")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    rows = desk.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text("Illegal content (1)")
    first_two = [rows.nth(i).inner_text() for i in range(2)]
    assert any("Dev Raman" in text for text in first_two)  # illegal-content reports first
    screenshot(desk, "reported-view")
    rows.filter(has_text="Dev Raman").get_by_role("link", name="Decide").click()
    expect(desk.get_by_text("Defamation Act 2013")).to_be_visible()
    desk.get_by_role("radio", name="Removed").check()
    desk.get_by_label("Reason", exact=True).select_option("illegal")
    desk.get_by_label("Note").fill("names a person and accuses them without grounds")
    screenshot(desk, "report-decision")
    desk.get_by_role("button", name="Record the decision").click()
    expect(desk.locator(".messagelist")).to_contain_text("Comment removed; 1 report decided.")
    desk_context.close()

    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH
    author = browser.new_context(viewport={"width": 1280, "height": 900})
    page = author.new_page()
    page.goto(live_server.url + authoring.status_url(comment.pk, comment.preview_secret))
    state = page.locator(".comment-status__state")
    expect(state).to_contain_text("Not published.")
    expect(state).to_contain_text(
        "illegal content: names a person and accuses them without grounds"
    )
    expect(state).to_contain_text("Statement of reasons")
    assert "reporter@example.org" not in page.content()
    assert not axe_blocking(page, "comment-status-reported")
    screenshot(page, "comment-status-statement")

    page.goto(live_server.url + "/transparency/")
    expect(page.get_by_role("heading", name="Transparency", exact=True)).to_be_visible()
    expect(page.locator("tbody tr").first).to_be_visible()
    assert not axe_blocking(page, "transparency")
    screenshot(page, "transparency")
    author.close()
