"""sitemap.xml (an index of parts), the two-day news sitemap, and robots.txt."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import time_machine

from articles.models import Article

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def locations(response):
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.iter(f"{SM}loc")]


def paths(urls):
    return [urlparse(url).path for url in urls]


def test_the_index_lists_each_part(client, db):
    assert paths(locations(client.get("/sitemap.xml"))) == [
        "/sitemap-pages.xml",
        "/sitemap-sections.xml",
        "/sitemap-articles.xml",
        "/sitemap-authors.xml",
        "/sitemap-tags.xml",
    ]


@time_machine.travel(NOW, tick=False)
def test_articles_sitemap_lists_exactly_the_published_articles(client, make_article):
    """Drafts and scheduled articles are left out; lastmod is the last edit."""
    visible = [make_article(published_at=NOW - timedelta(days=d)) for d in (0, 1, 30)]
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=NOW + timedelta(seconds=1))
    response = client.get("/sitemap-articles.xml")
    assert paths(locations(response)) == [a.get_absolute_url() for a in visible]
    lastmods = [e.text for e in ET.fromstring(response.content).iter(f"{SM}lastmod")]
    assert lastmods == ["2026-05-01"] * 3


def test_sections_and_front_page_sitemaps(client, world):
    assert paths(locations(client.get("/sitemap-sections.xml"))) == ["/today/", "/today/world/"]
    assert paths(locations(client.get("/sitemap-pages.xml"))) == ["/"]


@time_machine.travel(NOW, tick=False)
def test_news_sitemap_holds_the_last_two_days(client, make_article):
    """Published in the last 48 hours (inclusive), newest first, with Google News fields."""
    fresh = make_article(title="Fresh <news>", published_at=NOW - timedelta(hours=1))
    edge = make_article(published_at=NOW - timedelta(days=2))
    make_article(published_at=NOW - timedelta(days=2, seconds=1))  # too old
    make_article(status=Article.Status.DRAFT, published_at=NOW - timedelta(hours=1))
    make_article(published_at=NOW + timedelta(minutes=1))  # scheduled
    response = client.get("/sitemap-news.xml")
    assert paths(locations(response)) == [fresh.get_absolute_url(), edge.get_absolute_url()]
    news = ET.fromstring(response.content).find(f"{SM}url/{NEWS}news")
    assert news.findtext(f"{NEWS}title") == "Fresh <news>"
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "The Newsroom"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date") == "2026-05-01T11:00:00+00:00"


def test_sitemap_queries_do_not_grow(client, make_article, django_assert_num_queries):
    for _ in range(2):
        make_article()
    client.get("/sitemap-articles.xml")
    with django_assert_num_queries(2):  # count (for paging), the page of articles
        client.get("/sitemap-articles.xml")
    for _ in range(18):
        make_article()
    with django_assert_num_queries(2):
        client.get("/sitemap-articles.xml")


def test_robots_txt_points_to_the_sitemaps(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines


def test_articles_sitemap_is_paginated_and_the_index_lists_every_page(
    client, make_article, monkeypatch
):
    """50,000 URLs per file (the protocol's maximum); here 2, to see the pages."""
    from articles.sitemaps import ArticleSitemap

    assert ArticleSitemap.limit == 50_000
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [make_article() for _ in range(5)]
    index = client.get("/sitemap.xml")
    assert [u.split("/", 3)[3] for u in locations(index)] == [
        "sitemap-pages.xml",
        "sitemap-sections.xml",
        "sitemap-articles.xml",
        "sitemap-articles.xml?p=2",
        "sitemap-articles.xml?p=3",
        "sitemap-authors.xml",
        "sitemap-tags.xml",
    ]
    listed = [paths(locations(client.get("/sitemap-articles.xml", {"p": p}))) for p in (1, 2, 3)]
    assert [len(page) for page in listed] == [2, 2, 1]
    assert sorted(sum(listed, [])) == sorted(a.get_absolute_url() for a in articles)
    assert client.get("/sitemap-articles.xml", {"p": 4}).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_index_queries_do_not_grow_and_give_the_latest_edit(
    rf, make_article, django_assert_num_queries
):
    """The index view itself (uncached): categories counted, articles counted, their latest
    edit, authors and tags counted; never a read of every article."""
    from django.contrib.sitemaps.views import index

    from articles.sitemaps import SITEMAPS

    def get():
        response = index(rf.get("/sitemap.xml"), SITEMAPS, sitemap_url_name="sitemap-part")
        return response.render()

    for d in (3, 1, 2):
        make_article(published_at=NOW - timedelta(days=d))
    make_article(status=Article.Status.DRAFT)
    get()  # the current Site, read once per process
    with django_assert_num_queries(5) as queries:
        response = get()
    assert not any('"articles_article"."slug"' in q["sql"] for q in queries.captured_queries)
    lastmods = [e.text for e in ET.fromstring(response.content).iter(f"{SM}lastmod")]
    assert lastmods == ["2026-05-01T12:00:00+00:00"]
    for _ in range(20):
        make_article()
    with django_assert_num_queries(5):
        get()


def test_index_and_news_sitemap_are_cached_whole(client, make_article, django_assert_num_queries):
    make_article()
    for url in ("/sitemap.xml", "/sitemap-news.xml"):
        first = client.get(url)
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content
        assert "public" in again["Cache-Control"]
