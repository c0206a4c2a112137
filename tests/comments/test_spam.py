"""The spam check: the real akismet client over HTTP against the loopback stand-in."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import history, reasons, spam
from comments.models import Comment, CommentEvent
from comments.reasons import Reason


@pytest.fixture
def comment(make_article, make_category):
    article = make_article(slug="floods")
    return Comment.objects.create(
        article=article,
        author_name="Ada Reader",
        author_email="ada@example.com",
        author_url="https://ada.example.com/",
        body="A thoughtful comment.\nWith two lines.",
        user_ip="203.0.113.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Test",
        referrer="http://testserver/today/world/floods/",
    )


def test_ham_is_recorded_with_every_parameter_sent(akismet_server, comment):
    """A ham answer is stored with its guid, and Akismet received everything it needs."""
    assert spam.check(comment) == Comment.Verdict.HAM
    comment.refresh_from_db()
    assert comment.verdict == "ham"
    assert comment.status == "pending"  # the check never changes status
    assert comment.akismet_guid.startswith("guid-")
    assert comment.check_attempts == 1
    assert comment.next_check_at is None

    [sent] = akismet_server.calls("comment-check")
    article = comment.article
    assert sent == {
        "api_key": "stub-key-123",
        "blog": "http://testserver",
        "user_ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Test",
        "referrer": "http://testserver/today/world/floods/",
        "permalink": "http://127.0.0.1:8000/today/world/floods/",
        "comment_type": "comment",
        "comment_author": "Ada Reader",
        "comment_author_email": "ada@example.com",
        "comment_author_url": "https://ada.example.com/",
        "comment_content": "A thoughtful comment.\nWith two lines.",
        "comment_date_gmt": comment.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "comment_post_modified_gmt": article.updated_at.astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "blog_lang": "en_gb",
        "blog_charset": "UTF-8",
        "comment_context": "Today, World",
        "honeypot_field_name": "phone",
        "is_test": "true",
    }
    # The stored payload is exactly what was sent (less the credentials), for feedback.
    stored = {
        k: str(v).lower() if isinstance(v, bool) else v for k, v in comment.akismet_payload.items()
    }
    assert stored == {k: v for k, v in sent.items() if k not in ("api_key", "blog")}
    event = comment.history.get()
    assert (event.kind, event.actor_label, event.reason, event.reason_params) == (
        "check",
        "Akismet",
        Reason.AKISMET_SAID,
        {"verdict": "ham"},
    )
    assert history.describe(event) == "Akismet said ham"


def test_the_library_user_agent_goes_with_every_call(akismet_server, comment):
    import akismet

    spam.check(comment)
    assert akismet_server.requests[0]["headers"]["User-Agent"] == akismet.USER_AGENT


def test_reply_and_staff_role(akismet_server, comment, editor):
    """Replies are sent as comment_type=reply; staff comments carry user_role."""
    reply = Comment.objects.create(
        article=comment.article,
        parent=comment,
        user=editor,
        author_name="Ed Itor",
        author_email="ed@example.com",
        body="Thanks.",
        user_ip="198.51.100.1",
    )
    spam.check(reply)
    [sent] = akismet_server.calls("comment-check")
    assert sent["comment_type"] == "reply"
    assert sent["user_role"] == "administrator"


def test_spam(akismet_server, comment):
    comment.author_name = "akismet-guaranteed-spam"
    assert spam.check(comment) == Comment.Verdict.SPAM
    comment.refresh_from_db()
    assert comment.verdict == "spam" and comment.akismet_pro_tip == ""


def test_spam_by_email(akismet_server, comment):
    comment.author_email = "akismet-guaranteed-spam@example.com"
    assert spam.check(comment) == Comment.Verdict.SPAM


def test_discard_keeps_the_pro_tip(akismet_server, comment):
    comment.author_name = "akismet-guaranteed-discard"
    assert spam.check(comment) == Comment.Verdict.DISCARD
    comment.refresh_from_db()
    assert comment.akismet_pro_tip == "discard"


FROZEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("mode", "reason", "params", "said"),
    [
        ("slow", Reason.TIMED_OUT, {"seconds": 0.3}, "Akismet timed out after 0.3 s"),
        ("500", Reason.HTTP_ERROR, {"status": 500}, "Akismet answered HTTP 500"),
        ("garbage", Reason.BAD_ANSWER, {}, "Akismet answered something unexpected"),
        (
            "drop",
            Reason.CONNECTION_ERROR,
            {"error": "RemoteProtocolError"},
            "Akismet unreachable (RemoteProtocolError)",
        ),
        (
            "refused",
            Reason.CONNECTION_ERROR,
            {"error": "ConnectError"},
            "Akismet unreachable (ConnectError)",
        ),
    ],
)
def test_failures_become_the_error_verdict(
    akismet_server, comment, settings, mode, reason, params, said
):
    """Timeouts, refusals, 5xx, dropped connections and garbage: verdict error, retry later."""
    if mode == "refused":
        settings.AKISMET_API_URL = akismet_server.refused_url
    else:
        akismet_server.mode = mode
    with time_machine.travel(FROZEN, tick=False):
        assert spam.check(comment) == Comment.Verdict.ERROR
    comment.refresh_from_db()
    assert comment.verdict == "error"
    assert comment.status == "pending"
    assert comment.next_check_at == FROZEN + timedelta(minutes=20)
    event = comment.history.get()
    assert (event.reason, event.reason_params) == (reason, params)
    assert history.describe(event) == said


def test_invalid_key_waits_six_hours_and_never_logs_the_key(akismet_server, comment, caplog):
    akismet_server.mode = "invalid"
    with caplog.at_level(logging.WARNING), time_machine.travel(FROZEN, tick=False):
        assert spam.check(comment) == Comment.Verdict.ERROR
    comment.refresh_from_db()
    assert comment.next_check_at == FROZEN + timedelta(hours=6)
    assert comment.akismet_debug_help == "Empty API key"
    event = comment.history.get()
    assert (event.reason, event.reason_params) == (Reason.KEY_REJECTED, {"help": "Empty API key"})
    assert "rejected the API key" in reasons.sentence(event.reason, event.reason_params)
    assert "stub-key-123" not in caplog.text
    assert "failed" in caplog.text


def test_back_off_doubles_up_to_six_hours(akismet_server, comment):
    akismet_server.mode = "500"
    delays = []
    for _ in range(6):
        with time_machine.travel(FROZEN, tick=False):
            spam.check(comment)
        delays.append(comment.next_check_at - FROZEN)
    assert delays == [
        timedelta(minutes=20),
        timedelta(minutes=40),
        timedelta(minutes=80),
        timedelta(minutes=160),
        timedelta(minutes=320),
        timedelta(hours=6),
    ]


def test_recheck_reason_is_sent(akismet_server, comment):
    spam.check(comment, recheck_reason="retry")
    [sent] = akismet_server.calls("comment-check")
    assert sent["recheck_reason"] == "retry"


@pytest.mark.parametrize("kind", ["spam", "ham"])
def test_feedback_resends_the_original_payload(akismet_server, comment, editor, kind):
    """submit-spam / submit-ham carry the data of the original check, not today's."""
    spam.check(comment)
    original = akismet_server.calls("comment-check")[0]
    comment.body = "Edited later"
    assert spam.submit_feedback(comment, kind, actor=editor) is True
    [sent] = akismet_server.calls(f"submit-{kind}")
    assert sent == original
    event = comment.history.filter(kind=CommentEvent.Kind.FEEDBACK).get()
    assert event.actor == editor
    assert (event.reason, event.reason_params) == (Reason.FEEDBACK_SENT, {"kind": kind})
    assert history.describe(event) == f"submit-{kind} sent to Akismet (reported by {editor})"


def test_failed_feedback_returns_false_and_is_recorded(akismet_server, comment):
    spam.check(comment)
    akismet_server.mode = "500"
    assert spam.submit_feedback(comment, "spam") is False
    event = comment.history.get(kind="feedback")
    assert (event.reason, event.reason_params) == (
        Reason.FEEDBACK_FAILED,
        {"kind": "spam", "error": Reason.HTTP_ERROR, "error_params": {"status": 500}},
    )
    assert "failed" in reasons.sentence(event.reason, event.reason_params)


def test_no_key_means_no_call(akismet_server, comment, settings):
    settings.AKISMET_API_KEY = ""
    assert not spam.is_configured()
    assert spam.submit_feedback(comment, "spam") is False
    assert akismet_server.requests == []


def test_client_is_built_without_network_and_shared(akismet_server):
    """Building the client makes no request; the same settings give the same client."""
    first = spam.get_client()
    assert spam.get_client() is first
    assert akismet_server.requests == []


def test_verify_key(akismet_server):
    assert spam.verify_key() is True
    [sent] = akismet_server.calls("verify-key")
    assert sent == {"key": "stub-key-123", "blog": "http://testserver"}


def test_posting_reads_the_category_trail_once(akismet_server, post):
    """Akismet's comment_context comes from `Category.trail()`, a query: posting (saved,
    checked, filed) runs it once."""
    with CaptureQueriesContext(connection) as queries:
        assert post().status_code == 302
    trail = [q for q in queries if '"articles_category"."path" IN' in q["sql"]]
    assert len(trail) == 1
    assert akismet_server.calls("comment-check")[0]["comment_context"] == "Today, World"


def test_a_failed_check_logs_which_comment_and_what_went_wrong(akismet_server, comment, caplog):
    """The operator's line: the comment's number and the same sentence the history shows."""
    akismet_server.mode = "500"
    with caplog.at_level(logging.WARNING, logger="comments.spam"):
        spam.check(comment)
    [record] = [r for r in caplog.records if r.name == "comments.spam"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        f"Akismet check of comment {comment.pk} failed: Akismet answered HTTP 500"
    )


def test_a_failed_feedback_logs_which_call_which_comment_and_why(akismet_server, comment, caplog):
    spam.check(comment)
    akismet_server.mode = "500"
    with caplog.at_level(logging.WARNING, logger="comments.spam"):
        spam.submit_feedback(comment, "ham")
    [record] = [r for r in caplog.records if r.name == "comments.spam"]
    assert record.getMessage() == (
        f"Akismet submit-ham for comment {comment.pk} failed: "
        "submit-ham failed: Akismet answered HTTP 500; will retry"
    )


def test_feedback_with_a_rejected_key_is_recorded_with_akismet_s_help(akismet_server, comment):
    """The key can be revoked between the check and a moderator's decision."""
    spam.check(comment)
    akismet_server.mode = "invalid"
    assert spam.submit_feedback(comment, "spam") is False
    event = comment.history.get(kind="feedback")
    assert event.reason_params == {
        "kind": "spam",
        "error": Reason.KEY_REJECTED,
        "error_params": {"help": "Empty API key"},
    }


def test_a_rejected_key_without_debug_help_says_so_plainly(akismet_server, comment):
    akismet_server.mode = "invalid"
    akismet_server.debug_help = None
    spam.check(comment)
    event = comment.history.get()
    assert (event.reason, event.reason_params) == (Reason.KEY_REJECTED, {"help": ""})
    assert history.describe(event) == "Akismet rejected the API key or site URL"
    comment.refresh_from_db()
    assert (comment.akismet_guid, comment.akismet_pro_tip, comment.akismet_debug_help) == (
        "",
        "",
        "",
    )


def test_an_error_without_a_known_cause_is_named_by_its_class():
    """An `AkismetError` the client raises for a reason of its own (no HTTP cause)."""
    import akismet

    error = akismet.AkismetError("something new")
    error.headers = {}
    code, params = spam._describe_error(error)
    assert (code, params) == (Reason.AKISMET_ERROR, {"error": "AkismetError"})
    assert reasons.sentence(code, params) == "Akismet error (AkismetError)"


def test_long_answer_headers_are_cut_to_what_the_columns_hold(akismet_server, comment):
    """Akismet's headers are stored (and kept in the history) at most 100, 100 and 255
    characters long, so a longer one never fails the save (PostgreSQL refuses it)."""
    akismet_server.answer_headers = {
        "X-akismet-guid": "g" * 150,
        "X-akismet-pro-tip": "p" * 150,
        "X-akismet-debug-help": "d" * 300,
        "X-akismet-alert-msg": "Your key is about to expire",
    }
    spam.check(comment)
    comment.refresh_from_db()
    assert comment.akismet_guid == "g" * 100
    assert comment.akismet_pro_tip == "p" * 100
    assert comment.akismet_debug_help == "d" * 255
    details = comment.history.get().details
    assert (details["guid"], details["pro_tip"], details["debug_help"]) == (
        "g" * 100,
        "p" * 100,
        "d" * 255,
    )
    assert details["alert"] == "Your key is about to expire"


def test_a_claimed_attempt_is_the_one_counted_and_backed_off(akismet_server, comment):
    """A worker's check runs as the attempt it claimed: the first claim waits 20 minutes
    after an error, whatever the (stale) comment in hand says."""
    Comment.objects.filter(pk=comment.pk).update(check_attempts=1)
    comment.check_attempts = 4  # read before other attempts were reset
    akismet_server.mode = "500"
    with time_machine.travel(FROZEN, tick=False):
        assert spam.check(comment, attempt=1) == Comment.Verdict.ERROR
    assert comment.check_attempts == 1
    comment.refresh_from_db()
    assert comment.check_attempts == 1
    assert comment.next_check_at == FROZEN + timedelta(minutes=20)
    assert comment.updated_at == FROZEN


def test_a_superseded_claim_records_nothing_and_is_counted(akismet_server, comment, caplog):
    """A worker presumed dead finishes after a later claim: its result is not recorded (one
    result per claim), and the queue's duplicate counter says why."""
    from comments import queue

    Comment.objects.filter(pk=comment.pk).update(check_attempts=2)
    before = queue.duplicates["check result"]
    with caplog.at_level(logging.INFO, logger="comments.queue"):
        assert spam.check(comment, attempt=1) is None
    comment.refresh_from_db()
    assert (comment.verdict, comment.check_attempts, comment.checked_at) == ("unchecked", 2, None)
    assert not comment.history.exists()
    assert queue.duplicates["check result"] == before + 1
    assert f"duplicate check result for comment {comment.pk} skipped (a check after #1 ran)" in (
        caplog.text
    )


def test_a_check_never_overwrites_a_decision_made_meanwhile(akismet_server, comment):
    """The check saves only its own fields: a moderator who trashed the comment while
    Akismet was being asked keeps their decision."""
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.TRASH)
    spam.check(comment)  # `comment` in hand still says pending
    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH
    assert comment.verdict == Comment.Verdict.HAM


def test_the_check_s_history_entry_holds_what_akismet_said(akismet_server, comment):
    spam.check(comment, recheck_reason="edit")
    event = comment.history.get()
    assert event.details == {
        "verdict": "ham",
        "recheck_reason": "edit",
        "guid": comment.akismet_guid,
        "pro_tip": "",
        "debug_help": "",
        "alert": "",
    }


def test_what_the_comment_lacks_is_not_sent(akismet_server, comment):
    """No address, no website: the keys are left out rather than sent empty or made up."""
    comment.user_ip = None
    comment.author_url = ""
    payload = spam.build_payload(comment)
    assert "user_ip" not in payload
    assert "comment_author_url" not in payload


def test_dates_are_sent_in_utc_whatever_the_machine_s_zone(comment, monkeypatch):
    """Akismet's *_gmt fields: UTC even when the process's local zone is another."""
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        comment.created_at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
        assert spam.build_payload(comment)["comment_date_gmt"] == "2026-07-01T12:00:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_feedback_is_spam_or_ham_and_nothing_else(comment):
    with pytest.raises(ValueError, match="feedback is 'spam' or 'ham', not 'junk'"):
        spam.submit_feedback(comment, "junk")
