"""The author's status page in a real browser: a reader posts, follows the private link
under "awaiting moderation", edits the comment, a moderator approves it, and the status
page then says published (with a link to it, marked "edited" on the article). The status
page passes axe; screenshots of it and of its edit form land in artifacts/."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from comments import policy as policies
from comments.models import Comment
from tests.browser.conftest import ARTIFACTS, axe_blocking

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-Long-pass-phrase-9"
FLOOD = "river-delta-towns-agree-shared-flood-plan"


@pytest.fixture
def newsroom():
    call_command("seed_demo", verbosity=0)
    policy = policies.current()
    policy.flood_interval = 0  # the test edits a moment after posting
    policy.save()
    user = get_user_model().objects.create_user(
        "maria", email="maria@example.com", password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_post_follow_the_link_edit_moderator_approves_status_says_published(
    live_server, browser, screenshot, newsroom
):
    from articles.models import Article

    article = Article.objects.get(slug=FLOOD)
    reader = browser.new_context(viewport={"width": 1280, "height": 900})
    page = reader.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("textbox", name="Comment", exact=True).fill("Will the gauges be online?")
    page.get_by_role("textbox", name="Name", exact=True).fill("Ada Reader")
    page.get_by_role("textbox", name="Email", exact=True).fill("ada@example.com")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**#comment-*")
    mine = page.locator(".comment--awaiting")
    expect(mine).to_contain_text("Your comment is awaiting moderation.")
    link = mine.get_by_role("link", name="Follow it on its private status page")
    expect(link).to_be_visible()
    mine.screenshot(path=str(ARTIFACTS / "comment-status-link-on-article.png"))
    link.click()
    page.wait_for_url("**/comment-status/**")
    expect(page.get_by_role("heading", name="Your comment", exact=True)).to_be_visible()
    expect(page.locator(".comment-status__state")).to_contain_text("Awaiting moderation.")
    assert "ada@example.com" not in page.content()
    status_url = page.url
    assert not axe_blocking(page, "comment-status")
    screenshot(page, "comment-status-awaiting")
    page.locator("#edit").screenshot(path=str(ARTIFACTS / "comment-status-edit-form.png"))

    box = page.get_by_role("textbox", name="Comment")
    box.fill("Will the river gauges be online before winter?")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".comment-status__saved")).to_contain_text("Your change is saved.")
    expect(page.locator(".comment-status__text")).to_contain_text("before winter")
    comment = Comment.objects.get(author_name="Ada Reader")
    assert comment.body == "Will the river gauges be online before winter?"
    assert comment.history.filter(kind="edit").count() == 1

    desk_context = browser.new_context(viewport={"width": 1440, "height": 900})
    desk = desk_context.new_page()
    desk.goto(live_server.url + "/admin/comments/comment/")
    desk.get_by_label("Username").fill("maria")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    row = desk.locator("#result_list tbody tr").filter(has_text="before winter")
    expect(desk.get_by_label("Reason (Unapprove, Spam, Trash)")).to_be_visible()
    screenshot(desk, "moderating-queue-reasons")
    row.get_by_role("button", name="Approve").click()
    expect(desk.locator(".messagelist")).to_contain_text("now approved")
    desk.goto(f"{live_server.url}/admin/comments/comment/{comment.pk}/change/")
    expect(desk.get_by_label("Note for the author")).to_be_visible()
    screenshot(desk, "moderating-comment-reasons")
    desk_context.close()

    page.goto(status_url)
    state = page.locator(".comment-status__state")
    expect(state).to_contain_text("Published.")
    assert not axe_blocking(page, "comment-status-published")
    screenshot(page, "comment-status-published")
    state.get_by_role("link", name="See it on the article").click()
    page.wait_for_url(f"**{article.get_absolute_url()}#comment-{comment.pk}")
    published = page.locator(f"#comment-{comment.pk}")
    expect(published).to_contain_text("before winter")
    expect(published.locator(".comment__edited")).to_have_text("(edited)")
    reader.close()
