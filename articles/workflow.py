"""The review workflow: who may move an article from one status to the next, and how.

    draft ──Submit for review──▶ in review ──Publish / Schedule──▶ published (or scheduled)
      ▲                              │
      └────────Request changes───────┘  (with a note the writer sees)

Writers (`change_article`) write and submit; editors (`publish_article`) request changes,
publish and schedule. Every step is checked here, on the server (a forged POST gets
PermissionDenied, a 403, and changes nothing), saved as a revision with its reason (the
article's history says who did what), and notifies the people concerned through the queue
(`articles.tasks.notify`, after the commit). A writer's edit of a published article does
not reach the site: it becomes a revision in review (`articles.revisions.propose`) that an
editor publishes now or at a time.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import revisions, tasks
from articles.models import Article

CHANGE = "articles.change_article"
PUBLISH = "articles.publish_article"

Status = Article.Status


def can_publish(user):
    return user.has_perm(PUBLISH)


def _require(user, perm):
    if not (user.is_active and user.has_perm(perm)):
        raise PermissionDenied


def _save(article, user, reason, event, note=""):
    before = getattr(article, "_reason_before", "")
    article._history_user = user
    article._change_reason = f"{before}; {reason}" if before else reason
    article.save()
    tasks.after_commit(tasks.notify, article.pk, event, user.pk, note)


@transaction.atomic
def submit(article, user):
    """A draft goes to the editors for review."""
    _require(user, CHANGE)
    if article.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for review."))
    article.status = Status.IN_REVIEW
    _save(article, user, _("Submitted for review"), "submitted")


@transaction.atomic
def request_changes(article, user, note):
    """An article in review goes back to its writer, with `note` saying what to change."""
    _require(user, PUBLISH)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say what should change: the writer sees this note."))
    if article.status != Status.IN_REVIEW:
        raise ValidationError(_("Only an article in review can be sent back."))
    article.status = Status.DRAFT
    article.review_note = note
    _save(article, user, _("Changes requested: %s") % note, "changes_requested", note)


@transaction.atomic
def publish(article, user):
    """Publish now, or schedule if the publish time is in the future. A publish time in
    the past (a draft started days ago) becomes now: "Publish" means now."""
    _require(user, PUBLISH)
    if article.is_published:
        raise ValidationError(_("This article is published already."))
    now = timezone.now()
    published_at = max(article.published_at, now)
    if article.unpublish_at and article.unpublish_at <= published_at:
        # Refused before anything changes: the form's save goes on without the step.
        raise ValidationError(_("The unpublish time must be after the publish time."))
    article.published_at = published_at
    article.status = Status.PUBLISHED
    article.review_note = ""
    if article.published_at > now:
        when = timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M")
        _save(article, user, _("Scheduled for %s") % when, "scheduled")
    else:
        _save(article, user, _("Published"), "published")


@transaction.atomic
def unpublish(article, user):
    """A published (or scheduled) article goes back to draft: off the site at once."""
    _require(user, PUBLISH)
    if article.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published or scheduled article can be unpublished."))
    article.status = Status.DRAFT
    _save(article, user, _("Unpublished (back to draft)"), "unpublished")


def take_step(step, article, user, note="", before=""):
    """Take the form's workflow `step` ("submit", "request_changes", "publish") on
    `article` as the form left it: the step's save is the form's save, one revision with the
    step's reason (after `before`, what the form's save was: "Restored revision #12").
    Returns what to tell the person; a step refused raises ValidationError having changed
    nothing."""
    article._reason_before = before
    try:
        if step == "submit":
            submit(article, user)
            return _("Submitted for review: the editors have been told.")
        if step == "request_changes":
            request_changes(article, user, note)
            return _("Sent back to the writer with your note.")
        publish(article, user)
        return _("Scheduled.") if article.is_scheduled else _("Published.")
    finally:
        del article._reason_before


def propose(article, user):
    """A writer's edit of a published article: kept as a revision in review, not saved."""
    _require(user, CHANGE)
    record = revisions.propose(article, user)
    tasks.after_commit(tasks.notify, article.pk, "revision_submitted", user.pk, "")
    return record


def publish_revision(record, user, at=None):
    """An editor puts revision `record` live now, or at `at` (the scheduler applies it)."""
    _require(user, PUBLISH)
    if record.revision_state not in (revisions.State.IN_REVIEW, revisions.State.SCHEDULED):
        raise ValidationError(_("This revision is not waiting to go live."))
    if at is not None and at > timezone.now():
        revisions.schedule(record, at)
        tasks.after_commit(tasks.notify, record.id, "revision_scheduled", user.pk, "")
        return None
    article = revisions.apply(record, user)
    if article is not None:
        tasks.after_commit(tasks.notify, record.id, "revision_published", user.pk, "")
    return article
