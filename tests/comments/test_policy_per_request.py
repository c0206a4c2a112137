"""The moderation policy is read once per request (a page's schedule and its comment
section both ask for it), and a save within the request is seen at once."""

from comments import policy
from comments.models import ModerationPolicy


def test_read_once_per_request_and_again_after_a_save(db, django_assert_num_queries):
    policy.current()  # the row exists
    policy._request_started()
    try:
        with django_assert_num_queries(1):
            first = policy.current()
            assert policy.current() is first
        row = ModerationPolicy.objects.get(pk=1)
        row.link_limit = first.link_limit + 5
        row.save()  # post_save drops the request's copy
        assert policy.current().link_limit == first.link_limit + 5
    finally:
        policy._request_finished()


def test_outside_a_request_every_call_reads(db, django_assert_num_queries):
    policy.current()
    with django_assert_num_queries(2):
        policy.current()
        policy.current()
    ModerationPolicy.objects.filter(pk=1).update(link_limit=41)
    assert policy.current().link_limit == 41


def test_a_page_reads_the_policy_once(client, db, make_article):
    article = make_article(title="Read once")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(article.get_absolute_url()).status_code == 200
    reads = [q for q in ctx.captured_queries if "comments_moderationpolicy" in q["sql"]]
    assert len(reads) == 1
