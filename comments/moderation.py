"""The one function that changes a comment's status.

Views, the pipeline, the re-check command and the moderators' actions (`comments.actions`)
all call `change_status`; nothing else assigns `Comment.status`. It checks the transition
(`ALLOWED`), writes the change with a guard on the old status (two moderators, or a
moderator and the re-check, cannot overwrite each other's decision unseen), records the
history, and, when a person overrules Akismet, tells Akismet once, after the change is
committed.

A person's decision can be undone for `UNDO_SECONDS` by whoever made it (`undo`), so what
it sets off — feedback to Akismet, the "published" mail and reply notifications — is held
until that window has passed: the jobs are enqueued to run then (`held_until`), and each
checks when it runs that the decision still stands (`stands`), else does nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles import invalidation
from comments import spam, stats, subscriptions
from comments.history import who
from comments.models import Comment, CommentEvent
from comments.reasons import Reason

S = Comment.Status
V = Comment.Verdict

ALLOWED = {
    # pending → pending re-files a held comment with a new reason (e.g. after a re-check).
    S.PENDING: {S.PENDING, S.APPROVED, S.SPAM, S.TRASH},
    S.APPROVED: {S.PENDING, S.SPAM, S.TRASH},
    S.SPAM: {S.PENDING, S.APPROVED, S.TRASH},
    S.TRASH: {S.PENDING, S.APPROVED, S.SPAM},
}


# How long a person may take their decision back; its side effects wait this long.
UNDO_SECONDS = 10
UNDO_WINDOW = timedelta(seconds=UNDO_SECONDS)


class TransitionError(Exception):
    """The change is not allowed, or someone else changed the status first."""


class UndoRefused(Exception):
    """The decision cannot be undone here; the message says why and what to do instead."""


def held_until(decided_at):
    """When the side effects of a person's decision taken at `decided_at` may go out: once
    it can no longer be undone."""
    return decided_at + UNDO_WINDOW


def latest_status_event(comment_id):
    """The comment's last status change (a `CommentEvent`), or None."""
    return (
        CommentEvent.objects.filter(comment_id=comment_id, kind=CommentEvent.Kind.STATUS)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def stands(comment_id, event_id):
    """Does the status change recorded as `event_id` still stand: is it the comment's last
    one (not undone, nobody has changed the status since)?"""
    latest = latest_status_event(comment_id)
    return latest is not None and latest.pk == event_id


def feedback_for(comment, old, new):
    """Return "spam" or "ham" if moving `comment` from `old` to `new` contradicts what Akismet
    last believed about it (its verdict, or the last feedback it accepted), else None."""
    believes_spam = comment.verdict in (V.SPAM, V.DISCARD)
    last = (
        comment.history.filter(kind=CommentEvent.Kind.FEEDBACK, details__delivered=True)
        .order_by("-created_at", "-pk")
        .values_list("details__feedback", flat=True)
        .first()
    )
    if last:
        believes_spam = last == "spam"
    if new == S.SPAM and old != S.SPAM and not believes_spam:
        return "spam"
    if old == S.SPAM and new in (S.APPROVED, S.PENDING) and believes_spam:
        return "ham"
    return None


def _change(old, to, actor, actor_label, reason, params):
    """The checks and the stored fields of a move from `old` to `to`, for `change_status`
    and `change_status_many`: (reason, params, now, fields). Raises `TransitionError` for a
    transition that is not allowed, `ValueError` when nobody is named."""
    if to not in ALLOWED[S(old)]:
        raise TransitionError(f"a comment cannot go from {old} to {to}")
    if actor is None and not actor_label:
        raise ValueError("say who changes the status: a user, or an actor_label")
    reason, params = Reason(reason) if reason else "", params or {}
    now = timezone.now()
    fields = {
        "status": to,
        "previous_status": old,
        "status_changed_at": now,
        "held_reason": "" if to == S.APPROVED else reason,
        "held_params": {} if to == S.APPROVED else params,
        "updated_at": now,
    }
    if actor is not None:
        fields.update(moderated_by=actor, moderated_at=now)
    return reason, params, now, fields


def _history_line(comment_id, old, to, actor, actor_label, reason, params, now):
    """The (unsaved) history line of a status change: a person's, or an automatic actor's
    by its label."""
    return CommentEvent(
        comment_id=comment_id,
        kind=CommentEvent.Kind.STATUS,
        created_at=now,
        actor=actor,
        actor_label="" if actor is not None else actor_label,
        from_status=old,
        to_status=to,
        reason=reason,
        reason_params=params,
    )


def change_status(comment, to, *, actor=None, actor_label="", reason="", params=None, undoes=None):
    """Move `comment` to status `to`, record who did it and why, and send feedback.

    `actor` is the user deciding (a person); `actor_label` names an automatic actor
    ("Akismet", "policy", "honeypot"). `reason` is a `Reason` code (or "") and `params`
    its parameters (`comments.reasons` turns them into the sentence people read). Only a
    person's decision is reported to Akismet: automatic changes never train it, and a
    person's side effects wait for the end of the undo window (`held_until`). `undoes`: the
    status `CommentEvent` this change takes back (see `undo`); it tells Akismet nothing and
    withdraws the feedback the undone decision was holding. The change's `CommentEvent` is
    left on `comment.status_event`. Raises `TransitionError` for a transition that is not
    allowed or when the stored status is no longer the one `comment` was read with.
    """
    old = comment.status
    to = S(to)
    reason, params, now, fields = _change(old, to, actor, actor_label, reason, params)
    kind = feedback_for(comment, old, to) if actor is not None and undoes is None else None
    details = {}
    if actor is not None:
        # What an undo puts back (the reason it was held for).
        details["held_before"] = [comment.held_reason, comment.held_params]
    if kind and spam.is_configured():
        fields["feedback_pending"] = details["feedback"] = kind  # until a worker delivered it
    if undoes is not None:
        details["undoes"] = undoes.pk
        if undoes.details.get("feedback"):
            fields["feedback_pending"] = ""
    with transaction.atomic():
        if not Comment.objects.filter(pk=comment.pk, status=old).update(**fields):
            raise TransitionError(f"comment {comment.pk} is no longer {old}")
        stats.status_changed(comment, old, to, actor=actor, reason=reason, now=now)
        event = _history_line(comment.pk, old, to, actor, actor_label, reason, params, now)
        event.details = details
        event.save()
    for name, value in fields.items():
        setattr(comment, name, value)
    comment.status_event = event
    held = held_until(now) if actor is not None else None
    if to == S.APPROVED and old != S.APPROVED:
        invalidation.comment_approved(comment.article_id)
        # Readers who asked to be told (its author, the author it replies to): a worker
        # mails them once the approval is committed (and a person's can no longer be undone).
        subscriptions.comment_approved(comment, event.pk, run_after=held)
    elif S.APPROVED in (old, to):
        invalidation.comment_visibility_changed(comment.article_id)
    if kind and spam.is_configured():
        # A worker reports it, after commit and after the undo window: never a network call
        # in the caller's request, never feedback about a change rolled back or undone.
        from comments import queue, tasks

        queue.after_commit(
            tasks.report_to_akismet,
            comment.pk,
            kind,
            getattr(actor, "pk", None),
            event.pk,
            run_after=held,
            or_now=True,
        )
    return comment


def undo(comment, event_id, actor, now=None):
    """Take back the decision recorded as status event `event_id` on `comment`: only the
    person who made it, only within `UNDO_SECONDS`, and only while nobody has changed the
    comment since. The comment goes back to the status (and held reason) it had, recorded
    as an undo; nothing the decision set off has gone out yet, and now nothing will.
    Returns `comment`; raises `UndoRefused` saying why not."""
    event = (
        CommentEvent.objects.filter(
            pk=event_id, comment_id=comment.pk, kind=CommentEvent.Kind.STATUS
        )
        .select_related("actor")
        .first()
    )
    if event is None or event.actor_id is None or "undoes" in event.details:
        raise UndoRefused("There is no decision of yours to undo on this comment.")
    if event.actor_id != actor.pk:
        raise UndoRefused(
            f"Only {event.actor.get_username()}, who made this decision, can undo it; "
            "change it from the comment's page."
        )
    age = ((now or timezone.now()) - event.created_at).total_seconds()
    if age > UNDO_SECONDS:
        raise UndoRefused(
            f"Too late to undo: the decision was made {int(age)} s ago; change it from the "
            "comment's page."
        )
    latest = latest_status_event(comment.pk)
    if latest.pk != event.pk or comment.status != event.to_status:
        raise UndoRefused(
            f"Not undone: {who(latest)} changed it since "
            f"(now {comment.get_status_display().lower()})."
        )
    reason, params = event.details.get("held_before") or ["", {}]
    try:
        return change_status(
            comment, event.from_status, actor=actor, reason=reason, params=params, undoes=event
        )
    except TransitionError:
        raise UndoRefused("Not undone: someone changed it meanwhile; look again.") from None


def send_feedback(comment, kind, actor):
    """Report a person's decision to Akismet once, if it is still the one to report
    (`feedback_pending`); if it could not be delivered it stays pending for the sweep (the
    history entry is written by `spam.submit_feedback`). Returns whether it was delivered
    (None: nothing to send it with, or nothing left to report)."""
    if not Comment.objects.filter(pk=comment.pk, feedback_pending=kind).exists():
        from comments import queue

        queue.count_duplicate("feedback", comment.pk, f"no {kind} report is pending")
        return None
    delivered = spam.submit_feedback(comment, kind, actor=actor)
    # None: nothing could be sent (no stored payload), so there is nothing to retry.
    if delivered is not False:
        Comment.objects.filter(pk=comment.pk, feedback_pending=kind).update(feedback_pending="")
        comment.feedback_pending = ""
    return delivered


def change_status_many(pks, old, to, *, actor=None, actor_label="", reason="", params=None):
    """Move those of comments `pks` still in status `old` to `to`: one guarded update and
    one insert of their history lines, for work done to many comments by one decision (a
    ban hides a person's published comments; lifting it shows them again). Nobody judged
    each comment's text, so Akismet is told nothing. Returns how many moved."""
    old, to = S(old), S(to)
    reason, params, now, fields = _change(old, to, actor, actor_label, reason, params)
    with transaction.atomic():
        rows = list(
            Comment.objects.select_for_update()
            .filter(pk__in=list(pks), status=old)
            .values_list("pk", "article_id")
        )
        if not rows:
            return 0
        stats.statuses_changed(
            [pk for pk, _a in rows], old, to, actor=actor, reason=reason, now=now
        )
        Comment.objects.filter(pk__in=[pk for pk, _article in rows], status=old).update(**fields)
        CommentEvent.objects.bulk_create(
            _history_line(pk, old, to, actor, actor_label, reason, params, now)
            for pk, _article in rows
        )
    if S.APPROVED in (old, to):
        for article_id in {article for _pk, article in rows}:
            if to == S.APPROVED:
                invalidation.comment_approved(article_id)
            else:
                invalidation.comment_visibility_changed(article_id)
    return len(rows)
