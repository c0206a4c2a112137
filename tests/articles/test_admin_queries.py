"""What the article admin's pages cost: a fixed number of queries, whatever the number of
articles, authors and revisions (waiting changes are one EXISTS in the list's query)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import revisions
from tests.articles.revision_helpers import CHANGE, make_person


def count(client, url):
    client.get(url)  # warm: the content types and the site are cached per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_changelist_costs_the_same_for_3_or_30_articles(editor_client, make_article, editor):
    writer = make_person("wendy", "Writers")

    def add(n):
        for _ in range(n):
            article = make_article()
            article.authors.add(editor, writer)
            article.body = "<p>Proposed.</p>"
            revisions.propose(article, writer)

    add(3)
    few = count(editor_client, "/admin/articles/article/")
    add(27)
    many = count(editor_client, "/admin/articles/article/")
    assert few == many == 11


def test_the_change_form_costs_the_same_with_more_revisions(editor_client, make_article):
    article = make_article()
    few = count(editor_client, CHANGE.format(article.pk))
    for n in range(10):
        article.title = f"Title {n}"
        article.save()
    many = count(editor_client, CHANGE.format(article.pk))
    # 13: the tags' autocomplete widget reads the chosen tags, and the published article's
    # corrections and updates are listed on its form.
    assert few == many == 13
