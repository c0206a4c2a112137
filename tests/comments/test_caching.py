"""The comment thread in cached pages: approving shows at once, and a cached page never
carries one visitor's pending comment, saved details, session or CSRF token to another."""

import pytest
from django.test import Client

from comments.actions import ACTIONS
from comments.models import Comment
from comments.moderation import change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_client_cls():
    """Fresh browsers: each with its own cookies."""
    return Client


def html_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response, response.content.decode()


def test_approving_shows_at_once_and_unapproving_hides(client, article, make_comment, moderator):
    """The cached page and thread change with the approved comments, without a flush."""
    pending = make_comment(body="Held for a moment.", status=Comment.Status.PENDING)
    _response, html = html_of(client, article)
    assert "Held for a moment." not in html
    ACTIONS["approve"].execute(pending, moderator)
    _response, html = html_of(client, article)
    assert "Held for a moment." in html and ">1 Comment</h2>" in html
    ACTIONS["spam"].execute(pending, moderator)
    _response, html = html_of(client, article)
    assert "Held for a moment." not in html


def test_an_edited_approved_comment_shows_its_new_text(client, article, make_comment):
    comment = make_comment(body="Teh first version.")
    assert "Teh first version." in html_of(client, article)[1]
    comment.body = "The first version."
    comment.save()
    assert "The first version." in html_of(client, article)[1]


def test_the_authors_pending_comment_is_theirs_alone(client, django_client_cls, article, post):
    """The author sees their pending comment on a private page; a visitor before and after
    them gets the shared page without it, without their name or e-mail, without cookies."""
    visitor = django_client_cls()
    html_of(visitor, article)  # the shared page is in the cache before the author posts
    author = django_client_cls()
    response = post(client=author, comment="My words, awaiting moderation.", save_details="on")
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING

    mine, html = html_of(author, article)
    assert "My words, awaiting moderation." in html
    assert "Your comment is awaiting moderation." in html
    assert 'value="Ada Reader"' in html  # the consent cookies fill the form
    assert "private" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]
    assert "Cookie" in mine["Vary"]

    for other in (visitor, django_client_cls()):
        theirs, html = html_of(other, article)
        assert "My words" not in html and "awaiting moderation" not in html
        assert "Ada Reader" not in html and "example.com" not in html
        assert "public" in theirs["Cache-Control"]
        assert not theirs.cookies


def test_a_signed_in_readers_token_never_reaches_the_shared_page(
    client, django_client_cls, article, django_user_model
):
    """A signed-in reader's page carries their CSRF token and is private; the next
    anonymous visitor gets a page without any token, session or name."""
    member = django_client_cls()
    member.force_login(django_user_model.objects.create_user("member", first_name="Mona"))
    response, html = html_of(member, article)
    assert "csrfmiddlewaretoken" in html and "Mona" in html
    assert "private" in response["Cache-Control"]

    anonymous, html = html_of(client, article)
    assert "csrfmiddlewaretoken" not in html and "Mona" not in html
    assert not anonymous.cookies
    assert "public" in anonymous["Cache-Control"]


def test_a_cross_site_post_is_refused_even_with_the_cached_forms_token(
    client, article, post_url, form_data
):
    """The cached page's form token is the same for everybody, so it is not what stops a
    forged post: the Origin check is. A cross-site POST with it is refused, nothing saved."""
    html_of(client, article)
    response = client.post(post_url, form_data(), HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not Comment.objects.exists()
    response = client.post(post_url, form_data(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302


def test_change_status_moves_the_thread_version(article, make_comment):
    """The one status writer bumps the article's comments version (it writes with update(),
    which sends no signal); a change that does not touch approved comments does not."""
    from articles import caching

    comment = make_comment(status=Comment.Status.PENDING)
    before = caching.comments_version(article.pk)["token"]
    change_status(comment, Comment.Status.TRASH, actor_label="test")
    assert caching.comments_version(article.pk)["token"] == before
    change_status(comment, Comment.Status.APPROVED, actor_label="test")
    assert caching.comments_version(article.pk)["token"] != before
