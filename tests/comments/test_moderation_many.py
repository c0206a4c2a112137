"""`moderation.change_status_many`: one decision moving many comments (a ban hides a
person's published comments, lifting it shows them again), and `moderation.undo`'s refusals.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import caching
from comments.models import Comment, CommentEvent
from comments.moderation import UndoRefused, change_status, change_status_many, undo
from comments.reasons import Reason

S = Comment.Status


@pytest.fixture
def versions(article):
    def read():
        return caching.comments_version(article.pk)["token"]

    return read


def test_only_the_comments_still_in_the_old_status_move(make_comment, moderator):
    shown = [make_comment(status=S.APPROVED) for _ in range(2)]
    held = make_comment(status=S.PENDING)
    moved = change_status_many(
        [c.pk for c in [*shown, held]],
        S.APPROVED,
        S.TRASH,
        actor=moderator,
        reason=Reason.BANNED,
        params={"ban": 7},
    )
    assert moved == 2
    held.refresh_from_db()
    assert held.status == S.PENDING and not held.history.exists()
    for comment in shown:
        comment.refresh_from_db()
        assert (comment.status, comment.previous_status) == (S.TRASH, S.APPROVED)
        assert (comment.held_reason, comment.held_params) == (Reason.BANNED, {"ban": 7})
        assert comment.moderated_by == moderator
        [line] = comment.history.all()
        assert (line.kind, line.from_status, line.to_status) == (
            CommentEvent.Kind.STATUS,
            S.APPROVED,
            S.TRASH,
        )
        assert (line.actor, line.actor_label) == (moderator, "")
        assert (line.reason, line.reason_params) == (Reason.BANNED, {"ban": 7})
        assert line.created_at == comment.status_changed_at == comment.moderated_at


def test_an_automatic_move_names_its_actor_and_nobody_moderated(make_comment):
    comment = make_comment(status=S.TRASH)
    assert change_status_many([comment.pk], S.TRASH, S.APPROVED, actor_label="ban lifted") == 1
    comment.refresh_from_db()
    assert comment.status == S.APPROVED and comment.moderated_by is None
    [line] = comment.history.all()
    assert (line.actor, line.actor_label) == (None, "ban lifted")


def test_nothing_left_in_the_old_status_moves_nothing(make_comment, moderator, versions):
    comment = make_comment(status=S.PENDING)
    before = versions()
    assert change_status_many([comment.pk], S.APPROVED, S.TRASH, actor=moderator) == 0
    comment.refresh_from_db()
    assert comment.status == S.PENDING and not comment.history.exists()
    assert versions() == before


def test_a_move_in_or_out_of_approved_gives_the_page_a_new_version(
    make_comment, moderator, versions
):
    shown, held = make_comment(status=S.APPROVED), make_comment(status=S.PENDING)
    before = versions()
    change_status_many([held.pk], S.PENDING, S.TRASH, actor=moderator)
    assert versions() == before  # nothing readers saw changed
    change_status_many([shown.pk], S.APPROVED, S.TRASH, actor=moderator)
    hidden = versions()
    assert hidden != before
    change_status_many([shown.pk], S.TRASH, S.APPROVED, actor=moderator)
    assert versions() != hidden


def test_hiding_comments_moves_the_strict_version_showing_them_does_not(make_comment, moderator):
    """A reader may get the previous page for a moment after comments appear (a ban
    lifted), never after they disappear (a ban): only the strict version says which."""
    comment = make_comment(status=S.APPROVED)
    before = caching.strict_version()["token"]
    change_status_many([comment.pk], S.APPROVED, S.TRASH, actor_label="ban")
    hidden = caching.strict_version()["token"]
    assert hidden != before
    change_status_many([comment.pk], S.TRASH, S.APPROVED, actor_label="ban lifted")
    assert caching.strict_version()["token"] == hidden


def test_showing_or_hiding_comments_leaves_the_shell_version_an_article_edit_moves_it(
    make_comment, moderator
):
    """The article page outside its comments section is the same after any decision on a
    comment (`pagecache._refreshed` renders the section alone); an edit of the article is
    not a decision on a comment."""
    comment = make_comment(status=S.APPROVED)
    shell = caching.shell_version()["token"]
    change_status_many([comment.pk], S.APPROVED, S.TRASH, actor_label="ban")
    change_status_many([comment.pk], S.TRASH, S.APPROVED, actor_label="ban lifted")
    comment.refresh_from_db()
    comment.body = "Edited by a moderator."
    comment.save()
    assert caching.shell_version()["token"] == shell
    comment.article.title = "Edited"
    comment.article.save()
    assert caching.shell_version()["token"] != shell


def test_a_move_from_a_status_it_may_not_leave_is_refused(make_comment, moderator):
    from comments.moderation import TransitionError

    comment = make_comment(status=S.APPROVED)
    with pytest.raises(TransitionError):
        change_status_many([comment.pk], S.APPROVED, S.APPROVED, actor=moderator)
    with pytest.raises(ValueError):
        change_status_many([comment.pk], S.APPROVED, S.TRASH)


# -- undo's refusals ---------------------------------------------------------------------


def test_an_event_of_another_comment_cannot_be_undone_here(make_comment, moderator):
    one, other = make_comment(status=S.PENDING), make_comment(status=S.PENDING)
    change_status(other, S.APPROVED, actor=moderator)
    with pytest.raises(UndoRefused, match="There is no decision of yours to undo"):
        undo(one, other.status_event.pk, moderator)
    other.refresh_from_db()
    assert other.status == S.APPROVED


def test_undo_at_exactly_the_window_still_undoes(make_comment, moderator):
    from comments.moderation import UNDO_SECONDS

    comment = make_comment(status=S.PENDING)
    change_status(comment, S.SPAM, actor=moderator)
    at = comment.status_event.created_at + timedelta(seconds=UNDO_SECONDS)
    undo(comment, comment.status_event.pk, moderator, now=at)
    comment.refresh_from_db()
    assert comment.status == S.PENDING


def test_a_decision_overruled_back_to_the_same_status_is_not_undone(make_comment, moderator):
    """The comment is in the decision's status again, but through someone else's changes:
    the decision is no longer the last one, so it cannot be taken back."""
    comment = make_comment(status=S.PENDING)
    change_status(comment, S.SPAM, actor=moderator)
    first = comment.status_event
    change_status(comment, S.APPROVED, actor_label="Akismet")
    change_status(comment, S.SPAM, actor_label="Akismet")
    with pytest.raises(UndoRefused, match="changed it since"):
        undo(comment, first.pk, moderator)
    comment.refresh_from_db()
    assert comment.status == S.SPAM


def test_undo_without_a_recorded_reason_leaves_none(make_comment, moderator):
    comment = make_comment(status=S.PENDING)
    change_status(comment, S.TRASH, actor=moderator)
    event = comment.status_event
    event.details.pop("held_before")
    CommentEvent.objects.filter(pk=event.pk).update(details=event.details)
    undo(comment, event.pk, moderator, now=timezone.now())
    comment.refresh_from_db()
    assert (comment.status, comment.held_reason, comment.held_params) == (S.PENDING, "", {})
