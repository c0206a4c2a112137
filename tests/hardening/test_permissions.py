"""Who can reach what: moderators, editors and anonymous visitors.

Each test walks a list of (who, where) pairs; `PAIRS_CHECKED` adds them up for the
closing note.
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


@pytest.mark.parametrize("status", [S.PENDING, S.SPAM, S.TRASH])
def test_no_unapproved_comment_shows_anywhere_public(client, article, make_comment, status, target):
    """A pending, spam or trashed comment (and an approved one on a draft) appears in no
    page, count, feed, search result or sitemap; the approved one does, on its page."""
    make_comment(body="Approved words zebracorn.")
    hidden = make_comment(body="Hidden words unicornfish.", status=status)
    make_comment(article=target["draft"], body="On a draft: narwhalgoose.")
    public = {
        "article": client.get(article.get_absolute_url()),
        "category": client.get(article.category.get_absolute_url()),
        "front": client.get("/"),
        "feed": client.get("/feed/"),
        "atom": client.get("/feed/atom/"),
        "search": client.get("/search/?q=unicornfish"),
        "search-2": client.get("/search/?q=Towns"),
        "sitemap": client.get("/sitemap-articles.xml"),
        "news-sitemap": client.get("/sitemap-news.xml"),
    }
    for name, response in public.items():
        text = response.content.decode()
        assert response.status_code in (200, 404), name
        assert "Hidden words" not in text, name
        assert "On a draft" not in text, name
        assert f"comment-{hidden.pk}" not in text, name
    article_page = public["article"].content.decode()
    assert "zebracorn" in article_page
    assert ">1 Comment</h2>" in article_page  # the count: approved comments only
