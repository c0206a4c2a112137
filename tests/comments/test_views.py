"""Posting a comment: PRG, the Akismet outcomes, flood/duplicate/closed/reply refusals,
CSRF, the client IP, and the consent cookies."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from comments import policy as policies
from comments import spam
from comments.forms import DUPLICATE, FLOOD, REPLY_UNAPPROVED, form_token
from comments.models import Comment
from comments.reasons import Reason
from comments.views import CLOSED, FORGED


def test_get_is_405(client, post_url):
    response = client.get(post_url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_unknown_or_unpublished_article_is_404(client, form_data, make_article):
    from articles.models import Article

    draft = make_article(status=Article.Status.DRAFT)
    for url in ["/today/world/nothing/comments/", draft.get_absolute_url() + "comments/"]:
        response = client.post(url, form_data(), HTTP_ORIGIN="http://testserver")
        assert response.status_code == 404


def test_without_a_key_the_comment_is_held_unchecked(post, article, settings):
    """No Akismet key: saved, pending, verdict unchecked, reason said; PRG to its anchor."""
    settings.AKISMET_API_KEY = ""
    response = post(comment="Hello")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.status, comment.verdict) == ("pending", "unchecked")
    assert comment.held_reason == Reason.NO_AKISMET_KEY
    assert (comment.user_ip, comment.user_agent) == ("198.51.100.10", "Mozilla/5.0 (test)")
    assert comment.referrer == "http://testserver/today/world/floods/"


def test_ham_is_checked_and_held_by_manual_approval(akismet_server, post):
    """The real client asks the stand-in; ham then waits for a moderator (the default)."""
    post(comment="A fair point.", url="https://ada.example")
    comment = Comment.objects.get()
    (sent,) = akismet_server.calls("comment-check")
    assert sent["comment_content"] == "A fair point."
    assert sent["user_ip"] == "198.51.100.10"
    assert sent["honeypot_field_name"] == spam.HONEYPOT_FIELD
    assert sent["comment_type"] == "comment"
    assert (comment.verdict, comment.status) == ("ham", "pending")
    assert [e.kind for e in comment.history.all()] == ["check", "status"]


def test_ham_is_approved_when_the_policy_allows(akismet_server, post, client, article):
    policy = policies.current()
    policy.manual_approval = False
    policy.save()
    response = post(comment="Published at once.")
    assert Comment.objects.get().status == "approved"
    assert "Published at once." in client.get(response["Location"]).content.decode()


def test_reply_is_sent_as_reply(akismet_server, post, make_comment):
    parent = make_comment()
    post(parent=str(parent.pk))
    assert akismet_server.calls("comment-check")[0]["comment_type"] == "reply"
    reply = Comment.objects.get(parent=parent)
    assert reply.depth == 2


def test_spam_goes_to_spam_and_the_reader_is_told_nothing(akismet_server, post, article, client):
    response = post(name="akismet-guaranteed-spam", comment="Buy now, friends.")
    comment = Comment.objects.get()
    # Answered before the check: like every new comment, it awaits moderation for its
    # author; the worker has filed it as spam since, so not even its author sees it now.
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.verdict, comment.status) == ("spam", "spam")
    page = client.get(article.get_absolute_url())
    assert "Buy now, friends." not in page.content.decode()


def test_discard_is_spam_marked_discard(akismet_server, post):
    post(name="akismet-guaranteed-discard")
    comment = Comment.objects.get()
    assert (comment.verdict, comment.status, comment.akismet_pro_tip) == (
        "discard",
        "spam",
        "discard",
    )


@pytest.mark.parametrize("mode", ["slow", "500", "invalid", "garbage", "drop"])
def test_akismet_failure_keeps_the_comment_pending(akismet_server, post, mode):
    """Whatever Akismet does, the reader gets the normal redirect; the comment waits."""
    akismet_server.mode = mode
    response = post(comment="Still here.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.status, comment.verdict) == ("pending", "error")
    assert comment.held_reason == Reason.AKISMET_UNREACHABLE
    assert comment.next_check_at is not None


def test_refused_connection_keeps_the_comment_pending(akismet_server, post, settings):
    settings.AKISMET_API_URL = akismet_server.refused_url
    assert post().status_code == 302
    assert Comment.objects.get().verdict == "error"


def test_honeypot_is_spam_at_once_without_calling_akismet(akismet_server, post):
    post(phone="555-0100")
    comment = Comment.objects.get()
    assert comment.status == "spam"
    assert comment.held_reason == Reason.HONEYPOT
    assert comment.history.get(kind="status").actor_label == "honeypot"  # who filed it
    assert akismet_server.requests == []


def test_disallowed_words_go_to_trash_without_a_call(akismet_server, post):
    policy = policies.current()
    policy.disallowed_words = "casino"
    policy.save()
    post(comment="Best CASINO in town")
    assert Comment.objects.get().status == "trash"
    assert akismet_server.requests == []


@pytest.mark.django_db(transaction=True)
def test_the_comment_is_committed_before_akismet_is_called(
    akismet_server, article, form_data, monkeypatch
):
    """Saved first and no transaction held open across the call."""
    seen = {}
    real_check = spam.check

    def check(comment, **kwargs):
        seen["in_transaction"] = connection.in_atomic_block
        seen["saved"] = Comment.objects.filter(pk=comment.pk).exists()
        return real_check(comment, **kwargs)

    monkeypatch.setattr(spam, "check", check)
    Client().post(
        article.get_absolute_url() + "comments/", form_data(), HTTP_ORIGIN="http://testserver"
    )
    assert seen == {"in_transaction": False, "saved": True}
    assert Comment.objects.get().verdict == "ham"


def test_flood_is_429_with_the_text_kept(post):
    assert post(ip="192.0.2.50", comment="First.").status_code == 302
    response = post(ip="192.0.2.50", comment="Second, too soon.")
    assert response.status_code == 429
    html = response.content.decode()
    assert FLOOD in html
    assert "Second, too soon.</textarea>" in html
    assert Comment.objects.count() == 1


def test_flood_by_email_from_another_ip(post):
    post(ip="192.0.2.50", email="same@example.com")
    assert post(ip="192.0.2.51", email="same@example.com").status_code == 429


def test_flood_by_email_in_another_case(post):
    assert post(ip="192.0.2.50", email="f1@example.com").status_code == 302
    assert post(ip="192.0.2.51", email="F1@EXAMPLE.COM").status_code == 429
    assert Comment.objects.count() == 1


def test_flood_interval_passes(post, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    post(ip="192.0.2.50")
    time_machine.shift(timedelta(seconds=16))
    assert post(ip="192.0.2.50").status_code == 302


def test_duplicate_is_409_with_wordpress_message(post):
    post(name="Ada", comment="Same words.")
    response = post(name="Ada", comment="Same words.")
    assert response.status_code == 409
    html = response.content.decode()
    assert DUPLICATE.replace("'", "&#x27;") in html
    assert "Same words.</textarea>" in html


def test_staff_are_exempt_from_flood_and_duplicate(post, client, editor):
    """Staff may post quickly and repeat themselves (WordPress exempts moderators)."""
    client.force_login(editor)
    assert post(ip="192.0.2.50", comment="Correction: 5 towns.").status_code == 302
    assert post(ip="192.0.2.50", comment="Correction: 5 towns.").status_code == 302
    assert Comment.objects.filter(user=editor).count() == 2


def test_closed_article_refuses_with_403_and_keeps_the_text(client, make_article, form_data):
    article = make_article(comments_open=False)
    data = form_data(comment="My unsent words <3")
    data["token"] = form_token(article)
    response = client.post(
        article.get_absolute_url() + "comments/", data, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert CLOSED in html
    assert "My unsent words &lt;3</textarea>" in html
    assert not Comment.objects.exists()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed." in page
    assert 'id="commentform"' not in page


def test_closed_after_n_days(post, article, time_machine):
    policy = policies.current()
    policy.close_after_days = 14
    policy.save()
    time_machine.move_to(article.published_at + timedelta(days=14), tick=False)
    assert post().status_code == 403


@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_reply_to_a_comment_that_is_not_approved_is_refused(post, make_comment, status):
    parent = make_comment(status=status)
    response = post(parent=str(parent.pk), comment="A reply")
    assert response.status_code == 403
    assert REPLY_UNAPPROVED in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["999999", "abc", "-1"])
def test_reply_to_a_missing_comment_is_refused(post, parent):
    assert post(parent=parent).status_code == 403


def test_reply_to_a_comment_on_another_article_is_refused(post, make_comment, make_article):
    other = make_comment(article=make_article())
    assert post(parent=str(other.pk)).status_code == 403


def test_replies_stop_at_the_thread_depth(post, make_comment):
    comment = make_comment()
    for _ in range(4):
        comment = make_comment(parent=comment)
    assert comment.depth == 5
    response = post(parent=str(comment.pk), comment="Too deep")
    assert response.status_code == 400
    assert "Replies cannot be nested deeper than 5 levels." in response.content.decode()


# CSRF: cross-site posts and posts without the form's token are refused.


def test_cross_site_post_is_403(client, post_url, form_data):
    response = client.post(post_url, form_data(), HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert FORGED in response.content.decode()
    null_origin = client.post(post_url, form_data(), HTTP_ORIGIN="null")
    assert null_origin.status_code == 403
    assert not Comment.objects.exists()


def test_trusted_origin_is_accepted(client, post_url, form_data, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.org"]
    response = client.post(post_url, form_data(), HTTP_ORIGIN="https://www.example.org")
    assert response.status_code == 302


def test_https_without_origin_needs_our_referer(client, post_url, form_data):
    secure = {"secure": True, "HTTP_HOST": "testserver"}
    assert client.post(post_url, form_data(), **secure).status_code == 403
    ok = client.post(
        post_url, form_data(), HTTP_REFERER="https://testserver/today/world/floods/", **secure
    )
    assert ok.status_code == 302


@pytest.mark.parametrize("token", [None, "", "1:forged", "x"])
def test_post_without_the_form_token_is_403(client, post_url, form_data, token):
    response = client.post(post_url, form_data(token=token), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_token_of_another_article_is_403(client, post_url, form_data, make_article):
    data = form_data(token=form_token(make_article()))
    assert client.post(post_url, data, HTTP_ORIGIN="http://testserver").status_code == 403


def test_signed_in_users_need_djangos_csrf_token(post_url, form_data, editor, article):
    """A signed-in user's session could be ridden: the form carries Django's token too."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    without = browser.post(post_url, form_data(), HTTP_ORIGIN="http://testserver")
    assert without.status_code == 403
    page = browser.get(article.get_absolute_url()).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    data = form_data(csrfmiddlewaretoken=token)
    with_token = browser.post(post_url, data, HTTP_ORIGIN="http://testserver")
    assert with_token.status_code == 302


def test_anonymous_post_needs_no_cookie(post_url, form_data):
    """A reader without cookies (none are set by reading) can post."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(post_url, form_data(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302


# The client IP.


def test_ip_is_remote_addr_and_x_forwarded_for_is_ignored_by_default(client, post_url, form_data):
    client.post(
        post_url,
        form_data(),
        HTTP_ORIGIN="http://testserver",
        REMOTE_ADDR="192.0.2.1",
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    assert Comment.objects.get().user_ip == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "6.6.6.6, 203.0.113.66", "203.0.113.66"),
        (2, "6.6.6.6, 203.0.113.66, 10.0.0.2", "203.0.113.66"),
        (2, "203.0.113.66", "203.0.113.66"),
        (1, "not-an-ip", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_x_forwarded_for_as_far_as_trusted_proxies_allow(
    client, post_url, form_data, settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    client.post(
        post_url,
        form_data(),
        HTTP_ORIGIN="http://testserver",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert Comment.objects.get().user_ip == expected


# Cookies: only the short preview cookie, and the three author cookies with consent.


def test_author_cookies_only_with_consent(post, client, time_machine):
    response = post(name="Ada", email="ada@example.com", url="https://ada.example")
    assert set(response.cookies) == {"comment_preview"}
    time_machine.move_to(timezone.now() + timedelta(seconds=20))
    response = post(
        name="Ada Lovelace", email="ada@example.com", url="https://ada.example", save_details="on"
    )
    assert {"comment_author", "comment_author_email", "comment_author_url"} <= set(response.cookies)
    assert response.cookies["comment_author"].value == "Ada%20Lovelace"
    assert response.cookies["comment_author"]["httponly"]
    assert response.cookies["comment_author"]["max-age"] == 365 * 24 * 3600


def test_saved_details_fill_the_form_and_unticking_deletes_them(
    post, client, article, time_machine
):
    post(name="Zoë", email="zoe@example.com", save_details="on")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'value="Zoë"' in html and 'value="zoe@example.com"' in html
    time_machine.move_to(timezone.now() + timedelta(seconds=20))
    response = post(name="Zoë", email="zoe@example.com")
    assert response.cookies["comment_author"]["max-age"] == 0
