"""Commenters' personal data: export it, erase it, and keep it no longer than needed.

What we hold about a commenter: the name, e-mail address and website they typed, the IP
address and user agent their browser sent (and the page they came from), the copy of
all that sent to Akismet, and the notifications they asked for (`comments.subscriptions`:
the address, its confirmation mails with the IP address that asked, what was mailed), and
the reports they filed on others' comments (`comments.reports`: the address they left, a
keyed hash of their IP address, their words).
The texts stay: an erased comment reads "Anonymous" in its place in the thread, so
replies still make sense (as WordPress's personal data eraser does).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from articles import invalidation
from comments import reports, subscriptions
from comments.models import Comment, CommentEvent
from comments.reasons import Reason

ANONYMOUS = "Anonymous"

# Every personal field, with the value it is left with.
CLEARED = {
    "author_name": ANONYMOUS,
    "author_email": "",
    "author_url": "",
    "user_ip": None,
    "user_agent": "",
    "referrer": "",
    "akismet_payload": {},
    "feedback_pending": "",  # nothing left to send it with
    "user": None,
}


def export(email):
    """Everything stored about the commenter with this address, as JSON-ready data."""
    comments = (
        Comment.objects.by_email(email)
        .select_related("article")
        .prefetch_related("history")
        .order_by("created_at")
    )
    return {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "comments": [
            {
                "id": c.pk,
                "article": c.article.title,
                "article_url": settings.SITE_URL + c.article.get_absolute_url(),
                "in_reply_to": c.parent_id,
                "submitted": c.created_at.isoformat(),
                "status": c.status,
                "name": c.author_name,
                "email": c.author_email,
                "website": c.author_url,
                "comment": c.body,
                "edited_by_author": c.edited_at.isoformat() if c.edited_at else None,
                # What the author's own edits replaced (kept in the history).
                "earlier_texts": [
                    e.details["before"]["body"]
                    for e in c.history.all()
                    if e.kind == CommentEvent.Kind.EDIT
                    and e.actor_label == "author"
                    and "body" in e.details.get("before", {})
                ],
                "ip_address": c.user_ip,
                "user_agent": c.user_agent,
                "referrer": c.referrer,
                "sent_to_akismet": c.akismet_payload,
            }
            for c in comments
        ],
        # The notifications asked for with this address (None: none).
        "notifications": subscriptions.export(email),
        # Reports on comments filed with this address.
        "reports": reports.export(email),
    }


def expired(now=None):
    """What `purge_comments` deletes: spam `Comment.SPAM_KEPT` after it was marked spam
    (blatant spam after `DISCARD_KEPT`), trash after `TRASH_KEPT`, counted from the status
    change."""
    now = now or timezone.now()
    S, V = Comment.Status, Comment.Verdict
    return Comment.objects.filter(
        models.Q(
            status=S.SPAM,
            verdict=V.DISCARD,
            status_changed_at__lt=now - Comment.DISCARD_KEPT,
        )
        | models.Q(status=S.SPAM, status_changed_at__lt=now - Comment.SPAM_KEPT)
        | models.Q(status=S.TRASH, status_changed_at__lt=now - Comment.TRASH_KEPT)
    ).exclude(status=S.TRASH, held_reason=Reason.BANNED)  # hidden by a ban: kept while it stands


def stale_payloads(now=None):
    """Comments whose stored Akismet payload is older than `Comment.PAYLOAD_KEPT` (kept
    while feedback still waits to be delivered, which needs it)."""
    now = now or timezone.now()
    return (
        Comment.objects.filter(created_at__lt=now - Comment.PAYLOAD_KEPT)
        .exclude(akismet_payload={})
        .filter(feedback_pending="")
    )


def identifying_data_expired(days, now=None):
    """Comments moderated (or filed) more than `days` ago that still hold the author's
    IP address, user agent or the payload sent to Akismet: what retention clears."""
    now = now or timezone.now()
    holding = (
        models.Q(user_ip__isnull=False)
        | ~models.Q(user_agent="")
        | ~models.Q(referrer="")
        | ~models.Q(akismet_payload={})
    )
    return Comment.objects.exclude(status=Comment.Status.PENDING).filter(
        holding, status_changed_at__lt=now - timedelta(days=days)
    )


def erase(email, *, actor=None, actor_label="privacy request"):
    """Anonymise every comment written with this address, and forget its notifications
    (subscriptions, confirmations, mails sent); returns how many comments. Each gets a
    history line saying so (with who asked, never the address itself)."""
    with transaction.atomic():
        subscriptions.erase(email)
        reports.erase(email)
        ids = list(Comment.objects.by_email(email).values_list("pk", flat=True))
        _clear(ids, CLEARED | {"updated_at": timezone.now()}, actor, actor_label, Reason.ERASED)
        # update() sends no signal: give the pages showing these names new cache keys.
        shown = Comment.objects.filter(pk__in=ids, status=Comment.Status.APPROVED)
        for article_id in set(shown.values_list("article_id", flat=True)):
            invalidation.comment_visibility_changed(article_id)
    return len(ids)


def expire(days, now=None):
    """Retention: clear the IP address, user agent, referrer and Akismet payload of
    comments moderated more than `days` ago; returns how many."""
    now = now or timezone.now()
    ids = list(identifying_data_expired(days, now).values_list("pk", flat=True))
    fields = {
        name: CLEARED[name]
        for name in ("user_ip", "user_agent", "referrer", "akismet_payload", "feedback_pending")
    }
    with transaction.atomic():
        _clear(ids, fields | {"updated_at": now}, None, "policy", Reason.RETENTION, {"days": days})
        reports.expire(days, now)
    return len(ids)


def _clear(ids, fields, actor, actor_label, reason, params=None):
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Comment.objects.filter(pk__in=chunk).update(**fields)
        CommentEvent.objects.bulk_create(
            CommentEvent(
                comment_id=pk,
                kind=CommentEvent.Kind.EDIT,
                actor=actor,
                actor_label="" if actor else actor_label,
                reason=reason,
                reason_params=params or {},
            )
            for pk in chunk
        )
