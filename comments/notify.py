"""Mail to moderators about held comments: one mail each, sent by a worker, or a daily digest.

Moderators are the active staff with the `comments.moderate_comment` permission (the
Moderators group) and an email address. Nobody is mailed about spam, nor about a comment
Akismet has not judged yet (a re-check will settle it, and file it again, mailing then).
Mail never breaks posting: a failure is logged and the comment stays in the queue.
Each comment is mailed about once: `notified_at` is claimed by a guarded update before the
mail goes, so a job delivered twice sends nothing the second time.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from comments import policy as policies
from comments import queue, reasons, surges, text
from comments.actions import in_mail
from comments.models import Comment, SurgeEvent
from comments.reasons import Reason

logger = logging.getLogger(__name__)

DIGEST_LIMIT = 100  # comments listed in one digest; the rest are counted


def moderator_emails():
    """Addresses of the people who moderate (explicitly: a superuser is not mailed just
    for being one)."""
    perm = Permission.objects.filter(
        content_type__app_label="comments", codename="moderate_comment"
    ).first()
    if perm is None:
        return []
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__permissions=perm) | Q(user_permissions=perm))
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(users))


def notifiable():
    """Held comments moderators have not been told about, leaving out those still waiting
    for Akismet."""
    return (
        Comment.objects.awaiting_moderation()
        .filter(notified_at__isnull=True)
        .not_waiting_for_akismet()
    )


def comment_held(comment, policy=None):
    """`comment` has just been held: have a worker mail the moderators once it is
    committed, unless the policy says not to (or says digest), or it still waits for a
    re-check."""
    policy = policy or policies.current()
    if not policy.notify_moderators or policy.daily_digest:
        return
    if not notifiable().filter(pk=comment.pk).exists():
        return
    from comments import tasks

    queue.after_commit(tasks.mail_held_comment, comment.pk)


def one_line(value, limit=180):
    """A header value: no line breaks or control characters (names are reader input)."""
    value = text.one_line(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def action_url(comment, action):
    """A link into the admin that asks a signed-in moderator to confirm (by POST)."""
    path = reverse("admin:comments_comment_moderate", args=[comment.pk, action])
    return settings.SITE_URL + path


def _parent_url(comment):
    """The public link of the comment `comment` replies to (on its page of a long thread:
    `comments.paging`), or None."""
    if not comment.parent_id:
        return None
    parent = comment.parent
    parent.article = comment.article  # the same article, loaded already
    return settings.SITE_URL + parent.get_absolute_url()


def _context(comment, waiting):
    return {
        "comment": comment,
        # A comment held with no reason given (one a moderator unapproved) reads as manual
        # approval.
        "held_because": comment.held_because or reasons.sentence(Reason.MANUAL_APPROVAL),
        "site_name": settings.SITE_NAME,
        "article_url": settings.SITE_URL + comment.article.get_absolute_url(),
        "parent_url": _parent_url(comment),
        "links": [(action.mail_verb, action_url(comment, action.name)) for action in in_mail()],
        "change_url": settings.SITE_URL
        + reverse("admin:comments_comment_change", args=[comment.pk]),
        "queue_url": settings.SITE_URL + reverse("admin:comments_comment_changelist"),
        "waiting": waiting,
    }


def _send(subject, body, recipients):
    """One message per moderator (no one sees the others' addresses), one connection."""
    messages = [EmailMessage(one_line(subject), body, to=[address]) for address in recipients]
    with get_connection() as connection:
        return connection.send_messages(messages)


def send_held_mail(pk):
    """Mail the moderators about held comment `pk`; returns how many mails were sent.
    Never raises: a mail failure is logged, and the comment waits in the queue as usual
    (and in the next digest, if there is one). Claims `notified_at` first: a second call
    for the same comment sends nothing."""
    claimed = None
    try:
        comment = notifiable().select_related("article__category", "parent").filter(pk=pk).first()
        if comment is None:
            if Comment.objects.filter(pk=pk, notified_at__isnull=False).exists():
                queue.count_duplicate("held mail", pk, "the moderators were mailed already")
            return 0
        recipients = moderator_emails()
        if not recipients:
            return 0
        claimed = timezone.now()
        if not Comment.objects.filter(pk=pk, notified_at__isnull=True).update(notified_at=claimed):
            queue.count_duplicate("held mail", pk, "another worker is mailing")
            claimed = None
            return 0
        context = _context(comment, Comment.objects.awaiting_moderation().count())
        subject = f'[{settings.SITE_NAME}] Please moderate: "{comment.article.title}"'
        return _send(subject, render_to_string("comments/mail/held.txt", context), recipients)
    except Exception:
        logger.exception("could not mail the moderators about comment %s", pk)
        if claimed is not None:  # not sent after all: let the digest report it
            Comment.objects.filter(pk=pk, notified_at=claimed).update(notified_at=None)
        return 0


def send_digest():
    """One mail listing the held comments not yet reported (the policy's daily digest).
    Returns (comments reported, mails sent)."""
    recipients = moderator_emails()
    if not recipients:
        return 0, 0
    ids = list(notifiable().order_by("created_at").values_list("pk", flat=True)[:DIGEST_LIMIT])
    # Claim them (a digest job delivered twice, or two schedulers, report each comment once).
    claimed = timezone.now()
    Comment.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=claimed)
    due = list(
        Comment.objects.filter(pk__in=ids, notified_at=claimed)
        .select_related("article__category")
        .order_by("created_at")
    )
    if not due:
        return 0, 0
    waiting = Comment.objects.awaiting_moderation().count()
    body = render_to_string(
        "comments/mail/digest.txt",
        {
            "site_name": settings.SITE_NAME,
            "items": [_context(c, waiting) for c in due],
            "waiting": waiting,
            "queue_url": settings.SITE_URL + reverse("admin:comments_comment_changelist"),
        },
    )
    subject = f"[{settings.SITE_NAME}] {len(due)} new comments held, {waiting} waiting"
    try:
        sent = _send(subject, body, recipients)
    except Exception:
        Comment.objects.filter(pk__in=ids, notified_at=claimed).update(notified_at=None)
        raise
    return len(due), sent


def send_surge_alert(event_pk):
    """Mail the moderators that an article switched to surge (automatically); returns how
    many mails were sent. One per switch: the event's `alerted_at` is claimed first, so a
    job delivered twice sends nothing the second time. Never raises."""
    claimed = None
    try:
        event = SurgeEvent.objects.select_related("article__category").filter(pk=event_pk).first()
        if event is None or not event.on:
            return 0
        recipients = moderator_emails()
        if not recipients:
            return 0
        claimed = timezone.now()
        if not SurgeEvent.objects.filter(pk=event_pk, alerted_at__isnull=True).update(
            alerted_at=claimed
        ):
            queue.count_duplicate("surge mail", event_pk, "the moderators were mailed already")
            claimed = None
            return 0
        article = event.article
        context = {
            "event": event,
            "article": article,
            "site_name": settings.SITE_NAME,
            "article_url": settings.SITE_URL + article.get_absolute_url(),
            "queue_url": settings.SITE_URL
            + reverse("admin:comments_comment_changelist")
            + f"?article={article.pk}",
            "interval": surges.in_words(policies.current().surge_interval),
            "surge_url": settings.SITE_URL
            + reverse("admin:comments_surge_change", args=[article.pk]),
        }
        subject = f'[{settings.SITE_NAME}] Surge: "{article.title}" is busy'
        return _send(subject, render_to_string("comments/mail/surge.txt", context), recipients)
    except Exception:
        logger.exception("could not mail the moderators about surge event %s", event_pk)
        if claimed is not None:
            SurgeEvent.objects.filter(pk=event_pk, alerted_at=claimed).update(alerted_at=None)
        return 0
