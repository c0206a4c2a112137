"""A reader's comment from POST to queue: save it, have a worker check it, file it.

The request only saves the comment (pending, verdict unchecked: nothing a reader wrote is
ever lost) and enqueues its check after the commit (`comments.tasks.check_comment`). The
worker claims the check (`claim_check`: one recorded result per comment and attempt),
calls Akismet outside any transaction, then `file_comment` applies Akismet's verdict and
the moderation policy through `moderation.change_status` — unless a person has decided
meanwhile: then the verdict is recorded and the status left alone.
"""

import logging

from django.db import transaction
from django.utils import timezone

from articles.people import display_name
from comments import blocks, notify, queue, spam, stats, subscriptions, surges
from comments import policy as policies
from comments.models import Comment, CommentEvent
from comments.moderation import TransitionError, change_status
from comments.reasons import Reason

logger = logging.getLogger(__name__)

S = Comment.Status
V = Comment.Verdict


def submit(comment, *, honeypot="", notify_published=False, notify_replies=False):
    """Save a new `comment` (pending, unchecked) and enqueue its check after the commit.
    `notify_*`: the author's ticked boxes (`subscriptions.subscribe`), recorded before the
    check is enqueued, so a worker approving it at once still finds them. Returns the
    comment, still pending: the worker files it a moment later."""
    # The comment and the day's count in one write transaction (the project has no
    # ATOMIC_REQUESTS): one commit, and on SQLite one turn of the write lock, per POST.
    with transaction.atomic():
        comment.save()
        stats.received(comment)
    rule = blocks.rule_for(comment)  # one query: a block or a ban
    if rule is not None and not honeypot:
        # Stored as spam by rule: kept for the moderators, never shown, never checked, and
        # its author is told what anyone is ("awaiting moderation"). Nobody is subscribed.
        change_status(comment, S.SPAM, actor_label=rule.actor, reason=rule.code, params=rule.params)
        return comment
    if honeypot:
        # The client cannot send the honeypot's value, so Akismet would not see it: we
        # file it ourselves, without spending a call. A bot subscribes nobody.
        change_status(comment, S.SPAM, actor_label="honeypot", reason=Reason.HONEYPOT)
        return comment
    subscriptions.subscribe(
        comment, on_publish=notify_published, on_replies=notify_replies, ip=comment.user_ip
    )
    surges.after_post(comment)  # one query; switches the article to surge past a threshold
    from comments import tasks

    queue.after_commit(tasks.check_comment, comment.pk, comment.check_attempts)
    return comment


def claim_check(pk, attempt):
    """Claim check number `attempt + 1` of comment `pk`: compare-and-set on its attempt
    count, so of two deliveries of one job (or the sweep's and a retry's) exactly one
    checks and records. Only a comment still without a verdict (unchecked, or error) can be
    claimed: a check that a worker presumed dead did finish counts. Returns True if this
    caller holds the claim."""
    return bool(
        Comment.objects.filter(
            pk=pk, check_attempts=attempt, verdict__in=[V.UNCHECKED, V.ERROR]
        ).update(check_attempts=attempt + 1, checked_at=timezone.now())
    )


def decided_by_a_person(comment):
    """Has someone moved `comment` by hand (or a filing other than ours happened)?"""
    return comment.status != S.PENDING or comment.moderated_at is not None


def check_and_file(comment, attempt, *, recheck_reason=None):
    """The worker's half of `submit`, for a comment whose check `attempt + 1` the caller
    has claimed: ask Akismet (unless there is no key, or a disallowed word sends it to the
    trash anyway), record the verdict, and file it — unless a person has decided already,
    whose decision stands. Returns the verdict (None: superseded, nothing recorded)."""
    policy = policies.current()
    # Disallowed words go to the trash whatever Akismet says; don't spend a call on them
    # (as the WordPress plugin since 5.3.3).
    wanted = spam.is_configured() and not policies.disallowed_word(comment, policy)
    if wanted and spam.check(comment, recheck_reason=recheck_reason, attempt=attempt + 1) is None:
        return None  # superseded by a later check: that one files it
    comment.refresh_from_db(fields=["status", "previous_status", "moderated_at", "held_reason"])
    if decided_by_a_person(comment):
        logger.info(
            "comment %s was decided (%s) before its check finished; the verdict %s is "
            "recorded, the status left as it is",
            comment.pk,
            comment.status,
            comment.verdict,
        )
        return comment.verdict
    file_comment(comment, policy=policy)
    return comment.verdict


def _filing(comment, policy):
    """(status, actor_label, reason, params) for a pending comment with its recorded
    verdict."""
    word = policies.disallowed_word(comment, policy)
    if word:
        return S.TRASH, "policy", Reason.DISALLOWED_WORD, {"word": word}
    if comment.verdict == V.SPAM:
        return S.SPAM, "Akismet", Reason.AKISMET_SPAM, {}
    if comment.verdict == V.DISCARD:
        return S.SPAM, "Akismet", Reason.AKISMET_DISCARD, {}
    if comment.verdict == V.ERROR:
        return S.PENDING, "Akismet", Reason.AKISMET_UNREACHABLE, {}
    if comment.verdict == V.UNCHECKED:
        if spam.is_configured():
            return S.PENDING, "policy", Reason.NOT_CHECKED_YET, {}
        return S.PENDING, "policy", Reason.NO_AKISMET_KEY, {}
    decision = policies.decide(comment, policy)
    return decision.status, "policy", decision.reason, decision.params


def file_comment(comment, *, policy=None):
    """Apply the recorded verdict and the policy to a pending comment.

    spam/discard → spam; error → stays pending, to be re-checked; unchecked → pending;
    ham → the policy decides (hold, approve); disallowed words → trash. A comment a
    person has already moved out of pending is left as it is. Moderators are mailed about
    a held comment (not about spam, nor about one still waiting for a re-check). Returns
    the comment.
    """
    if comment.status != S.PENDING:
        return comment
    policy = policy or policies.current()
    to, label, reason, params = _filing(comment, policy)
    if to == S.PENDING and (reason, params) == (comment.held_reason, comment.held_params):
        return comment  # nothing new to record (e.g. a re-check that failed again)
    try:
        change_status(comment, to, actor_label=label, reason=reason, params=params)
    except TransitionError:
        logger.info("comment %s changed while being filed; left as it is", comment.pk)
        comment.refresh_from_db()
        return comment
    if to == S.PENDING:
        notify.comment_held(comment, policy)
    return comment


def claim_recheck(pk, attempt):
    """Claim check number `attempt + 1` of a pending comment for a moderator's re-check:
    compare-and-set on its attempt count, whatever its verdict, so two deliveries of one
    re-check job (or two clicks on the button) call Akismet once. True if this caller holds
    the claim."""
    return bool(
        Comment.objects.filter(pk=pk, check_attempts=attempt, status=S.PENDING).update(
            check_attempts=attempt + 1
        )
    )


def recheck_reason(comment):
    """ "edit" if `comment` was edited since its last check, else "recheck_queue"."""
    edited = comment.history.filter(kind=CommentEvent.Kind.EDIT)
    if comment.checked_at:
        edited = edited.filter(created_at__gt=comment.checked_at)
    return "edit" if edited.exists() else "recheck_queue"


def check_again(comment, attempt):
    """The worker's half of a moderator's "Check again with Akismet" on a pending comment
    whose check `attempt + 1` the caller has claimed (`claim_recheck`): re-check it
    (`recheck_reason` "edit" or "recheck_queue") and file it by the verdict — unless it left
    pending meanwhile. Returns the verdict, or None if a later check superseded this one."""
    verdict = spam.check(comment, recheck_reason=recheck_reason(comment), attempt=attempt + 1)
    if verdict is None:
        return None
    comment.refresh_from_db(fields=["status", "previous_status", "moderated_at", "held_reason"])
    file_comment(comment)
    return verdict


def claim_edit_check(pk, attempt):
    """Claim check number `attempt + 1` of a comment its author edited, whatever its
    verdict, while it is shown (pending or approved): compare-and-set on its attempt count,
    as `claim_recheck`. True if this caller holds the claim."""
    return bool(
        Comment.objects.filter(
            pk=pk, check_attempts=attempt, status__in=[S.PENDING, S.APPROVED]
        ).update(check_attempts=attempt + 1)
    )


def check_edit(comment, attempt):
    """The worker's half of an author's edit (`comments.authoring.edit`), for a comment whose
    check `attempt + 1` the caller has claimed: Akismet is asked again with
    `recheck_reason=edit`; a pending comment is filed by the verdict and the policy, a
    published one (the policy trusted its author) goes to spam if Akismet says so. Returns
    the verdict, or None if a later check superseded this one."""
    if spam.is_configured():
        verdict = spam.check(comment, recheck_reason="edit", attempt=attempt + 1)
        if verdict is None:
            return None
    else:
        verdict = comment.verdict  # no key: the policy alone files it
    comment.refresh_from_db(fields=["status", "previous_status", "moderated_at", "held_reason"])
    if comment.status == S.APPROVED and verdict in (V.SPAM, V.DISCARD):
        reason = Reason.AKISMET_SPAM if verdict == V.SPAM else Reason.AKISMET_DISCARD
        try:
            change_status(comment, S.SPAM, actor_label="Akismet", reason=reason)
        except TransitionError:
            logger.info("comment %s changed while being filed; left as it is", comment.pk)
    else:
        file_comment(comment)
    return verdict


class ReplyRefused(Exception):
    """A staff reply cannot go under this comment."""


def staff_reply(parent, user, body, *, user_ip=None, user_agent="", referrer=""):
    """A moderator's reply from the comment's page: threaded under `parent`, saved first,
    approved in the moderator's name, and checked by Akismet (told `user_role`) by a worker.
    A pending parent is approved first (WordPress's "Approve and Reply")."""
    if parent.status not in (S.PENDING, S.APPROVED):
        raise ReplyRefused("only pending or approved comments can be replied to")
    if parent.depth >= policies.current().thread_depth:
        raise ReplyRefused("this comment is already at the deepest reply level")
    if parent.status == S.PENDING:
        change_status(parent, S.APPROVED, actor=user, reason=Reason.APPROVED_TO_REPLY)
    reply = Comment(
        article=parent.article,
        parent=parent,
        author_name=display_name(user),
        author_email=user.email,
        body=body,
        user=user,
        user_ip=user_ip,
        user_agent=user_agent[:512],
        referrer=referrer[:1024],
    )
    reply.save()
    change_status(reply, S.APPROVED, actor=user, reason=Reason.STAFF_REPLY)
    # Akismet is told about the reply by a worker (it records the verdict; the reply stays
    # approved, a person's decision).
    from comments import tasks

    queue.after_commit(tasks.check_comment, reply.pk, reply.check_attempts)
    return reply
