from django.utils import timezone

from articles.models import Article


def test_editor_creates_and_publishes_an_article(editor_client, world, editor):
    """An editor (not a superuser) writes a draft, previews it, then publishes it."""
    response = editor_client.post(
        "/admin/articles/article/add/",
        {
            "title": "A new report",
            "slug": "a-new-report",
            "category": world.pk,
            "authors": [editor.pk],
            "standfirst": "In brief.",
            "body": "<p>Text <script>alert(1)</script></p>",
            "status": "draft",
            "published_at_0": timezone.now().strftime("%Y-%m-%d"),
            "published_at_1": "00:00:00",
            "comments_open": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="a-new-report")
    assert article.status == "draft"
    assert "<script>" not in article.body

    assert editor_client.get(article.get_absolute_url()).status_code == 200  # preview
    changelist = editor_client.get("/admin/articles/article/")
    assert "Preview" in changelist.content.decode()

    response = editor_client.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "1 article published." in response.content.decode()
    article.refresh_from_db()
    assert article.is_published


def test_unpublish_action(editor_client, make_article):
    article = make_article()
    editor_client.post(
        "/admin/articles/article/", {"action": "unpublish", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == "draft"


def test_category_admin_shows_the_tree(editor_client, make_category):
    today = make_category("today", position=0)
    make_category("world", parent=today)
    make_category("opinion", position=1)
    html = editor_client.get("/admin/articles/category/").content.decode()
    assert html.index("today/world") < html.index(">opinion<")


def test_deleting_a_category_with_articles_is_refused_in_the_admin(
    editor_client, make_article, world
):
    make_article(category=world)
    response = editor_client.post(f"/admin/articles/category/{world.pk}/delete/", {"post": "yes"})
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )
    assert world.__class__.objects.filter(pk=world.pk).exists()


def test_editor_cannot_reach_users(editor_client):
    assert editor_client.get("/admin/auth/user/").status_code == 403


def test_reserved_slug_error_in_admin(editor_client):
    response = editor_client.post(
        "/admin/articles/category/add/", {"name": "Search", "slug": "search", "position": 0}
    )
    assert response.status_code == 200
    assert "used by a fixed page of the site" in response.content.decode()
