"""The Pending view (the queue's default) at any size: its rows in the queue's order from
the pending comments' own index (`comment_pending_idx`), one exact Pending count for the
whole request (the header, the status filter and the view's own count show the same
number), and the article filter's choices asked per article, not per comment."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import counts
from comments.admin.filters import ArticleFilter
from comments.models import Comment

QUEUE = "/admin/comments/comment/"
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's statistics and plans"
)


def rows(response):
    return list(response.context["cl"].result_list)


def comment_counts(queries):
    """The queries that count comments (the status filter's grouped count is not one)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT COUNT(*)") and '"comments_comment"' in q["sql"]
    ]


def test_the_pending_view_is_counted_once_with_its_status_counts(maria_client, make_comment):
    """A small table: the grouped status count gives Pending to the filter, the header and
    the view's paginator; no other count of the comments."""
    for status in ["pending"] * 3 + ["approved", "spam"]:
        make_comment(status=status)
    maria_client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        response = maria_client.get(QUEUE)
    page = response.content.decode()
    assert "Pending (3)" in page and "3 comments pending" in page
    assert response.context["cl"].result_count == 3
    assert len(rows(response)) == 3
    assert comment_counts(queries) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "approved"}, 2),
        ({"status": "all"}, 6),
        ({"q": "Zelda"}, 1),
        ({"verdict__exact": "error"}, 1),
        ("article", 1),
    ],
)
def test_other_views_count_their_own_rows(
    maria_client, make_comment, make_article, query, expected
):
    other = make_article(title="Another story")
    make_comment(status="pending", author_name="Zelda")
    make_comment(status="pending", verdict="error")
    make_comment(status="pending", article=other)
    make_comment(status="approved")
    make_comment(status="approved")
    make_comment(status="spam")
    params = {"article": other.pk} if query == "article" else query
    response = maria_client.get(QUEUE, params)
    assert response.context["cl"].result_count == expected == len(rows(response))
    assert "Pending (3)" in response.content.decode()
    assert "3 comments pending" in response.content.decode()


def test_the_second_page_of_pending_counts_all_pending(maria_client, make_comment):
    article = make_comment(status="approved").article
    Comment.objects.bulk_create(
        Comment(article=article, author_name=f"R{i}", author_email="r@x.org", body=f"c{i}",
                status="pending")
        for i in range(55)
    )  # fmt: skip
    response = maria_client.get(QUEUE, {"p": 2})
    assert response.context["cl"].result_count == 55
    assert len(rows(response)) == 5


@on_postgres
def test_a_large_table_counts_pending_exactly_once(maria_client, make_comment, monkeypatch):
    """Past EXACT_UP_TO comments the other statuses are estimated; the exact Pending count
    is one query for the filter, the header and the view's paginator."""
    for status in ["approved"] * 6 + ["pending"] * 2:
        make_comment(status=status)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    monkeypatch.setattr(counts, "EXACT_UP_TO", 5)
    make_comment(status="pending")  # after the statistics: only the exact count sees it
    maria_client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        response = maria_client.get(QUEUE)
    page = response.content.decode()
    assert "Pending (3)" in page and "3 comments pending" in page
    assert "Approved (about 6)" in page
    assert response.context["cl"].result_count == 3 == len(rows(response))
    assert len(comment_counts(queries)) == 1, comment_counts(queries)


def test_article_choices_newest_comment_first_with_their_pending(
    maria_client, make_comment, make_article, monkeypatch
):
    """The articles of the latest RECENT comments, ordered by their newest comment, each
    with every pending comment it has (older ones too); an article whose comments are all
    older than the latest RECENT is not offered."""
    monkeypatch.setattr(ArticleFilter, "RECENT", 4)
    now = timezone.now()
    a, b, c, old = (make_article(title=t) for t in ("Story A", "Story B", "Story C", "Old"))
    for article, minutes, status in [
        (old, 60, "pending"),
        (a, 50, "pending"),  # older than the latest 4, but counted with A's
        (a, 40, "pending"),
        (b, 30, "approved"),
        (c, 20, "pending"),
        (a, 10, "approved"),
        (b, 5, "pending"),
    ]:
        make_comment(article=article, status=status, created_at=now - timedelta(minutes=minutes))
    filters = maria_client.get(QUEUE).context["cl"].filter_specs
    (articles,) = [f for f in filters if isinstance(f, ArticleFilter)]
    assert articles.lookup_choices == [
        (str(b.pk), "Story B (1 pending)"),
        (str(a.pk), "Story A (2 pending)"),
        (str(c.pk), "Story C (1 pending)"),
    ]


@on_postgres
def test_the_pending_page_reads_the_pending_index(maria_client, make_article):
    """The Pending view's page of 50 is read from `comment_pending_idx` in the queue's
    order (newest first, then the highest id), not by walking every comment newest first
    and dropping those not pending: the seed's shape, 1 in 20 comments pending, spread
    over the whole period. Sequential scans are off (a test table is small enough to
    read whole); the plain (status, created_at) index is there to be chosen."""
    now = timezone.now()
    articles = [make_article() for _ in range(5)]
    Comment.objects.bulk_create(
        Comment(
            article=articles[n % 5],
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.com",
            body=f"Comment {n}.",
            status="pending" if n % 20 == 0 else "approved" if n % 20 > 1 else "spam",
            created_at=now - timedelta(minutes=n // 2),  # pairs at one time: the tie-break
        )
        for n in range(6000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    maria_client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        response = maria_client.get(QUEUE)
    expected = list(Comment.objects.filter(status="pending").order_by("-created_at", "-pk")[:50])
    assert rows(response) == expected
    (page,) = [q["sql"] for q in queries if "LIMIT 50" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + page)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan Backward using comment_pending_idx on comments_comment" in plan, plan
    assert "Sort" not in plan, plan  # the index's order is the page's, ties and all
