"""The one status function: transitions, history, and feedback when a person overrules Akismet."""

import pytest

from comments.models import Comment, CommentEvent
from comments.moderation import TransitionError, change_status
from comments.reasons import Reason


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


def test_restore_returns_to_the_previous_status(make_comment, moderator):
    """Trash remembers where the comment came from."""
    comment = make_comment(status="approved")
    change_status(comment, "trash", actor=moderator)
    change_status(comment, comment.previous_status, actor=moderator)
    assert comment.status == "approved"


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


def test_agreeing_with_akismet_sends_nothing(
    akismet_server, make_comment, moderator, run_on_commit
):
    """Spam confirmed, or ham approved: Akismet already knows."""
    spam = make_comment(status="pending", verdict="spam")
    ham = make_comment(status="pending", verdict="ham")
    with run_on_commit():
        change_status(spam, "spam", actor=moderator)
        change_status(ham, "approved", actor=moderator)
    assert akismet_server.requests == []


def test_automatic_changes_never_send_feedback(akismet_server, make_comment, run_on_commit):
    """The pipeline and the re-check file comments without training Akismet."""
    comment = make_comment(status="pending", verdict="ham")
    with run_on_commit():
        change_status(comment, "spam", actor_label="policy")
        change_status(comment, "approved", actor_label="policy")
    assert akismet_server.requests == []


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


def test_feedback_waits_for_the_commit(akismet_server, make_comment, moderator):
    """No network call inside the caller's transaction, nor for a change rolled back."""
    comment = make_comment(status="approved", verdict="ham")
    change_status(comment, "spam", actor=moderator)  # the test's transaction never commits
    assert akismet_server.requests == []
