"""A reader asks for mail in a real browser: both boxes ticked → the confirmation mail →
its link, confirmed → the comment's private status page says "awaiting moderation" → a
moderator approves → the status page says "published", and a "published" mail → someone
replies, approved → reply mail → the mail's one-click unsubscribe (RFC 8058 POST, as a mail
provider sends it) → no further mail. The confirm and unsubscribe pages are screenshot and
run through axe."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from comments.models import Comment, ModerationPolicy, Subscriber, Subscription
from tests.browser.conftest import axe_blocking
from tests.browser.test_moderating import PASSWORD, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def article(make_article):
    # Three readers post from one address (127.0.0.1) within seconds.
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"flood_interval": 0})
    user = get_user_model().objects.create_user(
        "maria", email="maria@example.com", password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    return make_article(slug="pumps", title="Towns buy new pumps")


def mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def post(page, url, name, email, text, *, reply_to=None, notify=False):
    page.goto(url)
    if reply_to:
        page.locator(f'[data-reply-to="{reply_to.pk}"]').click()
    page.get_by_role("textbox", name="Comment", exact=True).fill(text)
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    if notify:
        page.get_by_label("E-mail me when my comment is published").check()
        page.get_by_label("E-mail me replies to my comment").check()
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**#comment-*")
    return Comment.objects.get(body=text)


def approve(desk, base, text):
    desk.goto(base + "/admin/comments/comment/")
    desk.locator("#result_list tbody tr").filter(has_text=text).get_by_role(
        "button", name="Approve"
    ).click()
    desk.wait_for_url("**/admin/comments/comment/")
    expect(desk.locator(".messagelist")).to_contain_text("is now approved")


def no_blocking_axe_violations(page):
    assert axe_blocking(page) == []


def test_confirm_publish_reply_unsubscribe(
    live_server, browser, page, screenshot, article, settings
):
    settings.SITE_URL = live_server.url
    url = live_server.url + article.get_absolute_url()
    ada = post(page, url, "Ada Reader", "ada@example.com", "Where do the pumps go?", notify=True)
    # Under her pending comment, on her own page: the private link to its status.
    status_link = page.locator(f"#comment-{ada.pk}").get_by_role(
        "link", name="Follow it on its private status page"
    )
    status_url = live_server.url + status_link.get_attribute("href")

    # The confirmation mail, and nothing else for Ada yet.
    (confirmation,) = mails_to("ada@example.com")
    link = re.search(r"http://\S+/notifications/confirm/\S+/", confirmation.body)[0]
    assert link.startswith(live_server.url)
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    no_blocking_axe_violations(page)
    screenshot(page, "notifications-confirm")
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.get_by_role("status")).to_contain_text("ada@example.com is confirmed")
    screenshot(page, "notifications-confirmed")
    assert Subscriber.objects.get().confirmed_at is not None

    status = browser.new_context().new_page()  # the link alone, no cookie
    status.goto(status_url)
    expect(status.locator(".comment-status__state")).to_contain_text("Awaiting moderation.")

    # A moderator approves: "published".
    moderator = browser.new_context(viewport={"width": 1440, "height": 900})
    desk = moderator.new_page()
    sign_in(desk, live_server.url)
    approve(desk, live_server.url, "Where do the pumps go?")
    status.reload()
    expect(status.locator(".comment-status__state")).to_contain_text("Published.")
    published = mails_to("ada@example.com")[-1]
    assert "is published" in published.subject
    assert live_server.url + ada.get_absolute_url() in published.body

    # Someone replies; approved: a reply mail.
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    post(other, url, "Bo", "bo@example.com", "By the mill, I heard.", reply_to=ada)
    approve(desk, live_server.url, "By the mill, I heard.")
    reply_mail = mails_to("ada@example.com")[-1]
    assert reply_mail.subject.startswith("[The Newsroom] Bo replied to your comment")
    assert "By the mill, I heard." in reply_mail.body
    assert reply_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = reply_mail.extra_headers["List-Unsubscribe"][1:-1]
    assert unsubscribe.startswith(live_server.url + "/notifications/unsubscribe/")

    # The page the link opens: a button, nothing changed by opening it.
    page.goto(unsubscribe)
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    no_blocking_axe_violations(page)
    screenshot(page, "notifications-unsubscribe")
    assert Subscription.objects.get().unsubscribed_at is None

    # The mail provider's one-click POST: no cookie, no CSRF token, no Origin of ours.
    provider = browser.new_context().request
    answer = provider.post(unsubscribe, form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 200
    assert Subscription.objects.get().unsubscribed_at is not None
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("no more mail about your comment")
    screenshot(page, "notifications-unsubscribed")

    # Another reply, approved: nothing more for Ada.
    sent = len(mails_to("ada@example.com"))
    post(other, url, "Cy", "cy@example.com", "And by the bridge.", reply_to=ada)
    approve(desk, live_server.url, "And by the bridge.")
    assert Comment.objects.get(body="And by the bridge.").status == "approved"
    assert len(mails_to("ada@example.com")) == sent == 3
    moderator.close()
