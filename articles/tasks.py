"""The articles' background work, as tasks of Django's Tasks API (the `django-tasks`
backport), run by `manage.py run_worker`.

- `notify`: mail about a step of the review workflow (`articles.workflow`) to the people
  concerned: a submission to the editors, a decision to the article's authors and to the
  writer who submitted it. Never the person who took the step.
- `apply_scheduled_revisions`: every minute (`PERIODIC`, which the scheduler of
  `manage.py run_scheduler` reads), the scheduled revisions whose time has come go live.

Enqueueing never breaks the caller: a queue that cannot be reached is logged (the
workflow step itself is saved and recorded; only its mail is lost, and scheduled
revisions are found again by the next minute's run).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django_tasks import task

logger = logging.getLogger(__name__)

SUBJECTS = {
    "submitted": "Submitted for review",
    "changes_requested": "Changes requested",
    "published": "Published",
    "scheduled": "Scheduled",
    "unpublished": "Taken off the site",
    "revision_submitted": "A change waits for review",
    "revision_scheduled": "Your change is scheduled",
    "revision_published": "Your change is live",
}
# Events the editors hear of; the others go to the authors and the submitter.
FOR_EDITORS = {"submitted", "revision_submitted"}


def after_commit(task_, *args):
    """Enqueue `task_(*args)` once the current transaction commits; a queue that is down
    is logged, never raised."""

    def enqueue():
        try:
            task_.enqueue(*args)
        except Exception as exc:
            logger.warning(
                "could not enqueue %s%r: %s: %s", task_.name, args, type(exc).__name__, exc
            )

    transaction.on_commit(enqueue, robust=True)


def editors():
    """Active staff who may publish (explicitly: a superuser is not mailed for being one)."""
    perm = Permission.objects.filter(
        content_type__app_label="articles", codename="publish_article"
    ).first()
    if perm is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__permissions=perm) | Q(user_permissions=perm))
    )


def writers_of(article):
    """The article's authors and whoever last submitted it or one of its revisions."""
    people = {user.pk: user for user in article.authors.filter(is_active=True)}
    submitted = (
        article.history.filter(
            history_user__isnull=False, history_change_reason__startswith="Submitted"
        )
        .select_related("history_user")
        .order_by("-history_id")
        .first()
    )
    if submitted is not None and submitted.history_user.is_active:
        people[submitted.history_user_id] = submitted.history_user
    return list(people.values())


def recipients(article, event, actor_id):
    people = editors() if event in FOR_EDITORS else writers_of(article)
    return sorted({u.email for u in people if u.email and u.pk != actor_id})


def _id(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@task()
def notify(article_id, event, actor_id, note=""):
    """Mail the people concerned by `event` on article `article_id`; returns how many mails
    went. A malformed payload or a deleted article ends quietly (logged)."""
    from articles.models import Article
    from articles.people import display_name

    if _id(article_id) is None or event not in SUBJECTS or not isinstance(note, str):
        logger.error("refused a workflow mail job: %r %r", article_id, event)
        return 0
    article = Article.objects.filter(pk=article_id).select_related("category").first()
    if article is None:
        logger.info("article %s is gone; no mail about %s", article_id, event)
        return 0
    to = recipients(article, event, actor_id)
    if not to:
        return 0
    actor = get_user_model().objects.filter(pk=_id(actor_id) or 0).first()
    link = settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk])
    lines = [
        f"{SUBJECTS[event]}: {article.title}",
        f"By {display_name(actor)}." if actor else "",
        f"\nWhat to change:\n{note}\n" if note else "",
        f"Open it: {link}",
    ]
    body = "\n".join(line for line in lines if line) + "\n"
    subject = f"[{settings.SITE_NAME}] {SUBJECTS[event]}: {article.title}"[:180]
    messages = [EmailMessage(subject.replace("\n", " "), body, to=[address]) for address in to]
    try:
        with get_connection() as connection:
            return connection.send_messages(messages)
    except Exception:
        logger.exception("could not send the %s mail about article %s", event, article_id)
        return 0


@task()
def apply_scheduled_revisions():
    """Put live every scheduled revision whose time has come (a normal save each)."""
    from articles import revisions

    applied = revisions.apply_due()
    if applied:
        logger.info("scheduled revisions applied: %s", applied)
    return len(applied)


# Periodic jobs for the scheduler (`manage.py run_scheduler`): (name, task, every).
PERIODIC = [("revisions", apply_scheduled_revisions, timedelta(minutes=1))]
