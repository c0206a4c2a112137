"""Search: `/search/?q=` over title, standfirst and body text, on SQLite and PostgreSQL."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search
from articles.models import Article, Author
from articles.templatetags.articles_tags import card

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search only"
)


def titles(response):
    return [a.title for a in response.context["articles"]]


def test_finds_words_in_title_standfirst_and_body(client, make_article):
    """Each of the three fields is searched."""
    make_article(title="Harbour reopens", standfirst="Boats return.")
    make_article(title="Other", standfirst="The harbour master retires.")
    make_article(title="Third", body="<p>Fishing boats crowd the <em>harbour</em>.</p>")
    make_article(title="Unrelated", body="<p>Nothing to see.</p>")
    response = client.get("/search/", {"q": "harbour"})
    assert response.status_code == 200
    assert sorted(titles(response)) == ["Harbour reopens", "Other", "Third"]


def test_searches_the_text_of_the_body_not_its_html(client, make_article):
    """Tag and attribute names are not words of the article."""
    make_article(title="Quoted", body='<blockquote><p>Words.</p></blockquote><a href="/x">y</a>')
    assert titles(client.get("/search/", {"q": "blockquote"})) == []
    assert titles(client.get("/search/", {"q": "href"})) == []
    assert titles(client.get("/search/", {"q": "words"})) == ["Quoted"]


def test_body_text_follows_the_body(make_article):
    """body_text is the body without tags or entities, updated on every save."""
    article = make_article(body="<p>Caf&eacute; &amp; bar</p><p>open</p>")
    assert article.body_text == "Café & bar open"
    article.body = "<h2>Closed</h2>"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert article.body_text == "Closed"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timezone.timedelta(days=7)},
    ],
    ids=["draft", "scheduled"],
)
def test_drafts_and_scheduled_articles_are_not_found(client, make_article, fields):
    make_article(title="Secret harbour plan", **fields)
    make_article(title="Public harbour plan")
    assert titles(client.get("/search/", {"q": "harbour"})) == ["Public harbour plan"]


def test_every_word_must_match(client, make_article):
    """Two words find the articles that have both, not either."""
    make_article(title="Flood plan agreed")
    make_article(title="Flood warning")
    assert titles(client.get("/search/", {"q": "flood plan"})) == ["Flood plan agreed"]


def test_query_is_kept_in_the_box_and_results_are_counted(client, make_article):
    make_article(title="Night trains return")
    html = client.get("/search/", {"q": 'night "trains'}).content.decode()
    assert 'name="q" value="night &quot;trains"' in html
    assert "1 article found." in html
    assert html.count("<h1") == 1


def test_no_results_gives_a_helpful_message(client, make_article):
    """Nothing found: say so, suggest what to try, and link the sections."""
    make_article(title="Harbour news")
    html = client.get("/search/", {"q": "zeppelin"}).content.decode()
    assert "No articles found." in html
    assert "Nothing we have published matches “zeppelin”" in html
    assert 'href="/today/"' in html.split('class="no-results"')[1]


def test_empty_query_shows_the_form_only(client, make_article, django_assert_max_num_queries):
    make_article(title="Anything")
    with django_assert_max_num_queries(1):  # the sections, for the masthead
        response = client.get("/search/", {"q": "   "})
    assert titles(response) == []
    assert "No articles found" not in response.content.decode()


def test_results_are_paginated_and_pages_keep_the_query(client, make_article, settings):
    for i in range(25):
        make_article(title=f"Harbour report {i}")
    first = client.get("/search/", {"q": "harbour"})
    assert len(first.context["articles"]) == 20
    assert 'href="?q=harbour&amp;page=2"' in first.content.decode()
    second = client.get("/search/", {"q": "harbour", "page": 2})
    assert len(second.context["articles"]) == 5
    assert not set(titles(first)) & set(titles(second))


def bylined(make_article, title, category=None, profile=None, **fields):
    """An article by a writer, with an author profile (`profile`: its slug) or without."""
    article = make_article(title=title, category=category, **fields)
    writer = get_user_model().objects.create_user(
        f"w-{article.slug}", first_name="Writer", last_name=article.slug
    )
    if profile:
        Author.objects.create(user=writer, name=f"Profile {profile}", slug=profile)
    article.authors.add(writer)
    return article


def test_search_queries_do_not_grow_with_results(
    client, make_article, make_category, django_assert_num_queries
):
    """A page of results, the number of results and each result's category in one query,
    their authors (names and profiles) in one, the sections in one: 3 for 2 or 20 results,
    in many categories, by many authors, on any page."""
    categories = [make_category(f"section-{i}") for i in range(3)]
    for i in range(2):
        bylined(make_article, f"Harbour {i}", categories[i], profile=f"p-{i}")
    with django_assert_num_queries(3):
        html = client.get("/search/", {"q": "harbour"}).content.decode()
    assert html.count('class="card card--row"') == 2
    for i in range(38):
        bylined(make_article, f"Harbour more {i}", categories[i % 3], profile=i % 2 and f"q-{i}")
    with django_assert_num_queries(3):
        html = client.get("/search/", {"q": "harbour"}).content.decode()
    assert html.count('class="card card--row"') == 20
    assert html.count('class="card__author" href="/author/') == 10  # those with a profile
    assert 'href="/section-2/">Section-2</a></p>' in html  # each card's category
    with django_assert_num_queries(3):
        second = client.get("/search/", {"q": "harbour", "page": 2})
    assert len(second.context["articles"]) == 20


def test_results_read_only_what_a_card_shows(client, make_article, django_assert_num_queries):
    """The result rows are read without the text a card never shows (the body, its text,
    the search document, the meta description, the review note); reading a result's card
    needs no further query."""
    for i in range(3):
        make_article(title=f"Harbour {i}", body=f"<p>{'Long text. ' * 500}</p>")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "harbour"})
    assert len(titles(response)) == 3
    selects = [q["sql"].split(" FROM ")[0] for q in queries.captured_queries]
    for column in ('"body"', '"body_text"', '"search_document"', '"meta_description"',
                   '"review_note"', '"image_caption"'):  # fmt: skip
        assert not any(column in select for select in selects), (column, selects)
    with django_assert_num_queries(0):
        for article in response.context["articles"]:
            card(article, variant="row", show_image=True, show_standfirst=True,
                 show_byline=True, show_section=True)  # fmt: skip


def test_pages_of_results_follow_the_search_order(client, make_article, monkeypatch):
    """The pages, one after another, are the search queryset's results in its order (best
    match first on PostgreSQL, newest first elsewhere), up to the bound; `?page=last` is
    the last of them and a page past it a 404."""
    monkeypatch.setattr(search, "RANK_LIMIT", 45)
    now = timezone.now()
    for i in range(50):
        make_article(
            title=f"Harbour {i}" if i % 3 else f"Harbour harbour {i}",
            body="<p>The harbour.</p>" if i % 2 else "<p>Quiet.</p>",
            published_at=now - timezone.timedelta(minutes=i // 4),  # ties on the time
        )  # fmt: skip
    expected = [a.title for a in Article.objects.published().search("harbour")]
    assert len(expected) == 45
    pages = [client.get("/search/", {"q": "harbour", "page": n}) for n in (1, 2, 3)]
    assert [t for page in pages for t in titles(page)] == expected
    last = client.get("/search/", {"q": "harbour", "page": "last"})
    assert titles(last) == expected[40:]
    assert "page 3 of 3" in last.content.decode()
    assert client.get("/search/", {"q": "harbour", "page": 4}).status_code == 404


def test_search_pages_are_not_indexed(client, db):
    html = client.get("/search/", {"q": "x"}).content.decode()
    assert '<meta name="robots" content="noindex">' in html


@on_postgres
def test_postgres_ranks_title_matches_above_body_matches(client, make_article):
    """Full-text ranking: a word in the title weighs more than the same word in the body."""
    now = timezone.now()
    make_article(
        title="Budget talks", body="<p>The harbour is mentioned once.</p>",
        published_at=now - timezone.timedelta(minutes=1),
    )  # fmt: skip
    make_article(title="Harbour budget", published_at=now - timezone.timedelta(days=3))
    assert titles(client.get("/search/", {"q": "harbour"})) == ["Harbour budget", "Budget talks"]


@on_postgres
def test_postgres_matches_word_forms(client, make_article):
    """English stemming: "flooding" finds "floods"; websearch syntax excludes with -word."""
    make_article(title="Floods in the delta")
    make_article(title="Floods and droughts")
    assert titles(client.get("/search/", {"q": "flooding"})) != []
    assert titles(client.get("/search/", {"q": "flooding -droughts"})) == ["Floods in the delta"]


@on_postgres
def test_postgres_search_can_use_the_gin_index(make_article):
    """The GIN index on the stored document matches the query's condition. With a handful of
    rows the planner may rather walk the newest-first index (as it does for a broad term),
    so plain index scans are switched off with sequential ones: what is left is the GIN."""
    make_article(title="Harbour")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = Article.objects.search("harbour").explain()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert re.search(r"Bitmap Index Scan on article_search_idx", plan), plan
    assert "to_tsvector" not in plan  # the stored document, not one computed per row


@on_postgres
def test_postgres_search_document_follows_every_kind_of_write(make_article):
    """The trigger keeps the stored document in step on save(), update() and bulk_create()."""

    def found(word):
        return list(Article.objects.search(word).values_list("pk", flat=True))

    article = make_article(title="Harbour", body="<p>Ferries.</p>")
    assert found("ferries") == [article.pk]
    Article.objects.filter(pk=article.pk).update(body_text="Lighthouses", title="Coast")
    assert found("ferries") == found("harbour") == []
    assert found("lighthouse") == found("coast") == [article.pk]
    Article.objects.filter(pk=article.pk).update(search_document=None)  # rewritten
    assert found("lighthouse") == [article.pk]
    bulk = Article.objects.bulk_create(
        [Article(title="Bulk", slug="bulk", category=article.category, status="published")]
    )
    assert found("bulk") == [bulk[0].pk]


def test_ranking_is_bounded_to_the_newest_matches(client, make_article, monkeypatch):
    """Only the newest RANK_LIMIT matches are considered (ranked on PostgreSQL), and the
    page says so; an older, better match beyond the bound is not found."""
    monkeypatch.setattr(search, "RANK_LIMIT", 3)
    now = timezone.now()
    make_article(title="Harbour harbour", published_at=now - timezone.timedelta(days=9))
    for i in range(3):
        make_article(
            title=f"News {i}", body="<p>The harbour.</p>",
            published_at=now - timezone.timedelta(hours=i + 1),
        )  # fmt: skip
    response = client.get("/search/", {"q": "harbour"})
    assert sorted(titles(response)) == ["News 0", "News 1", "News 2"]
    html = response.content.decode()
    assert "3+ articles found." in html
    assert "the best matches among the 3 most recent" in html
    narrow = client.get("/search/", {"q": "harbour news"}).content.decode()
    assert "3+ articles found." in narrow
    one = client.get("/search/", {"q": "news 1"}).content.decode()
    assert "1 article found." in one
    assert "most recent" not in one


def test_search_pagination_is_bounded(client, make_article, monkeypatch):
    """Pages end at the bound: a page beyond it, or beyond the results, is a 404."""
    monkeypatch.setattr(search, "RANK_LIMIT", 25)
    for i in range(30):
        make_article(title=f"Harbour report {i}")
    second = client.get("/search/", {"q": "harbour", "page": 2})
    assert second.status_code == 200
    assert len(second.context["articles"]) == 5
    for page in ("3", "99999", "9" * 30, "0", "-1", "x"):
        assert client.get("/search/", {"q": "harbour", "page": page}).status_code == 404, page


@pytest.mark.parametrize(
    "query",
    [
        "the and of",  # stop words only
        "!!! ... ,,, ???",  # punctuation only
        "-",  # a minus alone
        "- -",
        '"',  # a quote left open
        '"zeppelin',
        "x" * 200,  # a 200-character word
        ("y" * 199 + " ") * 3,
        "nul\x00byte",
        "'''",
        "zeppelin & | ! :* <->",  # tsquery operators are plain characters to websearch
        "(zeppelin",
        "or",
        "-harbour",
    ],
)
def test_bad_queries_give_a_clear_no_results_page(client, make_article, query):
    make_article(title="Harbour news")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert titles(response) == []
    assert "No articles found." in response.content.decode()


def test_nul_bytes_alone_are_an_empty_query(client, db):
    response = client.get("/search/", {"q": "\x00\x00"})
    assert response.status_code == 200
    assert "No articles found" not in response.content.decode()
