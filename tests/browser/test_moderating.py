"""A moderator in a real browser: a reader posts, a moderator (Moderators group, not a
superuser) signs in, approves it from the queue, and a fresh visitor sees it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-Long-pass-phrase-9"
FLOOD = "river-delta-towns-agree-shared-flood-plan"


@pytest.fixture
def newsroom():
    """The demo newsroom with its comments in every state, and a moderator."""
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_comments", verbosity=0)
    user = get_user_model().objects.create_user(
        "maria",
        email="maria@example.com",
        password=PASSWORD,
        is_staff=True,
        first_name="Maria",
        last_name="Lindqvist",
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def sign_in(page, base):
    page.goto(base + "/admin/comments/comment/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/comments/comment/")


def test_reader_posts_moderator_approves_visitor_sees(
    live_server, browser, page, screenshot, newsroom
):
    from articles.models import Article

    article = Article.objects.get(slug=FLOOD)
    url = live_server.url + article.get_absolute_url()
    page.goto(url)
    page.get_by_role("textbox", name="Comment", exact=True).fill(
        "Will the gauges cover the old mill stream?"
    )
    page.get_by_role("textbox", name="Name", exact=True).fill("Ada Reader")
    page.get_by_role("textbox", name="Email", exact=True).fill("ada@example.com")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**#comment-*")
    comment = Comment.objects.get(author_name="Ada Reader")
    assert comment.status == "pending"

    moderator = browser.new_context(viewport={"width": 1440, "height": 900})
    desk = moderator.new_page()
    sign_in(desk, live_server.url)
    expect(desk.get_by_role("heading", name="Comments: pending")).to_be_visible()
    pending = Comment.objects.filter(status="pending").count()
    expect(desk.locator("#branding")).to_contain_text(f"{pending} comments pending")
    row = desk.locator("#result_list tbody tr").filter(has_text="old mill stream")
    expect(row).to_contain_text("ada@example.com")
    screenshot(desk, "moderating-queue")

    row.get_by_role("button", name="Approve").click()
    desk.wait_for_url("**/admin/comments/comment/")
    expect(desk.locator(".messagelist")).to_contain_text(
        "Approve: the comment by Ada Reader is now approved."
    )
    expect(desk.locator("#result_list")).not_to_contain_text("old mill stream")
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("approved", newsroom)
    assert comment.history.filter(actor=newsroom, to_status="approved").count() == 1

    # The comment's page: a comment Akismet called spam and a moderator did not.
    grace = Comment.objects.get(author_name="Grace Mensah")
    desk.goto(f"{live_server.url}/admin/comments/comment/{grace.pk}/change/")
    expect(desk.get_by_role("heading", name="History")).to_be_visible()
    expect(desk.locator(".c-history")).to_contain_text("moderator marked it not spam")
    screenshot(desk, "moderating-comment")
    desk.get_by_role("textbox", name="Reply as Maria Lindqvist").fill("Thanks, Grace - good tip.")
    desk.get_by_role("button", name="Approve and reply").click()
    expect(desk.locator(".messagelist")).to_contain_text("Your reply is published")

    # Spam from the queue's spam view, then restore it: it goes back where it was.
    desk.goto(f"{live_server.url}/admin/comments/comment/?status=all&q=old+mill")
    desk.locator("#result_list tbody tr").first.get_by_role("button", name="Mark as spam").click()
    comment.refresh_from_db()
    assert comment.status == "spam"
    desk.goto(f"{live_server.url}/admin/comments/comment/?status=spam")
    desk.locator("#result_list tbody tr").filter(has_text="old mill").get_by_role(
        "button", name="Not spam"
    ).click()
    comment.refresh_from_db()
    assert comment.status == "approved"
    moderator.close()

    fresh = browser.new_context(viewport={"width": 1280, "height": 900})
    visitor = fresh.new_page()
    visitor.goto(url)
    expect(visitor.get_by_text("Will the gauges cover the old mill stream?")).to_be_visible()
    expect(visitor.get_by_text("Thanks, Grace - good tip.")).to_be_visible()
    assert "awaiting moderation" not in visitor.content()
    fresh.close()


def test_bulk_approve_from_the_queue(live_server, page, screenshot, newsroom):
    """Select all on the page, "Approve", Go: every pending comment is approved."""
    sign_in(page, live_server.url)
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="Approve")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Approve: ")
    expect(page.locator("#branding")).to_contain_text("No comments pending")
    assert not Comment.objects.filter(status="pending").exists()
    screenshot(page, "moderating-queue-cleared")
