"""Database down: a 503 page in the site's style, never a stack trace; and back without a
restart once the database returns."""

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article


@pytest.fixture
def broken_database():
    """Point the default connection at a database that cannot be reached; restore after.

    PostgreSQL: a port where nothing listens. SQLite: a file in a folder that does not exist.
    """
    saved = dict(connection.settings_dict)

    def break_it():
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-folder/newsroom.sqlite3"
        else:
            connection.settings_dict["PORT"] = "1"
            connection.settings_dict["HOST"] = "127.0.0.1"

    def restore():
        connection.close()
        connection.settings_dict.update(saved)

    yield break_it, restore
    restore()


@pytest.mark.django_db(transaction=True)
def test_pages_answer_503_in_the_site_style_while_the_database_is_down(
    broken_database, make_article, settings
):
    """Front, article, 404 and a comment post all answer the standalone 503 page (site
    stylesheet, Retry-After, never cached, no traceback); once the database is back the
    same client gets the real pages, with no restart."""
    break_it, restore = broken_database
    article = make_article(slug="outage", title="Outage")
    client = Client(raise_request_exception=False)
    urls = ["/", article.get_absolute_url(), "/no-such-page/", "/search/?q=x"]

    break_it()
    for url in urls:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 503, url
        assert "We will be back in a moment" in html
        assert "/static/css/site" in html
        assert settings.SITE_NAME in html
        assert "Traceback" not in html and "OperationalError" not in html
        assert response["Retry-After"] == "30"
        assert "no-cache" in response["Cache-Control"]
    posted = client.post(
        article.get_absolute_url() + "comments/",
        {"name": "A", "email": "a@example.com", "comment": "Hello"},
        HTTP_ORIGIN="http://testserver",
    )
    assert posted.status_code == 503

    restore()
    for url in urls[:2]:
        assert client.get(url).status_code == 200, url
    assert Article.objects.filter(slug="outage").exists()


def test_other_server_errors_still_get_the_500_page(client, monkeypatch):
    """Only an unreachable database becomes a 503; a bug stays a (logged) 500."""
    from articles import views

    def boom(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(views.FrontPageView, "get_context_data", boom)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
