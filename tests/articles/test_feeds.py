"""RSS and Atom feeds: the site's and each section's, published articles only."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from articles.models import Article

ATOM = "{http://www.w3.org/2005/Atom}"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def rss_links(response):
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return [item.findtext("link") for item in channel.findall("item")]


def atom_links(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")]


def absolute(article):
    return f"http://example.com{article.get_absolute_url()}"


@pytest.fixture
def newsroom(make_article, make_category, world):
    """Published articles in World and Opinion, plus a draft and a scheduled one."""
    opinion = make_category("opinion")
    return {
        "world": make_article(category=world, published_at=NOW - timedelta(hours=2)),
        "opinion": make_article(category=opinion, published_at=NOW),
        "draft": make_article(category=world, status=Article.Status.DRAFT),
        "scheduled": make_article(category=world, published_at=NOW + timedelta(seconds=1)),
    }


@pytest.mark.parametrize("url,links", [("/feed/", rss_links), ("/feed/atom/", atom_links)])
def test_site_feed_lists_exactly_the_published_articles_newest_first(client, newsroom, url, links):
    assert links(client.get(url)) == [absolute(newsroom["opinion"]), absolute(newsroom["world"])]


@pytest.mark.parametrize(
    "url,links", [("/today/feed/", rss_links), ("/today/world/feed/atom/", atom_links)]
)
def test_section_feed_lists_its_own_and_its_subsections_articles(client, newsroom, url, links):
    """/today/feed/ includes World's articles; Opinion's are not in it."""
    assert links(client.get(url)) == [absolute(newsroom["world"])]


def test_rss_items_carry_title_description_date_author_and_section(client, make_article, editor):
    article = make_article(title="Floods <agreed>", standfirst="Towns agree & sign.")
    article.authors.add(editor)
    item = ET.fromstring(client.get("/feed/").content).find("channel/item")
    assert item.findtext("title") == "Floods <agreed>"
    assert item.findtext("description") == "Towns agree & sign."
    assert item.findtext("category") == "World"
    assert "Ed Itor" in item.findtext("{http://purl.org/dc/elements/1.1/}creator")
    assert item.findtext("pubDate")


def test_feed_of_an_unknown_section_is_404(client, db):
    assert client.get("/nowhere/feed/").status_code == 404


def test_feed_queries_do_not_grow(client, make_article, django_assert_num_queries):
    """Articles (+category), authors: 2 for 2 or 20 articles (the current Site is cached
    after the first request), + 2 for the site's schedule after a change; 0 from the page
    cache."""
    for _ in range(2):
        make_article()
    client.get("/feed/")
    make_article()  # a change: the feed is rendered again
    with django_assert_num_queries(2 + 2):
        client.get("/feed/")
    with django_assert_num_queries(0):
        client.get("/feed/")
    for _ in range(18):
        make_article()
    with django_assert_num_queries(2 + 2):
        client.get("/feed/")


def test_pages_advertise_the_feeds(client, world, make_article):
    """Every page links the site feeds; a section page also its own."""
    front = client.get("/").content.decode()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="The Newsroom (RSS)" href="/feed/">'
        in front
    )
    assert 'type="application/atom+xml" title="The Newsroom (Atom)" href="/feed/atom/"' in front
    section = client.get("/today/world/").content.decode()
    assert (
        'type="application/rss+xml" title="World · The Newsroom (RSS)" href="/today/world/feed/"'
        in section
    )
    atom = 'title="World · The Newsroom (Atom)" href="/today/world/feed/atom/"'
    assert f'type="application/atom+xml" {atom}' in section
