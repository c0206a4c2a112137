"""The queue on a large table: estimated status counts (Pending exact), the article filter
bounded to the latest comments, an e-mail address searched on its index, the authors'
approved counts on the lower-cased address."""

import pytest
from django.db import connection

from comments import counts
from comments.admin.filters import ArticleFilter
from comments.models import Comment

QUEUE = "/admin/comments/comment/"
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="estimates come from PostgreSQL's statistics"
)


def rows(response):
    return list(response.context["cl"].result_list)


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")


def test_small_tables_are_counted_exactly_in_one_query(make_comment, django_assert_num_queries):
    for status in ("pending", "approved", "approved", "spam"):
        make_comment(status=status)
    with django_assert_num_queries(1):
        result, estimated = counts.status_counts()
    assert not estimated
    assert (result["pending"], result["approved"], result["spam"], result["all"]) == (1, 2, 1, 4)


@on_postgres
def test_large_tables_are_estimated_except_pending(maria_client, make_comment, monkeypatch):
    """Past EXACT_UP_TO rows (by the statistics), every view but Pending shows an estimate,
    said as "about"; Pending stays exact even when the statistics are out of date."""
    for status in ["approved"] * 6 + ["spam"] * 2 + ["pending"] * 2:
        make_comment(status=status)
    analyze()
    monkeypatch.setattr(counts, "EXACT_UP_TO", 5)
    make_comment(status="pending")  # after the statistics: only an exact count sees it
    result, estimated = counts.status_counts()
    assert estimated
    assert result["pending"] == 3
    assert (result["approved"], result["spam"], result["all"]) == (6, 2, 10)
    page = maria_client.get(QUEUE).content.decode()
    assert "Pending (3)" in page
    assert "Approved (about 6)" in page
    assert "All (about 10)" in page


def test_estimates_are_rounded_to_three_figures():
    assert [counts._rounded(n) for n in (7, 999, 1234, 899_023, 50_548)] == [
        7, 999, 1230, 899_000, 50_500,
    ]  # fmt: skip


def test_article_filter_looks_at_the_latest_comments_only(
    maria_client, make_comment, make_article, monkeypatch
):
    """The articles among the latest RECENT comments, with all their pending comments."""
    monkeypatch.setattr(ArticleFilter, "RECENT", 2)
    old = make_article(title="Old story")
    busy = make_article(title="Busy story")
    make_comment(article=old, status="pending")
    for _ in range(3):
        make_comment(article=busy, status="pending")
    page = maria_client.get(QUEUE).content.decode()
    assert "Busy story (3 pending)" in page
    assert "Old story (" not in page


def test_an_email_address_finds_that_authors_comments_in_any_case(maria_client, make_comment):
    mine = make_comment(status="pending", author_email="Zelda@Example.org")
    make_comment(status="pending", body="Write to zelda@example.org", author_email="a@b.org")
    make_comment(status="pending", author_email="other-zelda@example.org")
    assert rows(maria_client.get(QUEUE, {"q": " zelda@EXAMPLE.org "})) == [mine]
    assert len(rows(maria_client.get(QUEUE, {"q": "zelda"}))) == 3  # words: every field


def test_approved_counts_ignore_the_case_of_the_address(maria_client, make_comment):
    make_comment(status="approved", author_email="ADA@example.com")
    make_comment(status="approved", author_email="ada@example.com")
    pending = make_comment(status="pending", author_email="Ada@Example.com")
    queue = rows(maria_client.get(QUEUE))
    assert queue == [pending]
    assert queue[0].author_approved == 2
    assert Comment.objects.with_author_approved_count().get(pk=pending.pk).author_approved == 2
