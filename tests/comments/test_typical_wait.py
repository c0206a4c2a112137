"""How long comments usually wait for a person: measured from the history (the median from
posting to the first decision a person took), stored on the policy by the periodic job,
and said on the article page at no cost in queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments import policy as policies
from comments import schedule, tasks, waiting
from comments.models import CommentEvent, ModerationPolicy
from comments.moderation import change_status
from comments.reasons import Reason


def decided_after(make_comment, moderator, minutes, **fields):
    """A comment posted `minutes` before a moderator's first decision on it."""
    posted = timezone.now() - timedelta(hours=3)
    comment = make_comment(status="pending", created_at=posted, **fields)
    change_status(comment, "approved", actor=moderator)
    CommentEvent.objects.filter(comment=comment).update(
        created_at=posted + timedelta(minutes=minutes)
    )
    return comment


def test_the_median_of_the_first_decisions_a_person_took(make_comment, moderator):
    for minutes in (4, 10, 20, 30, 600):
        decided_after(make_comment, moderator, minutes)
    assert waiting.measure() == 20 * 60


def test_only_a_persons_first_decision_counts(make_comment, moderator):
    for minutes in (10, 10, 10, 10):
        decided_after(make_comment, moderator, minutes)
    later = decided_after(make_comment, moderator, 10)
    change_status(later, "trash", actor=moderator)  # now, hours later: not the first
    # The policy's filing (automatic) before the person's does not count either.
    automatic = make_comment(status="pending", created_at=timezone.now() - timedelta(hours=1))
    change_status(automatic, "pending", actor_label="policy", reason=Reason.MANUAL_APPROVAL)
    assert waiting.measure() == 10 * 60


def test_staff_replies_and_undecided_comments_do_not_count(make_comment, moderator):
    for minutes in (5, 5, 5, 5):
        decided_after(make_comment, moderator, minutes)
    reply = make_comment(status="pending", created_at=timezone.now() - timedelta(hours=5))
    change_status(reply, "approved", actor=moderator, reason=Reason.STAFF_REPLY)
    make_comment(status="pending", created_at=timezone.now() - timedelta(days=2))
    assert waiting.measure() is None  # four decided: too few to say
    decided_after(make_comment, moderator, 5)
    assert waiting.measure() == 5 * 60


def test_only_the_latest_sample_counts(make_comment, moderator):
    for minutes in (100, 100, 100):
        old = decided_after(make_comment, moderator, minutes)
        type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=9))
    for minutes in (1, 2, 3, 4, 5):
        decided_after(make_comment, moderator, minutes)
    assert waiting.measure(sample=5) == 3 * 60


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, ""),
        (40, "a few minutes"),
        (300, "a few minutes"),
        (301, "about 10 minutes"),
        (17 * 60, "about 20 minutes"),
        (59 * 60, "about 60 minutes"),
        (60 * 60, "about an hour"),
        (150 * 60, "about 3 hours"),
        (3 * 86400, "about 3 days"),
    ],
)
def test_in_words(seconds, words):
    assert waiting.in_words(seconds) == words


def test_the_job_stores_it_with_the_policy(make_comment, moderator):
    for minutes in (20, 20, 20, 20, 20):
        decided_after(make_comment, moderator, minutes)
    assert tasks.typical_wait.call() == 1200
    assert ModerationPolicy.objects.get(pk=1).typical_wait_seconds == 1200
    assert policies.current().typical_wait_seconds == 1200
    assert "typical_wait" in [job.name for job in schedule.JOBS]


def test_the_article_page_says_it_without_a_query_more(
    client, article, make_comment, django_assert_num_queries
):
    make_comment()
    with django_assert_num_queries(6 + 2):  # the article page, with its tags
        html = client.get(article.get_absolute_url()).content.decode()
    assert "comments__wait" not in html
    waiting.store(17 * 60)
    client.get("/")  # any page: the policy is read again after the store
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(6 + 2):  # the article page, with its tags
        html = client.get(article.get_absolute_url()).content.decode()
    assert "usually decided within about 20 minutes" in html
    with django_assert_num_queries(0):
        client.get(article.get_absolute_url())
