"""A reader comments in a real browser: the form, the errors, "awaiting moderation" for the
author only, and Reply moving the form in place (with the script) or not (without)."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def article(make_article):
    return make_article(
        slug="delta-flood-plan",
        title="River delta towns agree a shared flood plan",
        standfirst="Eleven towns will pool money for pumps and levees.",
        body="<p>Mayors from eleven towns signed an agreement on Tuesday.</p>",
    )


@pytest.fixture
def approved(article):
    first = Comment.objects.create(
        article=article,
        author_name="Maria Lindqvist",
        author_email="maria@example.com",
        author_url="https://maria.example",
        body="Good to see the towns working together.\nAbout time: see https://example.org/plan",
        status="approved",
    )
    Comment.objects.create(
        article=article,
        parent=first,
        author_name="Tomás",
        author_email="tomas@example.com",
        body="Agreed. The pumps were overdue.",
        status="approved",
    )
    return first


def fill(page, name, email, text):
    page.get_by_role("textbox", name="Comment", exact=True).fill(text)
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)


def test_reader_posts_and_only_they_see_it_awaiting(
    live_server, browser, page, screenshot, article, approved
):
    url = live_server.url + article.get_absolute_url()
    page.goto(url)
    expect(page.get_by_role("heading", name="2 Comments")).to_be_visible()
    expect(page.get_by_role("heading", name="Leave a Comment")).to_be_visible()
    assert page.context.cookies() == []  # reading sets no cookie
    screenshot(page, "commenting-article")

    fill(page, "Ada Reader", "ada@example.com", "Will the levees be finished\nbefore winter?")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**#comment-*")
    own = page.locator(".comment--awaiting")
    expect(own).to_contain_text("Your comment is awaiting moderation.")
    expect(own).to_contain_text("before winter?")
    own.scroll_into_view_if_needed()
    screenshot(page, "commenting-awaiting-moderation")
    comment = Comment.objects.get(author_name="Ada Reader")
    assert (comment.status, comment.verdict) == ("pending", "unchecked")

    fresh = browser.new_context(viewport={"width": 1280, "height": 900})
    visitor = fresh.new_page()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name="2 Comments")).to_be_visible()
    assert "before winter?" not in visitor.content()
    assert "awaiting moderation" not in visitor.content()
    screenshot(visitor, "commenting-fresh-visitor")
    fresh.close()


def test_errors_are_shown_next_to_the_fields_with_the_text_kept(
    live_server, page, screenshot, article
):
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("textbox", name="Comment", exact=True).fill("My long considered reply.")
    page.get_by_role("textbox", name="Name", exact=True).fill("Ada")
    page.get_by_role("textbox", name="Email", exact=True).fill("not-an-email")
    page.get_by_role("textbox", name="Website", exact=True).fill("javascript:alert(1)")
    # The browser's own checks would stop this; the server's must stand on their own.
    page.locator("#commentform").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_text("Please enter a valid email address.")).to_be_visible()
    expect(page.get_by_text("Please enter a web address starting with")).to_be_visible()
    comment = page.get_by_role("textbox", name="Comment", exact=True)
    expect(comment).to_have_value("My long considered reply.")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Ada")
    expect(page.get_by_role("textbox", name="Email", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    page.locator("#respond").scroll_into_view_if_needed()
    screenshot(page, "commenting-errors")
    assert not Comment.objects.exists()


def test_reply_moves_the_form_under_the_comment(live_server, page, screenshot, article, approved):
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(f'[data-reply-to="{approved.pk}"]').click()
    form_home = page.locator(f"#comment-{approved.pk} #respond")
    expect(form_home).to_be_visible()
    expect(page.get_by_role("heading", name="Leave a Reply to Maria Lindqvist")).to_be_visible()
    screenshot(page, "commenting-reply-in-place")
    fill(page, "Ben", "ben@example.com", "Which towns flooded twice?")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**#comment-*")
    reply = Comment.objects.get(author_name="Ben")
    assert reply.parent == approved
    expect(page.locator(f"#comment-{approved.pk} .comment--awaiting")).to_contain_text("Ben")
    page.locator(f"#comment-{reply.pk}").scroll_into_view_if_needed()
    screenshot(page, "commenting-reply-awaiting")


def test_reply_works_without_javascript(live_server, browser, screenshot, article, approved):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(f'[data-reply-to="{approved.pk}"]').click()
    page.wait_for_url(f"**?replytocom={approved.pk}#respond")
    expect(page.get_by_role("heading", name="Leave a Reply to Maria Lindqvist")).to_be_visible()
    fill(page, "Cleo", "cleo@example.com", "Posted without any script.")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**#comment-*")
    assert Comment.objects.get(author_name="Cleo").parent == approved
    expect(page.get_by_text("Posted without any script.")).to_be_visible()
    screenshot(page, "commenting-no-javascript")
    context.close()
