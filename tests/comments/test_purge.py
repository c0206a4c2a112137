"""`manage.py purge_comments` on a frozen clock: spam 15 days after it was marked spam
(blatant spam after 1 day), trash after 30 days, stored payloads after 15 days."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from comments.models import Comment, CommentEvent
from comments.reasons import Reason

NOW = datetime(2026, 6, 15, 3, 30, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def run(**options):
    with time_machine.travel(NOW, tick=False):
        call_command("purge_comments", **options)


@pytest.fixture
def aged(make_comment):
    """A comment whose status changed `age` ago (created long before that)."""

    def make(status, age, **fields):
        fields.setdefault("created_at", NOW - timedelta(days=90))
        return make_comment(status=status, status_changed_at=NOW - age, **fields)

    return make


@pytest.mark.parametrize(
    ("status", "verdict", "kept_for"),
    [("spam", "spam", 15 * DAY), ("spam", "discard", DAY), ("trash", "ham", 30 * DAY)],
)
def test_deleted_once_kept_long_enough_counted_from_the_status_change(
    aged, status, verdict, kept_for
):
    """Old comments marked recently stay: the clock starts when it was marked."""
    gone = aged(status, kept_for + SECOND, verdict=verdict)
    stays = aged(status, kept_for - SECOND, verdict=verdict)
    run()
    assert not Comment.objects.filter(pk=gone.pk).exists()
    assert Comment.objects.filter(pk=stays.pk).exists()


@pytest.mark.parametrize("status", ["pending", "approved"])
def test_pending_and_approved_are_never_purged(aged, status):
    comment = aged(status, 365 * DAY)
    run()
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_history_goes_with_the_comment(aged):
    comment = aged("spam", 20 * DAY)
    comment.history.create(
        kind="check",
        actor_label="Akismet",
        reason=Reason.AKISMET_SAID,
        reason_params={"verdict": "spam"},
    )
    run()
    assert not CommentEvent.objects.filter(comment_id=comment.pk).exists()


def test_payloads_are_dropped_after_15_days_unless_feedback_waits(make_comment):
    payload = {"user_ip": "192.0.2.1", "comment_content": "Hello"}
    old = make_comment(created_at=NOW - 15 * DAY - SECOND, akismet_payload=payload)
    recent = make_comment(created_at=NOW - 15 * DAY + SECOND, akismet_payload=payload)
    waiting = make_comment(
        created_at=NOW - 20 * DAY, akismet_payload=payload, feedback_pending="spam"
    )
    run()
    old.refresh_from_db()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert old.akismet_payload == {}
    assert recent.akismet_payload == waiting.akismet_payload == payload
    assert old.status == "approved"  # only the payload goes


def test_dry_run_changes_nothing(aged, capsys):
    aged("spam", 20 * DAY, akismet_payload={"user_ip": "192.0.2.1"})
    run(dry_run=True)
    assert "Would delete 1 comments, drop 1 stored payloads" in capsys.readouterr().out
    assert Comment.objects.count() == 1


def test_reports_what_it_did(aged, capsys):
    aged("trash", 31 * DAY)
    run()
    assert "Deleted 1 comments; dropped 0 stored payloads;" in capsys.readouterr().out
