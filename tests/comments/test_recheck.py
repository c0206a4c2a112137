"""`manage.py recheck_comments`: back-off, give-up after 15 days, feedback retries."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from comments.models import Comment
from comments.reasons import Reason

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def make_comment(make_article):
    article = make_article(slug="story")

    def make(**fields):
        fields.setdefault("author_name", "Reader")
        fields.setdefault("author_email", "reader@example.com")
        fields.setdefault("body", "Hello there.")
        fields.setdefault("user_ip", "192.0.2.10")
        fields.setdefault("created_at", NOW - timedelta(hours=1))
        return Comment.objects.create(article=article, **fields)

    return make


def run(**options):
    with time_machine.travel(NOW, tick=False):
        call_command("recheck_comments", **options)


def test_due_errors_are_rechecked_with_reason_retry_and_filed(akismet_server, make_comment):
    ham = make_comment(verdict="error", next_check_at=NOW - timedelta(minutes=1))
    bad = make_comment(verdict="error", author_name="akismet-guaranteed-spam", next_check_at=NOW)
    never = make_comment(verdict="unchecked", author_email="other@example.com")
    run()
    sent = akismet_server.calls("comment-check")
    assert len(sent) == 3
    assert {s["recheck_reason"] for s in sent} == {"retry"}
    ham.refresh_from_db()
    bad.refresh_from_db()
    never.refresh_from_db()
    assert (ham.verdict, ham.status) == ("ham", "pending")  # manual approval is the default
    assert (bad.verdict, bad.status) == ("spam", "spam")
    assert never.verdict == "ham"


def test_not_due_yet_is_left_alone(akismet_server, make_comment):
    waiting = make_comment(verdict="error", next_check_at=NOW + timedelta(minutes=5))
    run()
    assert akismet_server.calls("comment-check") == []
    waiting.refresh_from_db()
    assert waiting.verdict == "error"


def test_still_failing_backs_off_again(akismet_server, make_comment):
    comment = make_comment(verdict="error", check_attempts=1, next_check_at=NOW)
    akismet_server.mode = "500"
    run()
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert comment.check_attempts == 2
    assert comment.next_check_at == NOW + timedelta(minutes=40)


def test_gives_up_after_fifteen_days_once(akismet_server, make_comment):
    old = make_comment(verdict="error", created_at=NOW - timedelta(days=15, minutes=1))
    run()
    run()
    assert akismet_server.calls("comment-check") == []
    old.refresh_from_db()
    assert old.status == "pending"
    assert (old.held_reason, old.held_params) == (Reason.GAVE_UP, {"days": 15})
    assert old.history.filter(reason=Reason.GAVE_UP).count() == 1


def test_limit(akismet_server, make_comment):
    for i in range(3):
        make_comment(verdict="error", author_email=f"r{i}@example.com")
    run(limit=2)
    assert len(akismet_server.calls("comment-check")) == 2


def test_failed_feedback_is_delivered_later(akismet_server, make_comment):
    comment = make_comment(
        verdict="ham",
        status="spam",
        feedback_pending="spam",
        akismet_payload={"comment_content": "x", "user_ip": "192.0.2.1"},
        status_changed_at=NOW - timedelta(hours=1),  # its report's job is long gone
    )
    run()
    assert len(akismet_server.calls("submit-spam")) == 1
    comment.refresh_from_db()
    assert comment.feedback_pending == ""


def test_without_a_key_nothing_happens(akismet_server, make_comment, settings, capsys):
    settings.AKISMET_API_KEY = ""
    make_comment(verdict="unchecked")
    run()
    assert "nothing to re-check" in capsys.readouterr().out
    assert akismet_server.requests == []
