"""The queue on a large table: estimated status counts (Pending exact), the article filter
bounded to the latest comments, an e-mail address searched on its index, the authors'
approved counts on the lower-cased address."""

import json
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


@pytest.fixture
def three_stories(make_comment, make_article):
    """Three articles, each with comments of every kind; "Busy" has 30 pending and the
    newest comment, "Quiet" the next, "Old" the oldest. Returns them newest first."""
    now = timezone.now()
    stories = [make_article(title=t) for t in ("Busy story", "Quiet story", "Old story")]
    pending = {0: 30, 1: 2, 2: 1}
    for n, story in enumerate(stories):
        at = now - timedelta(hours=n)
        for k in range(pending[n]):
            make_comment(article=story, status="pending", created_at=at - timedelta(minutes=k))
        make_comment(article=story, status="spam", created_at=at - timedelta(minutes=40))
        make_comment(article=story, status="approved", created_at=at - timedelta(minutes=41))
    return stories


def recent_articles(recent, shown, monkeypatch):
    """The article filter's choices with RECENT = `recent` and SHOWN = `shown`."""
    monkeypatch.setattr(ArticleFilter, "RECENT", recent)
    monkeypatch.setattr(ArticleFilter, "SHOWN", shown)
    request = RequestFactory().get(QUEUE)
    return ArticleFilter(request, {}, Comment, admin.site._registry[Comment]).lookup_choices


def test_article_filter_shows_the_newest_stories_with_their_pending_counts(
    three_stories, maria_client, monkeypatch, django_assert_num_queries
):
    busy, quiet, old = three_stories
    with django_assert_num_queries(1):
        rows = recent_articles(1000, 15, monkeypatch)
    assert rows == [
        (str(busy.pk), "Busy story (30 pending)"),
        (str(quiet.pk), "Quiet story (2 pending)"),
        (str(old.pk), "Old story (1 pending)"),
    ]
    assert recent_articles(1000, 2, monkeypatch) == rows[:2]
    # Only the latest RECENT comments say which stories are shown; a story's count is all
    # its pending comments, not those among the latest.
    assert recent_articles(3, 15, monkeypatch) == rows[:1]
    monkeypatch.setattr(ArticleFilter, "RECENT", 1000)
    assert article_choices(maria_client.get(QUEUE)) == rows
    # The story chosen is offered even when it is not among those shown.
    monkeypatch.setattr(ArticleFilter, "SHOWN", 2)
    assert article_choices(maria_client.get(QUEUE, {"article": old.pk}))[-1] == (
        str(old.pk),
        "Old story",
    )


def article_choices(response):
    (spec,) = [f for f in response.context["cl"].filter_specs if isinstance(f, ArticleFilter)]
    return spec.lookup_choices


def _subplan_loops(node, inside=False):
    """The loops of every plan node under a subplan (EXPLAIN ANALYZE's JSON)."""
    inside = inside or node.get("Parent Relationship") == "SubPlan"
    found = [node["Actual Loops"]] if inside else []
    for child in node.get("Plans", ()):
        found += _subplan_loops(child, inside)
    return found


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="loops are counted by PostgreSQL's EXPLAIN ANALYZE"
)
def test_article_filter_counts_the_pending_comments_once_per_story_shown(
    three_stories, monkeypatch
):
    """Each subquery (the story's pending count, its newest comment) runs once for each
    story shown (3), not once for each of the latest comments (36 here; 1,000 on a live
    site, each counting the busiest story's pending comments: 1.3 s for the queue page,
    twice for a bulk action, at 2,800 pending on one story)."""
    with CaptureQueriesContext(connection) as queries:
        rows = recent_articles(1000, 15, monkeypatch)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
        (plan,) = cursor.fetchone()[0]
    loops = _subplan_loops(plan["Plan"])
    assert loops, json.dumps(plan)
    assert max(loops) == len(rows) == 3


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
