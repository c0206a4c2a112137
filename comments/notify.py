"""Mail to moderators about held comments: one mail each, after commit, or a daily digest.

Moderators are the active staff with the `comments.moderate_comment` permission (the
Moderators group) and an email address. Nobody is mailed about spam, nor about a comment
Akismet has not judged yet (a re-check will settle it, and file it again, mailing then).
Mail never breaks posting: a failure is logged and the comment stays in the queue.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from comments import policy as policies
from comments import reasons, text
from comments.actions import in_mail
from comments.models import Comment
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
    """`comment` has just been held: mail the moderators once it is committed, unless the
    policy says not to (or says digest), or it still waits for a re-check."""
    policy = policy or policies.current()
    if not policy.notify_moderators or policy.daily_digest:
        return
    if not notifiable().filter(pk=comment.pk).exists():
        return
    transaction.on_commit(lambda: send_held_mail(comment.pk))


def one_line(value, limit=180):
    """A header value: no line breaks or control characters (names are reader input)."""
    value = text.one_line(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def action_url(comment, action):
    """A link into the admin that asks a signed-in moderator to confirm (by POST)."""
    path = reverse("admin:comments_comment_moderate", args=[comment.pk, action])
    return settings.SITE_URL + path


def _context(comment, waiting):
    return {
        "comment": comment,
        # A comment held with no reason given (one a moderator unapproved) reads as manual
        # approval.
        "held_because": comment.held_because or reasons.sentence(Reason.MANUAL_APPROVAL),
        "site_name": settings.SITE_NAME,
        "article_url": settings.SITE_URL + comment.article.get_absolute_url(),
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
    Never raises: a mail failure is logged, and the comment waits in the queue as usual."""
    try:
        comment = notifiable().select_related("article__category", "parent").filter(pk=pk).first()
        recipients = moderator_emails()
        if comment is None or not recipients:
            return 0
        context = _context(comment, Comment.objects.awaiting_moderation().count())
        subject = f'[{settings.SITE_NAME}] Please moderate: "{comment.article.title}"'
        sent = _send(subject, render_to_string("comments/mail/held.txt", context), recipients)
        Comment.objects.filter(pk=pk).update(notified_at=timezone.now())
        return sent
    except Exception:
        logger.exception("could not mail the moderators about comment %s", pk)
        return 0


def send_digest():
    """One mail listing the held comments not yet reported (the policy's daily digest).
    Returns (comments reported, mails sent)."""
    due = list(
        notifiable().select_related("article__category").order_by("created_at")[:DIGEST_LIMIT]
    )
    recipients = moderator_emails()
    if not due or not recipients:
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
    sent = _send(subject, body, recipients)
    Comment.objects.filter(pk__in=[c.pk for c in due]).update(notified_at=timezone.now())
    return len(due), sent
