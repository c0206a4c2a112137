import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article


def jsonld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {block["@type"]: block for block in map(json.loads, blocks)}


def test_article_page_has_breadcrumb_canonical_and_jsonld(client, make_article):
    article = make_article(title="Floods <agreed>", standfirst="Towns agree.")
    response = client.get("/today/world/" + article.slug + "/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<nav class="breadcrumb" aria-label="Breadcrumb">' in html
    nav = html.split('aria-label="Breadcrumb">')[1].split("</nav>")[0]
    crumbs = re.findall(r"<li><a href=\"([^\"]+)\"[^>]*>([^<]+)</a></li>", nav)
    assert crumbs == [
        ("/", "Home"),
        ("/today/", "Today"),
        ("/today/world/", "World"),
        (article.get_absolute_url(), "Floods &lt;agreed&gt;"),
    ]
    assert 'aria-current="page">Floods &lt;agreed&gt;</a>' in html
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html
    data = jsonld(html)
    assert data["NewsArticle"]["headline"] == "Floods <agreed>"
    assert data["NewsArticle"]["articleSection"] == "Today › World"
    assert [i["name"] for i in data["BreadcrumbList"]["itemListElement"]] == [
        "Home",
        "Today",
        "World",
        "Floods <agreed>",
    ]
    assert 'id="comments"' in html
    assert html.count("<h1") == 1


def test_article_under_another_path_redirects_to_canonical(client, make_article, make_category):
    article = make_article(slug="floods")
    make_category("opinion")
    for path in ["/opinion/floods/", "/floods/", "/today/floods/", "/no/such/path/floods/"]:
        response = client.get(path + "?utm=1")
        assert response.status_code == 301, path
        assert response["Location"] == article.get_absolute_url() + "?utm=1"


def test_unknown_paths_are_404(client, world):
    assert client.get("/today/world/nothing-here/").status_code == 404
    assert client.get("/nowhere/").status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timezone.timedelta(days=7)},
    ],
    ids=["draft", "scheduled"],
)
def test_drafts_and_scheduled_are_hidden_from_the_public(client, make_article, world, fields):
    article = make_article(title="Secret story", **fields)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Secret story" not in client.get("/").content.decode()
    assert "Secret story" not in client.get(world.get_absolute_url()).content.decode()


def test_staff_preview_of_a_draft_is_never_cached(editor_client, make_article):
    article = make_article(title="Draft story", status=Article.Status.DRAFT)
    response = editor_client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: this article is a draft" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_category_page_lists_own_and_descendant_articles(client, make_category, make_article):
    today = make_category("news")
    world = make_category("globe", parent=today)
    other = make_category("sport")
    a = make_article(category=today, title="Top level")
    b = make_article(category=world, title="Below")
    c = make_article(category=other, title="Elsewhere")
    html = client.get("/news/").content.decode()
    assert a.title in html and b.title in html and c.title not in html
    assert 'aria-current="page">News</a>' in html


def test_category_pagination(client, world, make_article, settings):
    for _ in range(25):
        make_article()
    first = client.get("/today/world/")
    second = client.get("/today/world/?page=2")
    # Page 1: the lead (first of the page) and 19 more below it.
    assert first.context["lead"] is not None
    assert len(first.context["articles"]) == 19
    assert len(second.context["articles"]) == 5
    assert client.get("/today/world/?page=9").status_code == 404


def test_front_page_shows_the_lead_then_latest(client, make_article):
    older_lead = make_article(title="The lead", featured=1)
    newer = make_article(title="Newest", published_at=timezone.now())
    response = client.get("/")
    assert response.context["lead"] == older_lead
    assert list(response.context["latest"]) == [newer]


def test_reading_sets_no_cookie(client, make_article):
    article = make_article()
    for url in ["/", "/today/world/", article.get_absolute_url()]:
        assert not client.get(url).cookies, url


def test_article_page_queries_do_not_grow(
    client, make_category, make_article, django_assert_num_queries
):
    """The article page costs the same number of queries at depth 1 and depth 4."""
    a = make_category("a")
    b = make_category("b", parent=a)
    c = make_category("c", parent=b)
    d = make_category("d", parent=c)
    shallow = make_article(category=a)
    deep = make_article(category=d)
    for article in (shallow, deep):
        # the path's categories (the lookup, the trail and the sections in one), article
        # (+category), authors (+profiles), tags, "more from" teasers (an untagged
        # article: no "Related" query); then the comments section: the approved thread
        # (6: the policy is read once a request)
        cache.clear()  # + the site's schedule: the policy and one aggregate
        with django_assert_num_queries(6 + 2):
            assert client.get(article.get_absolute_url()).status_code == 200
        with django_assert_num_queries(0):  # from the page cache
            assert client.get(article.get_absolute_url()).status_code == 200


def test_category_page_queries_do_not_grow(
    client, make_category, make_article, django_assert_num_queries
):
    """A category four levels deep costs as much with 2 articles as with 20."""
    a = make_category("a")
    b = make_category("b", parent=a)
    c = make_category("c", parent=b)
    d = make_category("d", parent=c)
    for _ in range(2):
        make_article(category=d)
    # the path's categories (the lookup, the trail and the sections in one), count, page
    # of articles, their authors; after a change, + the site's schedule (the policy, one
    # aggregate), shared by every page
    with django_assert_num_queries(4 + 2):
        client.get("/a/b/c/d/")
    with django_assert_num_queries(0):  # from the page cache
        client.get("/a/b/c/d/")
    for _ in range(18):
        make_article(category=d)
    with django_assert_num_queries(4 + 2):
        client.get("/a/b/c/d/")
    with django_assert_num_queries(4):
        client.get("/a/")
    with django_assert_num_queries(0):
        client.get("/a/")


def trail_queries(queries):
    """The breadcrumb trail's query (`Category.trail()`) among `queries`."""
    return [q for q in queries if '"articles_category"."path" IN' in q["sql"]]


def test_the_article_page_reads_the_trail_once(client, make_category, make_article):
    """Breadcrumb, menu highlight and both JSON-LD blocks share one trail query."""
    a = make_category("a")
    article = make_article(category=make_category("b", parent=a))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(article.get_absolute_url()).status_code == 200
    assert len(trail_queries(queries)) == 1


def test_one_query_finds_the_path_its_trail_and_the_sections(make_category, make_article):
    """`rows.categories_for`: the masthead's categories and the path's own trail, which
    `rows.trail` picks out (none when the path is not under the category). Distinct
    positions: the sections' order is the tree order."""
    from articles import rows
    from articles.context_processors import navigation

    a = make_category("a", position=1)
    b = make_category("b", parent=a)
    c = make_category("c", parent=b)
    d = make_category("d", parent=c)
    other = make_category("other", position=2)
    elsewhere = make_category("e", parent=b, position=1)
    found = rows.categories_for("a/b/c/d/some-article")
    assert [x.path for x in rows.trail(d, found)] == [x.path for x in d.trail()]
    assert rows.trail(other, found) == [other]
    assert rows.trail(elsewhere, found) is None
    assert [(r.path, [k.path for k in r.nav_children]) for r in navigation(found)] == [
        (r.path, [k.path for k in r.nav_children]) for r in navigation()
    ]


def test_a_path_deeper_than_any_page_is_not_found(client, make_article):
    article = make_article()
    deep = "/".join(["x"] * (rows_max_segments() + 2))
    assert client.get(f"/{deep}/{article.slug}/").status_code in (301, 404)


def rows_max_segments():
    from articles import rows

    return rows.MAX_SEGMENTS
