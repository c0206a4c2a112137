"""The moderators' queue at /admin/comments/comment/: what it shows, its filters with
counts, search, paging, the pending count in the header, and its query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from comments.reasons import Reason

QUEUE = "/admin/comments/comment/"


def rows(response):
    return list(response.context["cl"].result_list)


def test_opens_on_pending_newest_first(maria_client, make_comment):
    now = timezone.now()
    old = make_comment(status="pending", created_at=now - timedelta(hours=2))
    new = make_comment(status="pending", created_at=now - timedelta(minutes=5))
    make_comment(status="approved")
    make_comment(status="spam")
    response = maria_client.get(QUEUE)
    assert rows(response) == [new, old]
    assert "Comments: pending" in response.content.decode()


def test_a_row_shows_what_a_moderator_decides_on(maria_client, make_comment, article):
    """Excerpt, author with email and IP, article link, verdict badge, reason held, time,
    and how many approved comments the author already has."""
    make_comment(author_email="ada@example.com", status="approved")
    make_comment(author_email="ada@example.com", status="approved")
    make_comment(
        status="pending",
        author_name="Ada Reader",
        author_email="ada@example.com",
        user_ip="203.0.113.7",
        body="Where will the pumps go? " + "More words. " * 60,
        verdict="ham",
        held_reason=Reason.LINKS,
        held_params={"links": 3, "limit": 2},
    )
    page = maria_client.get(QUEUE).content.decode()
    assert "Where will the pumps go?" in page and "…" in page  # the start, cut short
    assert "Ada Reader" in page and "ada@example.com" in page and "203.0.113.7" in page
    assert f'href="{article.get_absolute_url()}"' in page
    assert "c-badge--verdict-ham" in page
    assert "3 links, the limit is 2" in page
    assert "2 approved" in page
    assert "ago</time>" in page


def test_status_filter_counts_and_blatant_spam_one_click_away(maria_client, make_comment):
    make_comment(status="pending")
    make_comment(status="approved")
    spam = make_comment(status="spam", verdict="spam")
    blatant = make_comment(status="spam", verdict="discard")
    make_comment(status="trash")
    page = maria_client.get(QUEUE).content.decode()
    for label in ["Pending (1)", "Approved (1)", "Spam (1)", "Blatant spam (1)", "Trash (1)"]:
        assert label in page
    assert "All (5)" in page
    assert rows(maria_client.get(QUEUE, {"status": "spam"})) == [spam]
    assert rows(maria_client.get(QUEUE, {"status": "discard"})) == [blatant]
    assert len(rows(maria_client.get(QUEUE, {"status": "all"}))) == 5


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pumps", "text"),
        ("Zelda", "author"),
        ("zelda@example.org", "email"),
        ("203.0.113.99", "ip"),
    ],
)
def test_search_by_text_author_email_and_ip(maria_client, make_comment, query, expected):
    found = make_comment(
        status="pending",
        body="Where will the pumps go?",
        author_name="Zelda",
        author_email="zelda@example.org",
        user_ip="203.0.113.99",
    )
    make_comment(status="pending", body="Something else", user_ip="192.0.2.1")
    assert rows(maria_client.get(QUEUE, {"q": query})) == [found]


def test_filter_by_article_and_verdict(maria_client, make_comment, make_article):
    other = make_article(title="Another story")
    here = make_comment(status="pending", verdict="error")
    there = make_comment(status="pending", article=other, verdict="ham")
    assert rows(maria_client.get(QUEUE, {"article": other.pk})) == [there]
    assert rows(maria_client.get(QUEUE, {"verdict__exact": "error"})) == [here]
    page = maria_client.get(QUEUE).content.decode()
    assert "Another story (1 pending)" in page


def test_fifty_to_a_page(maria_client, make_comment):
    Comment.objects.bulk_create(
        Comment(
            article=make_comment().article,
            author_name=f"R{i}",
            author_email="r@x.org",
            body=f"c{i}",
            status="pending",
        )
        for i in range(60)
    )
    assert len(rows(maria_client.get(QUEUE))) == 50
    assert len(rows(maria_client.get(QUEUE, {"p": 2}))) == 10


def make_many(article, count, parent=None):
    """`count` comments, two in three pending, from 40 authors; some replies."""
    now = timezone.now()
    Comment.objects.bulk_create(
        Comment(
            article=article,
            parent=parent if parent and i % 5 == 0 else None,
            author_name=f"Reader {i}",
            author_email=f"reader{i % 40}@example.com",
            body=f"Comment {i}",
            status="pending" if i % 3 else "approved",
            user_ip="192.0.2.1",
            created_at=now - timedelta(minutes=i),
        )
        for i in range(count)
    )


# Session, user, permissions (2), status counts (Pending among them: the page's count and
# the header's), article filter, the page, Akismet's open alerts (the banner).
QUEUE_QUERIES = 8


def test_query_count_does_not_grow_with_the_page(
    maria_client, article, make_article, django_assert_max_num_queries
):
    """The same number of queries for a queue of 5 as of 500 (a full page of 50 with
    replies, authors' approved counts and articles): no N+1."""
    make_many(article, 5)
    with CaptureQueriesContext(connection) as few:
        assert maria_client.get(QUEUE).status_code == 200
    parent = Comment.objects.filter(status="approved").first()
    make_many(make_article(), 495, parent=parent)
    with django_assert_max_num_queries(len(few)):
        response = maria_client.get(QUEUE)
    assert len(rows(response)) == 50
    assert any(c.parent_id for c in rows(response))
    assert len(few) == QUEUE_QUERIES


def test_pending_count_in_the_header_and_on_the_index(maria_client, make_comment):
    """One count query, however many places show it."""
    for _ in range(3):
        make_comment(status="pending")
    make_comment(status="approved")
    with CaptureQueriesContext(connection) as queries:
        page = maria_client.get("/admin/").content.decode()
    assert "3 comments pending" in page  # the header
    assert "3</strong> comments awaiting moderation" in page  # the index
    counts = [q["sql"] for q in queries if "COUNT" in q["sql"] and "comments_comment" in q["sql"]]
    assert len(counts) == 1
    assert "3 comments pending" in maria_client.get("/admin/password_change/").content.decode()
