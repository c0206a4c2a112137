"""Akismet failing in every way we know, through the real POST view: nothing is lost.

Each fault: the comment is stored, its author sees it awaiting moderation, it is marked
for a re-check, moderators see why it waited, and `recheck_comments` files it correctly
once Akismet answers again.
"""

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment, CommentEvent, ModerationPolicy
from comments.reasons import Reason

# Fault → what the history tells moderators about it.
FAULTS = {
    "slow": "Akismet timed out after 0.3 s",
    "500": "Akismet answered HTTP 500",
    "invalid": "Akismet rejected the API key or site URL",
    "garbage": "Akismet answered something unexpected",
    "drop": "Akismet unreachable",
    "refused": "Akismet unreachable",
}


@pytest.fixture
def open_policy(db):
    """No manual approval, so a clean re-check approves (and a spam one files it as spam)."""
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"manual_approval": False})


def _inject(akismet_server, settings, fault):
    if fault == "refused":
        settings.AKISMET_API_URL = akismet_server.refused_url
    else:
        akismet_server.mode = fault


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(
    "author, filed_as",
    [("Ada Reader", Comment.Status.APPROVED), ("akismet-guaranteed-spam", Comment.Status.SPAM)],
)
def test_a_comment_survives_akismet_failing(
    fault, author, filed_as, akismet_server, settings, open_policy, post, client, admin_client
):
    _inject(akismet_server, settings, fault)
    response = post(name=author, comment=f"Posted while Akismet was {fault}.")

    # Stored, and marked for a re-check.
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.verdict == Comment.Verdict.ERROR
    assert comment.next_check_at is not None
    assert comment.held_reason == Reason.AKISMET_UNREACHABLE

    # Its author sees it, awaiting moderation; nobody else does.
    page = client.get(response["Location"]).content.decode()
    assert f'id="comment-{comment.pk}"' in page
    assert "Your comment is awaiting moderation." in page

    # Moderators see why it waited: the reason and the failure in its history.
    change = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "Akismet unreachable; it will be checked again" in change
    assert FAULTS[fault] in change

    # Akismet is back: the re-check files it by the verdict.
    akismet_server.reset()
    settings.AKISMET_API_URL = akismet_server.url
    Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now())
    call_command("recheck_comments", verbosity=0)
    comment.refresh_from_db()
    assert comment.status == filed_as
    assert comment.verdict in (Comment.Verdict.HAM, Comment.Verdict.SPAM)
    assert akismet_server.calls("comment-check")[-1]["recheck_reason"] == "retry"
    checks = comment.history.filter(kind=CommentEvent.Kind.CHECK)
    assert checks.count() == 2


def test_a_failing_recheck_keeps_the_comment_waiting(akismet_server, open_policy, post):
    """Akismet still down at the re-check: the comment stays pending with a later retry
    time, and no duplicate history line about the same reason."""
    akismet_server.mode = "500"
    post()
    comment = Comment.objects.get()
    first_retry = comment.next_check_at
    Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now())
    call_command("recheck_comments", verbosity=0)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.next_check_at > first_retry
    assert comment.history.filter(kind=CommentEvent.Kind.STATUS).count() == 1
