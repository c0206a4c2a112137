"""Timed changes: an article with an unpublish time leaves the site at that time, with no
job and no write, and no cached page keeps it."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from articles import caching
from articles.models import Article
from tests.articles.revision_helpers import CHANGE, form_data


def test_published_leaves_out_articles_past_their_unpublish_time(make_article):
    now = timezone.now()
    gone = make_article(unpublish_at=now - timedelta(minutes=1))
    going = make_article(unpublish_at=now + timedelta(minutes=1))
    plain = make_article()
    assert set(Article.objects.published()) == {going, plain}
    assert not gone.is_published and going.is_published


def test_pages_are_not_stale_when_an_article_unpublishes(client, make_article):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        make_article(title="Evergreen", published_at=start - timedelta(hours=3))
        limited = make_article(
            title="Flash sale ends",
            published_at=start - timedelta(hours=1),
            unpublish_at=start + timedelta(minutes=10),
        )
        url = limited.get_absolute_url()
        front = client.get("/")
        assert "Flash sale ends" in front.content.decode()
        assert client.get(url).status_code == 200
        assert caching.schedule()["next_change"] == start + timedelta(minutes=10)

        clock.shift(timedelta(minutes=9, seconds=50))
        assert "s-maxage=10" in client.get("/")["Cache-Control"]

        clock.shift(timedelta(seconds=10))  # the unpublish time: nothing was written
        response = client.get("/", HTTP_IF_NONE_MATCH=front["ETag"])
        assert response.status_code == 200
        assert "Flash sale ends" not in response.content.decode()
        assert "Evergreen" in response.content.decode()
        assert client.get(url).status_code == 404
        assert "Flash sale ends" not in client.get("/feed/").content.decode()
        assert "Flash sale ends" not in client.get("/today/world/").content.decode()
        assert caching.schedule()["live_since"] == start + timedelta(minutes=10)


def test_the_form_refuses_an_unpublish_time_before_the_publish_time(editor_client, make_article):
    article = make_article(title="Keep me")
    page = editor_client.get(CHANGE.format(article.pk))
    published = timezone.localtime(article.published_at)
    before = published - timedelta(hours=1)
    response = editor_client.post(
        CHANGE.format(article.pk),
        form_data(
            page,
            title="Typed title kept",
            unpublish_at_0=before.strftime("%Y-%m-%d"),
            unpublish_at_1=before.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The unpublish time must be after the publish time" in html
    assert response.context["adminform"].form["title"].value() == "Typed title kept"
    article.refresh_from_db()
    assert article.title == "Keep me" and article.unpublish_at is None
