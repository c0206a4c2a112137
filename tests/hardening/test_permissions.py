"""Who can reach what: moderators, editors and anonymous visitors.

Each test walks a list of (who, where) pairs and names the pair in its failure message.
"""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article
from comments.models import Comment

S = Comment.Status


@pytest.fixture
def target(article, make_article, editor, make_comment):
    """Something of each kind for the URLs to point at."""
    draft = make_article(slug="draft-plan", title="Draft plan", status=Article.Status.DRAFT)
    return {
        "article": article,
        "draft": draft,
        "comment": make_comment(status=S.PENDING),
        "user": editor,
    }


def _admin_urls(t):
    a, c, u = t["article"].pk, t["comment"].pk, t["user"].pk
    return {
        "articles": [
            "/admin/articles/article/",
            "/admin/articles/article/add/",
            f"/admin/articles/article/{a}/change/",
            f"/admin/articles/article/{a}/delete/",
            "/admin/articles/category/",
        ],
        "users": [
            "/admin/auth/user/",
            "/admin/auth/user/add/",
            f"/admin/auth/user/{u}/change/",
            f"/admin/auth/user/{u}/password/",
            "/admin/auth/group/",
        ],
        "comments": [
            "/admin/comments/comment/",
            f"/admin/comments/comment/{c}/change/",
            "/admin/comments/moderationpolicy/1/change/",
        ],
    }


def test_a_moderator_cannot_edit_articles_or_users(maria_client, target):
    """Every article, category, user and group page (GET and POST) is 403 for a
    moderator, and a POST changes nothing."""
    urls = _admin_urls(target)
    for url in urls["articles"] + urls["users"]:
        assert maria_client.get(url).status_code == 403, url
        assert maria_client.post(url, {"title": "Defaced", "username": "x"}).status_code == 403
    target["article"].refresh_from_db()
    assert target["article"].title == "Towns agree a flood plan"
    assert get_user_model().objects.filter(is_superuser=True).count() == 0
    for url in urls["comments"]:
        assert maria_client.get(url).status_code == 200, url


def test_an_editor_without_comment_permissions_cannot_moderate(editor_client, target):
    """An editor sees no queue, no comment page, no policy, and cannot approve one by a
    row button, a bulk action or an e-mailed link."""
    comment = target["comment"]
    for url in _admin_urls(target)["comments"]:
        assert editor_client.get(url).status_code == 403, url
    for action in ("approve", "spam", "trash"):
        url = f"/admin/comments/comment/{comment.pk}/moderate/{action}/"
        assert editor_client.get(url).status_code == 403
        assert editor_client.post(url).status_code == 403
    response = editor_client.post(
        "/admin/comments/comment/", {"action": "approve", "_selected_action": [comment.pk]}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == S.PENDING


def test_anonymous_visitors_reach_no_admin_page_and_no_preview(client, target):
    """Every admin URL sends an anonymous visitor to the login page; a draft article is a
    plain 404, not a preview."""
    for urls in _admin_urls(target).values():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url
    assert client.get(target["draft"].get_absolute_url()).status_code == 404
    post = client.post(f"/admin/comments/comment/{target['comment'].pk}/moderate/approve/")
    assert post.status_code == 302 and post["Location"].startswith("/admin/login/")


# The pages that render comments: the article (its thread and its count), and the article
# with `?replytocom=` naming the hidden comment (the no-JavaScript reply form). Feeds,
# sitemaps, listings and search render no comments at all, so they prove nothing here.
WHO = ("anonymous", "editor", "moderator")


@pytest.mark.parametrize("status", [S.PENDING, S.SPAM, S.TRASH])
@pytest.mark.parametrize("who", WHO)
def test_no_unapproved_comment_shows_anywhere_public(
    client, article, make_comment, status, target, who, editor, maria
):
    """A pending, spam or trashed comment never shows on the public pages that render
    comments, whoever asks: each page answers 200 and shows the approved comment (so the
    page did render the thread) without the hidden one; an approved comment on a draft
    stays behind the draft's 404."""
    if who != "anonymous":
        client.force_login(editor if who == "editor" else maria)
    approved = make_comment(body="Approved words zebracorn.")
    hidden = make_comment(body="Hidden words unicornfish.", status=status, author_name="Hidda")
    make_comment(article=target["draft"], body="On a draft: narwhalgoose.")
    url = article.get_absolute_url()
    pages = {
        "article": url,
        "reply to the hidden one": f"{url}?replytocom={hidden.pk}",
    }
    for where, address in pages.items():
        pair = (who, where)
        response = client.get(address)
        assert response.status_code == 200, pair
        text = response.content.decode()
        assert "zebracorn" in text and f'id="comment-{approved.pk}"' in text, pair
        assert ">1 Comment</h2>" in text, pair  # the count: approved comments only
        assert "unicornfish" not in text, pair
        assert f"comment-{hidden.pk}" not in text and "Hidda" not in text, pair
        assert "narwhalgoose" not in text, pair
    draft = client.get(target["draft"].get_absolute_url())
    if who == "anonymous":
        assert draft.status_code == 404
    assert "narwhalgoose" not in draft.content.decode()
