"""Bounded listings (articles/listing.py): a section's, a tag's and an author's page list at
most their newest ARTICLES_LISTING_LIMIT articles, count at most one more, 404 past them,
and say on the last page where the listing ends and how to reach older stories."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.authors import AuthorView
from articles.models import Author, Tag
from articles.tags import TagView
from articles.views import CategoryView

LIMIT = 5
MESSAGE = re.compile(r'<p class="listing-limit">(.*?)</p>', re.S)


@pytest.fixture
def limit(settings, monkeypatch):
    """A limit of 5 and pages of 2 (the section's first page: the lead and one more)."""
    settings.ARTICLES_LISTING_LIMIT = LIMIT
    for view in (CategoryView, TagView, AuthorView):
        monkeypatch.setattr(view, "paginate_by", 2)
    return LIMIT


def stories(make_article, count, **fields):
    """`count` articles, "Story 0" the newest."""
    now = timezone.now()
    return [
        make_article(
            title=f"Story {i}", published_at=now - timezone.timedelta(hours=i + 1), **fields
        )
        for i in range(count)
    ]


def titles(response):
    context = response.context
    lead = [context["lead"]] if context.get("lead") else []
    return [a.title for a in lead + list(context["articles"])]


def message(response):
    found = MESSAGE.findall(response.content.decode())
    return " ".join(found[0].split()) if found else None


def test_a_section_past_its_limit_ends_with_the_newest_and_says_so(client, limit, make_article):
    stories(make_article, limit + 1)
    pages = [client.get("/today/world/", {"page": n}) for n in (1, 2, 3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert [t for p in pages for t in titles(p)] == [f"Story {i}" for i in range(limit)]
    assert pages[2].context["paginator"].count == limit
    assert pages[2].context["paginator"].more is True
    assert [message(p) for p in pages[:2]] == [None, None]  # only the last page says it
    assert message(pages[2]) == (
        'Showing the newest 5 stories in World. Older stories: <a href="/search/">search the '
        "archive</a>."
    )
    assert "Page 3 of 3" in pages[2].content.decode()
    assert 'rel="next"' not in pages[2].content.decode()
    last = client.get("/today/world/", {"page": "last"})
    assert titles(last) == ["Story 4"] and message(last) == message(pages[2])
    assert client.get("/today/world/", {"page": 4}).status_code == 404


@pytest.mark.parametrize("count", [LIMIT, LIMIT - 1])
def test_a_section_within_its_limit_says_nothing(client, limit, make_article, count):
    stories(make_article, count)
    last = client.get("/today/world/", {"page": "last"})
    assert last.status_code == 200
    assert titles(last)[-1] == f"Story {count - 1}"
    assert last.context["paginator"].more is False
    assert message(last) is None
    assert "listing-limit" not in last.content.decode()
    assert client.get("/today/world/", {"page": 4}).status_code == 404


def test_tag_and_author_pages_have_the_same_limit(client, limit, make_article):
    writer = get_user_model().objects.create_user("tb")
    Author.objects.create(user=writer, name="Tomas Brandt", slug="tomas-brandt")
    climate = Tag.objects.create(name="Climate", slug="climate")
    for article in stories(make_article, limit + 1):
        article.tags.add(climate)
        article.authors.add(writer)
    for url, says in [
        ("/tag/climate/", "stories tagged “Climate”."),
        ("/author/tomas-brandt/", "stories by Tomas Brandt."),
    ]:
        last = client.get(url, {"page": 3})
        assert last.status_code == 200, url
        assert [a.title for a in last.context["articles"]] == ["Story 4"]
        assert message(last).startswith(f"Showing the newest 5 {says} Older stories:"), url
        assert message(client.get(url, {"page": 2})) is None
        assert client.get(url, {"page": 4}).status_code == 404, url
        assert client.get(url, {"page": 99999}).status_code == 404, url


@pytest.mark.parametrize(
    "page,status",
    [("x", 404), ("0", 404), ("-1", 404), ("1.5", 404), ("9" * 30, 404), ("", 200), ("1", 200)],
)
def test_unusable_page_numbers_are_handled_as_before(client, limit, make_article, page, status):
    stories(make_article, limit + 1)
    assert client.get("/today/world/", {"page": page}).status_code == status


def test_the_count_reads_at_most_one_more_than_the_limit(client, limit, make_article):
    """The page's count is a `COUNT` over a `LIMIT limit + 1` subquery with no order, and the
    page still makes its 4 + 2 queries (tests/articles/test_pages.py), at its last page too."""
    stories(make_article, limit + 3)
    for page in (1, 3):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/today/world/", {"page": page}).status_code == 200
        # path's categories, count, page of articles, their authors; the schedule (2)
        assert len(queries) == 4 + 2
        (count,) = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
        assert re.search(rf"\bLIMIT {limit + 1}\b", count), count
        assert "ORDER BY" not in count, count


def test_a_page_past_the_limit_costs_no_count(client, limit, make_article):
    stories(make_article, limit + 1)
    cache.clear()
    client.get("/")  # the schedule
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/today/world/", {"page": 50}).status_code == 404
    assert not [q for q in queries if "COUNT(" in q["sql"]]


def test_an_article_past_the_limit_keeps_its_page_and_its_sitemap_entry(
    client, limit, make_article
):
    *_newest, oldest = stories(make_article, limit + 1)
    listed = [client.get("/today/world/", {"page": n}) for n in (1, 2, 3)]
    assert all(oldest.title not in titles(page) for page in listed)
    assert client.get(oldest.get_absolute_url()).status_code == 200
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    assert f"{oldest.get_absolute_url()}</loc>" in sitemap
