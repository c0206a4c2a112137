"""The one status function: transitions, history, and feedback when a person overrules Akismet."""

import pytest
from django.db import transaction

from comments.actions import ACTIONS
from comments.models import Comment, CommentEvent
from comments.moderation import TransitionError, change_status, send_feedback
from comments.reasons import Reason

PAYLOAD = {"user_ip": "203.0.113.5", "comment_content": "As first sent", "user_agent": "UA/1"}


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (the feedback call) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_change_is_recorded_with_who_when_and_why(make_comment, moderator):
    """Status, previous status, moderator and time are stored; a history row is written."""
    comment = make_comment(status="pending")
    change_status(
        comment, "approved", actor=moderator, reason=Reason.OTHER, params={"text": "looks fine"}
    )
    comment.refresh_from_db()
    assert (comment.status, comment.previous_status) == ("approved", "pending")
    assert comment.moderated_by == moderator and comment.moderated_at is not None
    event = comment.history.get()
    assert (event.kind, event.from_status, event.to_status) == ("status", "pending", "approved")
    assert (event.actor, event.reason, event.reason_params) == (
        moderator,
        Reason.OTHER,
        {"text": "looks fine"},
    )


def test_an_automatic_change_names_its_actor_and_the_reason_held(make_comment):
    """Automatic changes have an actor label, no moderator, and keep the reason held."""
    comment = make_comment(status="pending")
    links = {"links": 3, "limit": 2}
    change_status(comment, "pending", actor_label="policy", reason=Reason.LINKS, params=links)
    comment.refresh_from_db()
    assert (comment.held_reason, comment.held_params) == (Reason.LINKS, links)
    assert comment.moderated_by is None
    assert comment.history.get().actor_label == "policy"


@pytest.mark.parametrize(
    ("old", "new"), [("approved", "approved"), ("spam", "spam"), ("trash", "trash")]
)
def test_transitions_that_are_not_allowed(make_comment, moderator, old, new):
    """Only pending can be re-filed as itself; other no-op changes are refused."""
    comment = make_comment(status=old)
    with pytest.raises(TransitionError):
        change_status(comment, new, actor=moderator)
    assert not comment.history.exists()


def test_someone_else_changed_it_first(make_comment, moderator):
    """A decision made on stale data is refused, not silently overwritten."""
    comment = make_comment(status="pending")
    stale = Comment.objects.get(pk=comment.pk)
    change_status(comment, "approved", actor=moderator)
    with pytest.raises(TransitionError):
        change_status(stale, "spam", actor=moderator)
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_someone_must_be_named(make_comment):
    with pytest.raises(ValueError):
        change_status(make_comment(status="pending"), "approved")


@pytest.mark.parametrize("before", ["approved", "pending", "spam"])
def test_restore_returns_to_the_previous_status(make_comment, moderator, before):
    """Trash remembers where the comment came from, and the Restore action takes it back
    there (from the stored row, not from the object that trashed it)."""
    comment = make_comment(status=before)
    change_status(comment, "trash", actor=moderator)
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.status, stored.previous_status) == ("trash", before)
    assert ACTIONS["restore"].take(stored, moderator) is True
    stored.refresh_from_db()
    assert stored.status == before
    event = stored.history.filter(kind="status").latest("pk")
    assert (event.from_status, event.to_status) == ("trash", before)


def test_person_marks_ham_as_spam_sends_submit_spam_once(
    akismet_server, make_comment, moderator, run_on_commit
):
    """Overruling Akismet's ham sends submit-spam once, with the stored payload."""
    comment = make_comment(status="approved", verdict="ham", akismet_payload={"user_ip": "1.2.3.4"})
    with run_on_commit():
        change_status(comment, "spam", actor=moderator)
    sent = akismet_server.calls("submit-spam")
    assert len(sent) == 1 and sent[0]["user_ip"] == "1.2.3.4"
    feedback = comment.history.get(kind=CommentEvent.Kind.FEEDBACK)
    assert feedback.actor == moderator
    comment.refresh_from_db()
    assert comment.feedback_pending == ""


def test_person_approves_akismet_spam_sends_submit_ham(
    akismet_server, make_comment, moderator, run_on_commit
):
    """Not spam on a comment Akismet called spam sends submit-ham; trash/restore does not."""
    comment = make_comment(status="spam", verdict="spam", akismet_payload={"user_ip": "1.2.3.4"})
    with run_on_commit():
        change_status(comment, "pending", actor=moderator)
    assert len(akismet_server.calls("submit-ham")) == 1
    with run_on_commit():
        change_status(comment, "trash", actor=moderator)
        change_status(comment, "pending", actor=moderator)
    assert len(akismet_server.calls("submit-ham")) == 1
    assert akismet_server.calls("submit-spam") == []


def test_marking_spam_again_after_a_ham_report_tells_akismet(
    akismet_server, make_comment, moderator, run_on_commit
):
    """After Akismet accepted "ham", a person saying spam again is news to it."""
    comment = make_comment(status="spam", verdict="spam", akismet_payload={"user_ip": "1.2.3.4"})
    with run_on_commit():
        change_status(comment, "approved", actor=moderator)
    with run_on_commit():
        change_status(comment, "spam", actor=moderator)
    assert len(akismet_server.calls("submit-ham")) == 1
    assert len(akismet_server.calls("submit-spam")) == 1


def test_not_spam_after_a_spam_report_tells_akismet(
    akismet_server, make_comment, moderator, run_on_commit
):
    """Akismet said ham, a person reported spam (accepted): Akismet now believes spam, so
    a person taking it back out of spam is news to it again (submit-ham)."""
    comment = make_comment(status="approved", verdict="ham", akismet_payload=PAYLOAD)
    with run_on_commit():
        change_status(comment, "spam", actor=moderator)
    with run_on_commit():
        change_status(comment, "approved", actor=moderator)
    assert len(akismet_server.calls("submit-spam")) == 1
    assert len(akismet_server.calls("submit-ham")) == 1


def test_agreeing_with_akismet_sends_nothing(
    akismet_server, make_comment, moderator, run_on_commit
):
    """Spam confirmed, or ham approved: Akismet already knows. Both carry the payload a
    report would be sent with, so a report, if made, would reach the stand-in."""
    spam = make_comment(status="pending", verdict="spam", akismet_payload=PAYLOAD)
    ham = make_comment(status="pending", verdict="ham", akismet_payload=PAYLOAD)
    with run_on_commit():
        change_status(spam, "spam", actor=moderator)
        change_status(ham, "approved", actor=moderator)
    assert akismet_server.calls("submit-spam") == akismet_server.calls("submit-ham") == []
    assert akismet_server.requests == []
    assert not CommentEvent.objects.filter(kind=CommentEvent.Kind.FEEDBACK).exists()
    spam.refresh_from_db()
    ham.refresh_from_db()
    assert spam.feedback_pending == ham.feedback_pending == ""


def test_automatic_changes_never_send_feedback(akismet_server, make_comment, run_on_commit):
    """The pipeline and the re-check file comments without training Akismet, even where a
    person making the same change would (ham → spam, spam → approved), payload and all."""
    comment = make_comment(status="pending", verdict="ham", akismet_payload=PAYLOAD)
    caught = make_comment(status="spam", verdict="spam", akismet_payload=PAYLOAD)
    with run_on_commit():
        change_status(comment, "spam", actor_label="policy")
        change_status(caught, "approved", actor_label="Akismet")
    assert akismet_server.calls("submit-spam") == akismet_server.calls("submit-ham") == []
    assert akismet_server.requests == []
    comment.refresh_from_db()
    caught.refresh_from_db()
    assert comment.feedback_pending == caught.feedback_pending == ""


def test_failed_feedback_is_kept_for_the_recheck(
    akismet_server, make_comment, moderator, run_on_commit
):
    """Akismet down: the status still changes, and the feedback waits in feedback_pending."""
    comment = make_comment(
        status="approved",
        verdict="ham",
        akismet_payload={"user_ip": "192.0.2.1", "comment_content": "x"},
    )
    akismet_server.mode = "500"
    with run_on_commit():
        change_status(comment, "spam", actor=moderator)
    comment.refresh_from_db()
    assert (comment.status, comment.feedback_pending) == ("spam", "spam")
    assert comment.history.filter(kind="feedback", details__delivered=False).count() == 1


def test_feedback_waits_for_the_commit(
    akismet_server, make_comment, moderator, django_capture_on_commit_callbacks
):
    """No network call inside the caller's transaction: the report is sent by the commit
    (here, running the callbacks it registered), and not before."""
    comment = make_comment(status="approved", verdict="ham", akismet_payload=PAYLOAD)
    with django_capture_on_commit_callbacks() as callbacks:  # the transaction never commits
        change_status(comment, "spam", actor=moderator)
    assert akismet_server.requests == []
    assert callbacks  # what the commit would run
    for callback in callbacks:
        callback()
    sent = akismet_server.calls("submit-spam")
    assert len(sent) == 1 and sent[0]["user_ip"] == PAYLOAD["user_ip"]


def test_no_feedback_for_a_change_rolled_back(
    akismet_server, make_comment, moderator, django_capture_on_commit_callbacks
):
    """A change undone by its transaction's rollback reports nothing, ever."""
    comment = make_comment(status="approved", verdict="ham", akismet_payload=PAYLOAD)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        change_status(comment, "spam", actor=moderator)
        raise RuntimeError("rolled back")
    assert akismet_server.requests == []
    comment.refresh_from_db()
    assert (comment.status, comment.feedback_pending) == ("approved", "")


@pytest.mark.parametrize("who", ["moderator", "sweep"])
def test_feedback_without_a_stored_payload_sends_nothing_and_says_so(
    akismet_server, make_comment, moderator, who
):
    """No payload left (retention, erasure): no call; the history names who decided (a
    person, or "Akismet" for the sweep) and that nothing was sent."""
    actor = moderator if who == "moderator" else None
    comment = make_comment(status="spam", verdict="ham", feedback_pending="spam")
    assert send_feedback(comment, "spam", actor) is None
    assert akismet_server.requests == []
    event = comment.history.get(kind=CommentEvent.Kind.FEEDBACK)
    assert (event.actor, event.actor_label) == (actor, "" if actor else "Akismet")
    assert event.details == {"feedback": "spam", "delivered": False, "sent": False}
    assert event.reason == Reason.FEEDBACK_NOT_SENT
    assert comment.feedback_pending == ""  # nothing to retry


@pytest.mark.parametrize("who", ["moderator", "sweep"])
def test_feedback_sends_the_stored_payload_once(akismet_server, make_comment, moderator, who):
    """The payload as checked, less the re-check's own field; the report is no longer
    pending (stored and in hand); a second delivery of the same job sends nothing; another
    comment's pending report is not this one's."""
    actor = moderator if who == "moderator" else None
    payload = PAYLOAD | {"recheck_reason": "edit"}
    comment = make_comment(
        status="spam", verdict="ham", akismet_payload=payload, feedback_pending="spam"
    )
    other = make_comment(status="spam", verdict="ham", akismet_payload=PAYLOAD)
    make_comment(status="spam", verdict="ham", feedback_pending="ham")
    assert send_feedback(other, "spam", actor) is None  # nothing pending for it
    assert send_feedback(comment, "ham", actor) is None  # pending is spam, not ham
    assert send_feedback(comment, "spam", actor) is True
    assert comment.feedback_pending == ""
    comment.refresh_from_db()
    assert comment.feedback_pending == ""
    assert send_feedback(comment, "spam", actor) is None  # delivered already
    (sent,) = akismet_server.calls("submit-spam")
    assert {k: sent[k] for k in PAYLOAD} == PAYLOAD and "recheck_reason" not in sent
    event = comment.history.get(kind=CommentEvent.Kind.FEEDBACK)
    assert (event.actor, event.actor_label) == (actor, "" if actor else "Akismet")
    assert event.details == {"feedback": "spam", "delivered": True}


def test_a_report_no_longer_pending_is_counted_as_a_duplicate(
    akismet_server, make_comment, moderator, caplog
):
    """A second delivery of a feedback job (or one a later decision made moot) sends
    nothing; the queue's duplicate counter and log line say which comment and why."""
    import logging

    from comments import queue

    comment = make_comment(status="spam", verdict="ham", feedback_pending="")
    before = queue.duplicates["feedback"]
    with caplog.at_level(logging.INFO, logger="comments.queue"):
        assert send_feedback(comment, "spam", moderator) is None
    assert queue.duplicates["feedback"] == before + 1
    assert (
        f"duplicate feedback for comment {comment.pk} skipped (no spam report is pending)"
        in caplog.text
    )
    assert akismet_server.requests == []
