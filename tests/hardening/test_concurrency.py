"""Many readers posting at once, and moderators approving in bulk meanwhile.

Real threads, each with its own test `Client` (and so its own database connection),
through the real POST view and the real admin, on a committed database
(`transactional_db`): what the site does under a burst of traffic, on SQLite as on
PostgreSQL.
"""

import threading
from collections import Counter

import pytest
from django.db import connections
from django.test import Client

from comments.forms import form_token
from comments.models import Comment, CommentEvent, ModerationPolicy

THREADS = 16
PER_THREAD = 20


def _run(workers):
    """Start `workers` together (a barrier), wait, and re-raise the first exception."""
    barrier = threading.Barrier(len(workers))
    errors = []

    def wrap(work):
        try:
            barrier.wait()
            work()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not errors, errors


def _reader(article, n, statuses, repeat_one=True):
    """Thread `n`'s work: PER_THREAD comments from distinct authors and addresses, the
    first one sent twice (a double click: the second must be refused as a duplicate)."""

    def work():
        client = Client(raise_request_exception=False)
        url = article.get_absolute_url() + "comments/"
        for i in range(PER_THREAD):
            data = {
                "name": f"Reader {n}-{i}",
                "email": f"reader-{n}-{i}@example.com",
                "comment": f"Comment {i} from thread {n}.",
                "token": form_token(article),
            }
            sends = 2 if (repeat_one and i == 0) else 1
            for _ in range(sends):
                response = client.post(
                    url,
                    data,
                    HTTP_ORIGIN="http://testserver",
                    REMOTE_ADDR=f"10.{n}.{i}.1",
                )
                statuses.append(response.status_code)

    return work


@pytest.fixture
def busy_policy(transactional_db):
    """Flood limit lowered to one second (every author and address here is distinct), and
    every comment held for a moderator."""
    ModerationPolicy.objects.update_or_create(
        pk=1, defaults={"flood_interval": 1, "manual_approval": True, "notify_moderators": False}
    )


def test_sixteen_readers_posting_at_once_lose_nothing_and_duplicate_nothing(
    busy_policy, make_article, akismet_server, settings
):
    """16 threads × 20 comments (plus one double click each) at once: every accepted post
    is exactly one row, every double click a 409, never a 500 or "database is locked"."""
    settings.AKISMET_TIMEOUT = 5  # the stand-in is one process serving 16 clients
    article = make_article(slug="busy")
    statuses = []
    _run([_reader(article, n, statuses) for n in range(THREADS)])

    counts = Counter(statuses)
    assert set(counts) <= {302, 409}, counts
    assert counts[302] == THREADS * PER_THREAD
    assert counts[409] == THREADS
    assert Comment.objects.count() == counts[302]
    pairs = Comment.objects.values_list("author_email", "body")
    assert len(set(pairs)) == len(pairs)
    # Each was checked, or (the stand-in too slow for it under 16 clients) waits for a
    # re-check: none is lost. Every verdict came from a call the stand-in answered; a call
    # that timed out may or may not have reached it, so calls are at least the verdicts.
    checked = Comment.objects.filter(checked_at__isnull=False, next_check_at__isnull=True)
    checked = checked.exclude(verdict__in=[Comment.Verdict.UNCHECKED, Comment.Verdict.ERROR])
    waiting = Comment.objects.filter(next_check_at__isnull=False, check_attempts__gte=1)
    assert checked.count() + waiting.count() == counts[302]
    assert len(akismet_server.calls("comment-check")) >= checked.count()
    assert not Comment.objects.exclude(status=Comment.Status.PENDING).exists()
    late = Comment.objects.exclude(verdict=Comment.Verdict.HAM)
    assert not late.exclude(verdict=Comment.Verdict.ERROR, next_check_at__isnull=False).exists()


def test_moderators_approving_in_bulk_while_readers_post(busy_policy, make_article, maria):
    """Two moderators bulk-approve the queue over and over while 8 readers post: no 500,
    no comment lost, none approved twice, and at the end every comment is approved."""
    article = make_article(slug="busier")
    statuses, admin_statuses = [], []
    done = threading.Event()

    def moderator():
        client = Client(raise_request_exception=False)
        client.force_login(maria)
        while True:
            finished = done.is_set()
            pending = list(Comment.objects.awaiting_moderation().values_list("pk", flat=True)[:100])
            if pending:
                response = client.post(
                    "/admin/comments/comment/?status=all",
                    {"action": "approve", "_selected_action": pending},
                )
                admin_statuses.append(response.status_code)
            if finished and not pending:
                return

    readers = [_reader(article, n, statuses, repeat_one=False) for n in range(8)]

    finished = []

    def reader_then_flag(work):
        def run():
            try:
                work()
            finally:
                finished.append(1)
                if len(finished) == len(readers):
                    done.set()

        return run

    _run([reader_then_flag(r) for r in readers] + [moderator, moderator])

    assert set(statuses) == {302}
    assert admin_statuses and set(admin_statuses) == {302}
    assert Comment.objects.count() == len(statuses) == 8 * PER_THREAD
    assert Comment.objects.filter(status=Comment.Status.APPROVED).count() == len(statuses)
    approvals = Counter(
        CommentEvent.objects.filter(to_status=Comment.Status.APPROVED).values_list(
            "comment_id", flat=True
        )
    )
    assert set(approvals.values()) == {1}
    assert len(approvals) == len(statuses)
