"""A long thread in a real browser: page 2 with its pager (no serious or critical axe-core
finding), reached and left through it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, ModerationPolicy
from tests.browser.conftest import ARTIFACTS, axe_blocking

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "/today/world/river-delta-towns-agree-shared-flood-plan/"


def long_thread():
    """17 top-level comments, each with a reply, at 4 threads a page: five pages."""
    call_command("seed_demo", verbosity=0)
    article = Article.objects.get(slug="river-delta-towns-agree-shared-flood-plan")
    Comment.objects.filter(article=article).delete()
    policy, _ = ModerationPolicy.objects.get_or_create(pk=1)
    policy.comments_per_page = 4
    policy.save()
    start = timezone.now() - timedelta(days=1)
    for n in range(17):
        root = Comment.objects.create(
            article=article,
            author_name=f"Reader {n + 1}",
            author_email=f"reader{n + 1}@example.com",
            body=f"Thread {n + 1}: the flood plan needs a second look at the river banks.",
            status=Comment.Status.APPROVED,
            created_at=start + timedelta(minutes=n),
        )
        Comment.objects.create(
            article=article,
            parent=root,
            author_name="Desk editor",
            author_email="desk@example.com",
            body=f"Reply to thread {n + 1}: thanks, we asked the council.",
            status=Comment.Status.APPROVED,
            created_at=start + timedelta(hours=1, minutes=n),
        )
    return article


@pytest.mark.parametrize("width", [1280, 375])
def test_page_two_of_a_long_thread_with_its_pager(live_server, browser, width):
    long_thread()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}{ARTICLE}comments/2/#comments")
    assert page.title().startswith("River delta towns agree a shared flood plan")
    assert "Comments, page 2" in page.title()
    comments = page.locator("#comments")
    assert comments.locator("h2").first.inner_text() == "34 Comments"
    # Threads 5 to 8, each with its reply.
    authors = comments.locator(
        "ol.comment-list:not(.comment-list--replies) > li > article .comment__author"
    )
    assert authors.all_inner_texts() == ["Reader 5", "Reader 6", "Reader 7", "Reader 8"]
    assert comments.locator(".comment-list--replies .comment").count() == 4
    pager = page.get_by_role("navigation", name="Comment pages")
    assert pager.is_visible()
    current = pager.locator('[aria-current="page"]')
    assert " ".join(current.inner_text().split()) == "Page 2"
    # The accessible names say what each link is.
    assert pager.get_by_role("link", name="Page 3").is_visible()
    assert pager.get_by_role("link", name="Previous comments page").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    serious = axe_blocking(page)
    assert not serious, serious
    ARTIFACTS.mkdir(exist_ok=True)
    comments.screenshot(path=str(ARTIFACTS / f"comments-page-2-{width}.png"))
    pager.get_by_role("link", name="Next comments page").click()
    page.wait_for_url(f"**{ARTICLE}comments/3/#comments")
    assert "Reader 9" in page.locator("#comments").inner_text()
    page.get_by_role("navigation", name="Comment pages").get_by_role("link", name="Page 1").click()
    page.wait_for_url(f"**{ARTICLE}#comments")
    assert "Reader 1" in page.locator("#comments").inner_text()
    context.close()
