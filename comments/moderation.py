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
from functools import partial

from django.db import transaction
from django.utils import timezone

from articles import invalidation
from comments import section, spam, stats, subscriptions
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


def _delivered_feedback():
    return CommentEvent.objects.filter(kind=CommentEvent.Kind.FEEDBACK, details__delivered=True)


def last_feedback(comment_ids):
    """{comment id: the last feedback Akismet accepted about it ("spam"/"ham")} for those of
    `comment_ids` that have any: one query for many comments (`feedback_for`'s `last`)."""
    rows = (
        _delivered_feedback()
        .filter(comment_id__in=list(comment_ids))
        .order_by("comment_id", "created_at", "pk")
        .values_list("comment_id", "details__feedback")
    )
    return {pk: kind for pk, kind in rows if kind}  # in order: the last one stays


def feedback_for(comment, old, new, last=None):
    """Return "spam" or "ham" if moving `comment` from `old` to `new` contradicts what Akismet
    last believed about it (its verdict, or the last feedback it accepted), else None.
    `last`: that feedback, if the caller read it already (`last_feedback`; "" for none)."""
    believes_spam = comment.verdict in (V.SPAM, V.DISCARD)
    if last is None:
        last = (
            _delivered_feedback()
            .filter(comment_id=comment.pk)
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


def _change(old, to, actor, actor_label, reason, params, now=None):
    """The checks and the stored fields of a move from `old` to `to`, for `change_status`,
    `change_status_many` and `decide_many`: (reason, params, now, fields). Raises
    `TransitionError` for a transition that is not allowed, `ValueError` when nobody is
    named."""
    if to not in ALLOWED[S(old)]:
        raise TransitionError(f"a comment cannot go from {old} to {to}")
    if actor is None and not actor_label:
        raise ValueError("say who changes the status: a user, or an actor_label")
    reason, params = Reason(reason) if reason else "", params or {}
    now = now or timezone.now()
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
    if S.APPROVED in (old, to) and old != to:
        # The thread rendered here, once the change (and its new version) is committed,
        # not by the first reader after it (`section.warm`).
        transaction.on_commit(partial(section.warm, comment.article_id), robust=True)
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


# A bulk decision is written in batches of this many comments, one transaction each.
DECIDE_BATCH = 500


def decide_many(comments, target, *, actor, reason="", params=None):
    """A person's one decision on many comments (a bulk action of the queue): each of
    `comments` moves to `target(comment)` (None: the action does not apply to it) exactly
    as `change_status` would move it — the same guarded change, the same history line
    (with what an undo would put back), the same counts, the same feedback to Akismet and
    notifications, held for the undo window — but in batches of `DECIDE_BATCH`, each one
    transaction of a few queries whatever its size: the comments' rows checked and locked,
    one update per kind of move, the counts per section, one insert of the history lines;
    then each article's pages get new versions once, and the batch's feedback to Akismet
    is one job after the commit (`tasks.report_many_to_akismet`, held like a single
    decision's; it enqueues one report per comment). A comment whose stored status is no
    longer the one it was read with is left alone (a conflict). Returns (changed comments,
    skipped, conflicts).
    """
    if actor is None:
        raise ValueError("a bulk decision is a person's: say who")
    comments = list(comments)
    moves, skipped, conflicts = [], 0, 0
    for comment in comments:
        to = target(comment)
        if to is None:
            skipped += 1
        elif S(to) not in ALLOWED[S(comment.status)]:
            conflicts += 1  # as `change_status` refuses it
        else:
            moves.append((comment, S(comment.status), S(to)))
    changed = []
    for start in range(0, len(moves), DECIDE_BATCH):
        done = _decide_batch(moves[start : start + DECIDE_BATCH], actor, reason, params)
        conflicts += min(DECIDE_BATCH, len(moves) - start) - len(done)
        changed += done
    return changed, skipped, conflicts


def _decide_batch(moves, actor, reason, params):
    """`decide_many` for one batch of (comment, old, to): returns the comments changed."""
    now = timezone.now()
    last = last_feedback(comment.pk for comment, _old, _to in moves)
    configured = spam.is_configured()
    with transaction.atomic():
        # Locked (PostgreSQL; SQLite's write transaction holds the database) and compared
        # with the status each was read with: who changed one meanwhile wins, as in
        # `change_status`.
        stored = dict(
            Comment.objects.select_for_update()
            .filter(pk__in=[comment.pk for comment, _old, _to in moves])
            .values_list("pk", "status")
        )
        moves = [(c, old, to) for c, old, to in moves if stored.get(c.pk) == old]
        if not moves:
            return []
        groups, lines = {}, []
        for comment, old, to in moves:
            reason_, params_, _now, fields = _change(old, to, actor, "", reason, params, now)
            kind = feedback_for(comment, old, to, last.get(comment.pk, "")) if configured else None
            details = {"held_before": [comment.held_reason, comment.held_params]}
            if kind:
                fields["feedback_pending"] = details["feedback"] = kind
            groups.setdefault((old, to, kind), (fields, []))[1].append(comment)
            line = _history_line(comment.pk, old, to, actor, "", reason_, params_, now)
            line.details = details
            lines.append(line)
        stats.decisions_recorded(moves, actor=actor, reason=reason_, now=now)
        for (old, _to, _kind), (fields, group) in groups.items():
            Comment.objects.filter(pk__in=[c.pk for c in group], status=old).update(**fields)
        lines = CommentEvent.objects.bulk_create(lines)
    held = held_until(now)
    approved, reports, approvals, removals = [], [], set(), set()
    for (comment, old, to), line in zip(moves, lines, strict=True):
        kind = line.details.get("feedback")
        fields = groups[(old, to, kind or None)][0]
        for name, value in fields.items():
            setattr(comment, name, value)
        comment.status_event = line
        if to == S.APPROVED and old != S.APPROVED:
            approved.append((comment, line.pk))
            approvals.add(comment.article_id)
        elif S.APPROVED in (old, to):
            removals.add(comment.article_id)
        if kind:
            reports.append([comment.pk, kind, actor.pk, line.pk])
    for article_id in sorted(removals):
        invalidation.comment_visibility_changed(article_id)
    for article_id in sorted(approvals - removals):
        invalidation.comment_approved(article_id)
    subscriptions.many_approved(approved, run_after=held)
    if reports:
        from comments import queue, tasks

        # One job for the batch (a job per comment cost the request ~500 Python calls and
        # a Redis round trip each); it enqueues one per comment when the hold is over.
        queue.after_commit(tasks.report_many_to_akismet, reports, run_after=held, or_now=True)
    return [comment for comment, _old, _to in moves]
