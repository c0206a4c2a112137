"""What the article admin's pages cost: a fixed number of queries, whatever the number of
articles, authors, tags and revisions (waiting changes are one EXISTS in the list's query;
a revision's authors and tags are named in one query each)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import revisions
from articles.models import Tag
from tests.articles.revision_helpers import CHANGE, HISTORY, make_person


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
    assert few == many == 10


def test_the_changelist_counts_the_articles_once(editor_client, make_article):
    """The list's count, and no second count of the whole archive for "(N total)"."""
    make_article()
    editor_client.get("/admin/articles/article/?q=a")
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get("/admin/articles/article/?q=a")
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1, counts
    assert "WHERE" in counts[0]  # the searched list's own count


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


def test_the_history_page_costs_the_same_with_more_revisions(editor_client, make_article):
    article = make_article()
    few = count(editor_client, HISTORY.format(article.pk))
    tags = [Tag.objects.create(name=f"tag {n}", slug=f"tag-{n}") for n in range(10)]
    for n in range(10):
        article.tags.add(tags[n])
        article.authors.add(make_person(f"writer{n}", "Writers"))
        article.save()
    many = count(editor_client, HISTORY.format(article.pk))
    assert few == many == 8


def test_comparing_and_restoring_cost_the_same_for_more_authors_and_tags(
    editor_client, make_article
):
    article = make_article()
    first = article.history.get()

    def pages():
        latest = article.history.latest("history_id")
        compare = f"{HISTORY.format(article.pk)}compare/?a={first.history_id}&b={latest.history_id}"
        restore = f"{CHANGE.format(article.pk)}?_restore={latest.history_id}"
        return count(editor_client, compare), count(editor_client, restore)

    def add(n):
        for _ in range(n):
            k = article.tags.count()
            article.tags.add(Tag.objects.create(name=f"tag {k}", slug=f"tag-{k}"))
            article.authors.add(make_person(f"writer{k}", "Writers"))
        article.save()

    add(1)
    few = pages()
    add(9)
    many = pages()
    # The restore: the change form's queries, the revision, and whether its category, its
    # authors and its tags still exist (a query each, whatever their number).
    assert few == many == (10, 18)
