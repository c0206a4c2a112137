"""Who sees what: only approved comments are public; the author sees their own pending
comment for ten minutes; another visitor never does; reading sets no cookie."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments.models import Comment


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_unapproved_comments_never_appear_nor_count(client, article, make_comment, status):
    make_comment(body="Visible words.")
    make_comment(body="Hidden words.", author_name="Hidden Author", status=status)
    html = page(client, article)
    assert "Visible words." in html
    assert "Hidden words." not in html and "Hidden Author" not in html
    assert '<h2 id="comments-heading" class="comments__title">1 Comment</h2>' in html


def test_count_in_the_heading(client, article, make_comment):
    assert ">Comments</h2>" in page(client, article)
    for _ in range(3):
        make_comment()
    assert ">3 Comments</h2>" in page(client, article)


def test_the_author_sees_their_pending_comment_and_nobody_else(post, client, article):
    response = post(comment="My words, awaiting.")
    comment = Comment.objects.get()
    assert comment.status == "pending"
    author_page = page(client, article)
    assert "My words, awaiting." in author_page
    assert "Your comment is awaiting moderation." in author_page
    assert f'id="comment-{comment.pk}"' in author_page
    # ...the count stays that of approved comments.
    assert ">Comments</h2>" in author_page
    other = page(Client(), article)
    assert "My words, awaiting." not in other
    assert "awaiting moderation" not in other
    cookie = response.cookies["comment_preview"]
    assert cookie["path"] == article.get_absolute_url()
    assert cookie["max-age"] == 600 and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_preview_ends_after_ten_minutes(post, client, article, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    post(comment="Soon gone.")
    time_machine.shift(timedelta(minutes=9))
    assert "Soon gone." in page(client, article)
    time_machine.shift(timedelta(minutes=2))
    assert "Soon gone." not in page(client, article)


def test_a_forged_preview_cookie_shows_nothing(client, article, make_comment):
    pending = make_comment(status="pending", body="Someone else's.")
    client.cookies["comment_preview"] = str(pending.pk)
    assert "Someone else's." not in page(client, article)


def test_the_preview_shows_only_pending_not_spam(post, client, article):
    """A comment a moderator moved to spam disappears from its author's preview too."""
    post(comment="Will be spammed.")
    Comment.objects.update(status="spam")
    assert "Will be spammed." not in page(client, article)


def test_reading_an_article_sets_no_cookie(client, article, make_comment):
    make_comment()
    response = client.get(article.get_absolute_url())
    assert response.cookies == {}
    assert "csrftoken" not in response.cookies
    assert "Cookie" in response["Vary"]


def test_emails_are_never_shown(client, article, make_comment):
    make_comment(author_email="secret.person@example.com")
    assert "secret.person" not in page(client, article)


def test_comments_on_drafts_are_not_public(make_article, make_comment):
    from articles.models import Article

    draft = make_article(status=Article.Status.DRAFT)
    make_comment(article=draft)
    assert not Comment.objects.approved().exists()


def _sign_preview(value):
    """What anyone holding SECRET_KEY can write into the preview cookie."""
    from django.core import signing

    from comments.preview import PREVIEW_SALT

    return signing.get_cookie_signer(salt="comment_preview" + PREVIEW_SALT).sign(value)


def test_a_validly_signed_cookie_without_the_comments_secret_shows_nothing(
    client, article, make_comment
):
    """A leaked SECRET_KEY lets anyone sign a cookie naming other people's pending comments;
    it still shows nothing, because each comment's preview needs a secret only its
    author's browser was given."""
    others = [make_comment(status="pending", body=f"Private draft {n}.") for n in range(3)]
    client.cookies["comment_preview"] = _sign_preview(",".join(str(c.pk) for c in others))
    html = page(client, article)
    assert "Private draft" not in html
    for comment in others:
        for guess in ("", "x", comment.preview_secret[:-1]):
            client.cookies["comment_preview"] = _sign_preview(f"{comment.pk}.{guess}")
            assert "Private draft" not in page(client, article)


def test_the_preview_cookie_carries_the_comments_secret(post, client, article):
    post(comment="Mine alone.")
    comment = Comment.objects.get()
    assert len(comment.preview_secret) >= 20
    value = client.cookies["comment_preview"].value
    assert f"{comment.pk}.{comment.preview_secret}" in value
    assert "Mine alone." in page(client, article)
