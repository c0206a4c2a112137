"""The comments' background work, as tasks of Django's Tasks API (the `django-tasks`
backport: on Django 6 the import becomes `django.tasks`, nothing else changes).

Run by `manage.py run_worker`; the periodic ones are enqueued by `manage.py run_scheduler`
(`comments.schedule`). Every task takes plain ids, validates them, and ends quietly (logged)
when what it was about is gone; it never raises for bad input, so no backend retries it.
Retries of Akismet checks follow our own back-off (`spam.RETRY_FIRST` doubling to
`spam.RETRY_MAX`, given up after `spam.GIVE_UP_AFTER`): a failed check re-enqueues itself
with `run_after`, whatever the backend, and the sweep catches anything a queue lost.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import task

from comments import moderation, notify, pipeline, privacy, queue, spam, subscriptions
from comments import policy as policies
from comments.models import Comment, CommentEvent
from comments.reasons import Reason

logger = logging.getLogger(__name__)

# Undelivered feedback this old is retried by the sweep.
FEEDBACK_GRACE = timedelta(minutes=3)
SWEEP_LIMIT = 500


def unchecked_grace():
    """How long after its POST a comment still unchecked is taken to have lost its job (the
    queue was down at POST time, or a worker was killed mid-check): the sweep enqueues it
    again (settings.UNCHECKED_GRACE_SECONDS)."""
    return timedelta(seconds=settings.UNCHECKED_GRACE_SECONDS)


def _id(value, what):
    """`value` as a positive id, or None (logged) for a malformed payload."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        logger.error("refused a job with a malformed %s: %r (not retried)", what, value)
        return None
    return value


def _erased(comment):
    return comment.history.filter(reason=Reason.ERASED).exists()


def _job_comment(comment_id, attempt, what):
    """(comment, None) for a check job's payload, or (None, what happened): a malformed
    payload is refused (never retried), a deleted or erased comment ends the job quietly."""
    pk = _id(comment_id, "comment id")
    if pk is None or isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 0:
        if pk is not None:
            logger.error(
                "refused a %s of comment %s with attempt %r (not retried)", what, pk, attempt
            )
        return None, "refused"
    comment = Comment.objects.select_related("article__category", "user").filter(pk=pk).first()
    if comment is None:
        logger.info("comment %s is gone (deleted, or its article was); nothing to %s", pk, what)
        return None, "gone"
    if _erased(comment):
        logger.info("comment %s was erased on request; it is not sent to Akismet", pk)
        return None, "erased"
    return comment, None


def _retry_when_due(comment, verdict):
    """Our back-off, whatever the backend: after an error the job comes back when due."""
    if verdict == Comment.Verdict.ERROR and comment.next_check_at:
        queue.enqueue(
            check_comment,
            comment.pk,
            comment.check_attempts,
            "retry",
            run_after=comment.next_check_at,
        )


@task()
def check_comment(comment_id, attempt, recheck_reason=""):
    """Check comment `comment_id` with Akismet and file it (see `pipeline.check_and_file`).
    `attempt` is its attempt count when the job was made: the claim on it makes a second
    delivery of the same job a no-op. Returns what happened, for the logs and tests."""
    if recheck_reason not in ("", "retry", "edit", "recheck_queue"):
        logger.error("refused a check of comment %r: recheck_reason %r", comment_id, recheck_reason)
        return "refused"
    comment, outcome = _job_comment(comment_id, attempt, "check")
    if comment is None:
        return outcome
    pk = comment.pk
    if comment.created_at < timezone.now() - spam.GIVE_UP_AFTER:
        give_up(Comment.objects.filter(pk=pk))
        return "gave up"
    if not pipeline.claim_check(pk, attempt):
        queue.count_duplicate("check", pk, f"attempt {attempt + 1} is taken")
        return "duplicate"
    verdict = pipeline.check_and_file(comment, attempt, recheck_reason=recheck_reason or None)
    if verdict is None:
        return "superseded"
    _retry_when_due(comment, verdict)
    return str(verdict)


@task()
def recheck_comment(comment_id, attempt):
    """A moderator's "Check again with Akismet" on pending comment `comment_id` (see
    `pipeline.check_again`). `attempt` is its attempt count when the moderator asked: the
    claim on it makes a second delivery, or a second click, a no-op."""
    comment, outcome = _job_comment(comment_id, attempt, "re-check")
    if comment is None:
        return outcome
    pk = comment.pk
    if comment.status != Comment.Status.PENDING:
        logger.info("comment %s is %s now, not pending: not re-checked", pk, comment.status)
        return "not pending"
    if not pipeline.claim_recheck(pk, attempt):
        queue.count_duplicate("re-check", pk, f"attempt {attempt + 1} is taken")
        return "duplicate"
    verdict = pipeline.check_again(comment, attempt)
    if verdict is None:
        return "superseded"
    _retry_when_due(comment, verdict)
    return str(verdict)


@task()
def check_edited_comment(comment_id, attempt):
    """Check comment `comment_id` again after its author edited it (see
    `pipeline.check_edit`), if it is still shown. `attempt` is its attempt count at the
    edit: the claim on it makes a second delivery a no-op."""
    comment, outcome = _job_comment(comment_id, attempt, "check after an edit")
    if comment is None:
        return outcome
    pk = comment.pk
    if comment.status not in (Comment.Status.PENDING, Comment.Status.APPROVED):
        logger.info("comment %s is %s now: not checked after its edit", pk, comment.status)
        return "not shown"
    if not pipeline.claim_edit_check(pk, attempt):
        queue.count_duplicate("check after an edit", pk, f"attempt {attempt + 1} is taken")
        return "duplicate"
    verdict = pipeline.check_edit(comment, attempt)
    if verdict is None:
        return "superseded"
    _retry_when_due(comment, verdict)
    return str(verdict)


@task()
def mail_held_comment(comment_id):
    """Mail the moderators about a held comment (once: `notify.send_held_mail` claims it)."""
    pk = _id(comment_id, "comment id")
    if pk is None:
        return 0
    return notify.send_held_mail(pk)


@task()
def mail_surge_alert(event_id):
    """Mail the moderators that an article switched to surge (once: `notify.send_surge_alert`
    claims the event)."""
    pk = _id(event_id, "surge event id")
    return 0 if pk is None else notify.send_surge_alert(pk)


@task()
def calm_surges():
    """Switch off the surges that have been calm long enough (`comments.surges.calm_down`)."""
    from comments import surges

    events = surges.calm_down()
    if events:
        logger.info("surges switched off: %s", [e.article_id for e in events])
    return len(events)


@task()
def mail_report(report_id):
    """Mail the moderators about a reader's report, at once (`reports.send_alert`)."""
    from comments import reports

    pk = _id(report_id, "report id")
    return 0 if pk is None else reports.send_alert(pk)


@task()
def mail_report_decision(report_id):
    """Mail a reporter the decision on their report (`reports.send_decision`)."""
    from comments import reports

    pk = _id(report_id, "report id")
    return 0 if pk is None else reports.send_decision(pk)


@task()
def send_confirmation(confirmation_id):
    """A reader's confirmation mail (double opt-in), once."""
    pk = _id(confirmation_id, "confirmation id")
    return 0 if pk is None else subscriptions.send_confirmation(pk)


def _undone(pk, event_id, what):
    """True (logged, counted) if the decision recorded as status event `event_id` no longer
    stands (undone, or changed since): its held `what` is not sent."""
    if event_id is None or moderation.stands(pk, event_id):
        return False
    queue.count_withdrawn(what, pk, f"the decision {event_id} was undone or changed since")
    return True


@task()
def notify_approved(comment_id, event_id=None):
    """Comment `comment_id` was approved (status event `event_id`): record and send what
    its subscribers are owed ("published", a reply), once, if the approval still stands."""
    pk = _id(comment_id, "comment id")
    if pk is None or (event_id is not None and _id(event_id, "event id") is None):
        return 0
    if _undone(pk, event_id, "notification"):
        return 0
    return subscriptions.record_approved(pk)


@task()
def deliver_subscriber(subscriber_id):
    """A subscriber confirmed: send what waited for it."""
    pk = _id(subscriber_id, "subscriber id")
    return 0 if pk is None else subscriptions.deliver_subscriber(pk)


@task()
def report_to_akismet(comment_id, kind, actor_id=None, event_id=None):
    """Tell Akismet a person overruled it (submit-spam / submit-ham), once, if that
    decision (status event `event_id`) still stands."""
    pk = _id(comment_id, "comment id")
    if pk is None or kind not in ("spam", "ham"):
        if pk is not None:
            logger.error("refused feedback %r for comment %s (not retried)", kind, pk)
        return "refused"
    if actor_id is not None and _id(actor_id, "user id") is None:
        return "refused"
    if event_id is not None and _id(event_id, "event id") is None:
        return "refused"
    if _undone(pk, event_id, "feedback"):
        return "undone"
    comment = Comment.objects.select_related("article").filter(pk=pk).first()
    if comment is None:
        logger.info("comment %s is gone; no feedback sent", pk)
        return "gone"
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    delivered = moderation.send_feedback(comment, kind, actor)
    return {True: "delivered", False: "failed", None: "not sent"}[delivered]


@task()
def report_many_to_akismet(reports):
    """A bulk decision's feedback (`moderation.decide_many`): one job from the moderator's
    request, held for the undo window, that enqueues `report_to_akismet` for each of
    `reports` ([comment id, kind, actor id, event id]), so the workers tell Akismet about
    each comment in parallel, each job checking that its decision still stands. A report
    that cannot be enqueued is left to the sweep (its `feedback_pending` stays). Returns
    how many were enqueued."""
    if not isinstance(reports, list):
        logger.error("refused a bulk report of %r (not retried)", type(reports).__name__)
        return 0
    taken = 0
    for item in reports:
        if not isinstance(item, list) or len(item) != 4:
            logger.error("refused a report %r in a bulk report (not retried)", item)
            continue
        taken += queue.enqueue(report_to_akismet, *item) is not None
    return taken


# -- periodic work (enqueued by the scheduler, or run by the management commands) ---------


def give_up(comments):
    """Stop retrying these comments (older than `spam.GIVE_UP_AFTER`); they stay pending
    for a person. Returns how many."""
    stale = list(comments.needs_recheck().exclude(held_reason=Reason.GAVE_UP))
    params = {"days": spam.GIVE_UP_AFTER.days}
    for comment in stale:
        CommentEvent.objects.create(
            comment=comment,
            kind=CommentEvent.Kind.CHECK,
            actor_label="Akismet",
            reason=Reason.GAVE_UP,
            reason_params=params,
        )
    Comment.objects.filter(pk__in=[c.pk for c in stale]).update(
        held_reason=Reason.GAVE_UP, held_params=params, next_check_at=None
    )
    return len(stale)


def sweep_now(limit=SWEEP_LIMIT):
    """Find the work no job is carrying and enqueue it: checks of comments left unchecked
    for `unchecked_grace()`, re-checks whose back-off has run out, feedback not delivered.
    Gives up on comments older than `spam.GIVE_UP_AFTER`. Returns the counts."""
    now = timezone.now()
    counts = {"checks": 0, "feedback": 0, "gave_up": 0}
    if not spam.is_configured():
        return counts
    cutoff = now - spam.GIVE_UP_AFTER
    counts["gave_up"] = give_up(Comment.objects.filter(created_at__lt=cutoff))
    due = (
        Comment.objects.needs_recheck(now)
        .filter(created_at__gte=cutoff)
        .exclude(verdict=Comment.Verdict.UNCHECKED, created_at__gt=now - unchecked_grace())
        .order_by("created_at")
        .values_list("pk", "check_attempts")[:limit]
    )
    for pk, attempts in due:
        counts["checks"] += queue.enqueue(check_comment, pk, attempts, "retry") is not None
    # Feedback whose job failed to deliver it, or that no job has tried for a while.
    tried = CommentEvent.objects.filter(
        comment=OuterRef("pk"),
        kind=CommentEvent.Kind.FEEDBACK,
        created_at__gte=OuterRef("status_changed_at"),
    )
    feedback = (
        Comment.objects.exclude(feedback_pending="")
        .filter(Q(status_changed_at__lt=now - FEEDBACK_GRACE) | Exists(tried))
        .values_list("pk", "feedback_pending")[:limit]
    )
    for pk, kind in feedback:
        counts["feedback"] += queue.enqueue(report_to_akismet, pk, kind) is not None
    return counts


def purge_now(*, dry_run=False):
    """Retention (see `purge_comments`): returns the counts."""
    now = timezone.now()
    expired = privacy.expired(now)
    payloads = privacy.stale_payloads(now)
    days = policies.current().personal_data_days
    if dry_run:
        subscribers, confirmations = subscriptions.expired(now)
        return {
            "deleted": expired.count(),
            "payloads": payloads.count(),
            "cleared": privacy.identifying_data_expired(days, now).count(),
            "subscribers": subscribers.count(),
            "confirmations": confirmations.count(),
        }
    counts = {
        "deleted": expired.delete_permanently(),
        "payloads": payloads.update(akismet_payload={}),
        "cleared": privacy.expire(days, now),
    }
    counts["subscribers"], counts["confirmations"] = subscriptions.expire(now)
    return counts


def digest_now(*, force=False):
    """The daily digest, if the policy asks for one: (comments reported, mails sent), or
    None if it does not."""
    policy = policies.current()
    if not force and not (policy.notify_moderators and policy.daily_digest):
        return None
    return notify.send_digest()


@task()
def sweep():
    counts = sweep_now()
    logger.info("sweep: %s", counts)
    return counts


@task()
def purge():
    counts = purge_now()
    logger.info("purge: %s", counts)
    return counts


@task()
def typical_wait():
    """Measure how long comments usually wait for a person (`comments.waiting`) and store
    it with the policy, for the pages to say."""
    from comments import waiting

    seconds = waiting.store(waiting.measure())
    logger.info("typical wait: %s", "not known" if seconds is None else f"{seconds} s")
    return seconds


@task()
def sample_queue():
    """Store the queue's size per section for the moderation report (`comments.stats`)."""
    from comments import stats

    total = stats.sample_queue()
    logger.info("queue sample: %s pending", total)
    return total


@task()
def digest():
    result = digest_now()
    logger.info("digest: %s", "not asked for" if result is None else result)
    return None if result is None else list(result)


@task()
def notifications():
    """Readers' mail that is due: reply digests whose interval is over, and mail a failure
    left waiting."""
    sent = subscriptions.deliver_due()
    logger.info("notifications: %d mails sent", sent)
    return sent


def _actor(actor_id):
    if actor_id is None:
        return None
    if _id(actor_id, "user id") is None:
        return None
    return get_user_model().objects.filter(pk=actor_id).first()


def _email(value):
    if not isinstance(value, str) or "@" not in value or len(value) > 254:
        logger.error("refused a job with a malformed e-mail address: %r (not retried)", value)
        return None
    return value


@task()
def hide_banned_comments(email, actor_id=None):
    """A ban's second step: move the address's published comments to trash, in batches
    (`commenters.hide_published`; nothing if the ban was lifted meanwhile)."""
    from comments import controls

    if _email(email) is None:
        return 0
    moved = controls.hide_published(email, _actor(actor_id))
    logger.info("ban of %s: %d published comments hidden", email, moved)
    return moved


@task()
def restore_banned_comments(email, actor_id=None):
    """A lifted ban: show again what it hid (`commenters.restore_hidden`)."""
    from comments import controls

    if _email(email) is None:
        return 0
    moved = controls.restore_hidden(email, _actor(actor_id))
    logger.info("ban of %s lifted: %d comments shown again", email, moved)
    return moved
