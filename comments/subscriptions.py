"""Readers' e-mail notifications: "your comment is published" and "a reply to your comment".

A reader asks by ticking a box on the comment form (`subscribe`). The address is a
`Subscriber`; nothing but a confirmation mail goes to it until its owner confirms by the
signed link in that mail (double opt-in). The confirmation mail is limited to one per
address an hour and `NOTIFY_CONFIRMATIONS_PER_IP` per IP address an hour, so the form
cannot flood anyone's inbox: over a limit the comment is still posted, only the mail is
skipped (and logged).

What a subscription is owed is recorded as `Notification` rows when a comment is approved
(`moderation.change_status` → `comment_approved` → a worker, after the commit): one for the
comment's own publication, one per approved reply (never one's own: same address). A row
waits (`pending`) while the address is unconfirmed, and is sent once it is confirmed: a
comment published meanwhile is mailed about then. Replies go out at most once per
subscription every `NOTIFY_REPLY_INTERVAL_MINUTES`; replies approved within that time wait
and go out together, as one digest, when it is over (`deliver_due`, every 5 minutes from the
scheduler). Every send claims its rows first (`pending` → `sending`, a guarded update), so a
job delivered twice sends nothing the second time.

Every mail carries one-click unsubscribe links (RFC 8058 `List-Unsubscribe` for the thread,
and links for the thread and for all mail to the address), authorised by a signed token.
A mail server refusing the address (`SMTPRecipientsRefused`) marks the subscriber
bouncing: logged, and nothing is sent to it again unless its owner asks and confirms anew.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.params import parse_id
from comments import queue, text
from comments.models import Comment, ConfirmationMail, Notification, Subscriber, Subscription

logger = logging.getLogger(__name__)

CONFIRM_SALT = "comments.subscriptions.confirm"
UNSUBSCRIBE_SALT = "comments.subscriptions.unsubscribe"
# One confirmation mail per address in this time, and the per-IP count's window.
CONFIRMATION_INTERVAL = timedelta(hours=1)
# An address unsubscribed from everything is forgotten this long after.
UNSUBSCRIBED_KEPT = timedelta(days=30)
DUE_LIMIT = 500

N = Notification
PENDING, SENDING, SENT, REFUSED, DROPPED = (
    N.State.PENDING,
    N.State.SENDING,
    N.State.SENT,
    N.State.REFUSED,
    N.State.DROPPED,
)


class BadToken(Exception):
    """A token we did not sign, or naming nothing (any more): 404."""


class ExpiredToken(Exception):
    """A confirmation link older than `NOTIFY_CONFIRM_DAYS`: 410."""


def confirm_age():
    return timedelta(days=settings.NOTIFY_CONFIRM_DAYS)


def reply_interval():
    return timedelta(minutes=settings.NOTIFY_REPLY_INTERVAL_MINUTES)


def normalise(email):
    return (email or "").strip().lower()


# -- tokens and links ----------------------------------------------------------------------


def confirm_token(subscriber):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(subscriber.pk))


def unsubscribe_token(subscriber=None, subscription=None):
    """The token that unsubscribes from one thread (`subscription`) or from everything."""
    value = f"t{subscription.pk}" if subscription is not None else f"a{subscriber.pk}"
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(value)


def absolute(path):
    return settings.SITE_URL + path


def confirm_url(subscriber):
    return absolute(reverse("comments:confirm", args=[confirm_token(subscriber)]))


def unsubscribe_url(subscriber=None, subscription=None):
    token = unsubscribe_token(subscriber, subscription)
    return absolute(reverse("comments:unsubscribe", args=[token]))


def subscriber_for_confirmation(token):
    """The subscriber a confirmation token names; `BadToken` or `ExpiredToken` else."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        value = signer.unsign(token, max_age=confirm_age())
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except signing.BadSignature as exc:
        raise BadToken from exc
    pk = parse_id(value)
    subscriber = Subscriber.objects.filter(pk=pk).first() if pk else None
    if subscriber is None:  # erased since
        raise BadToken
    return subscriber


def unsubscribe_target(token):
    """(subscriber, subscription) an unsubscribe token names — subscription None: all
    mail to the address; `BadToken` for a forged token or one naming nothing any more."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise BadToken from exc
    kind, pk = value[:1], parse_id(value[1:])
    if pk and kind == "t":
        subscription = (
            Subscription.objects.select_related("subscriber", "comment__article__category")
            .filter(pk=pk)
            .first()
        )
        if subscription is not None:
            return subscription.subscriber, subscription
    elif pk and kind == "a":
        subscriber = Subscriber.objects.filter(pk=pk).first()
        if subscriber is not None:
            return subscriber, None
    raise BadToken


# -- asking, confirming, unsubscribing ---------------------------------------------------


def subscribe(comment, *, on_publish=False, on_replies=False, ip=None):
    """The author of `comment` (just saved) asks for mail when it is published and/or about
    replies to it. An address not confirmed yet (or unsubscribed, or bouncing) is sent a
    confirmation mail, within the limits. Returns the subscription, or None."""
    email = normalise(comment.author_email)
    if not (on_publish or on_replies) or not email:
        return None
    subscriber, _created = Subscriber.objects.get_or_create(email=email)
    subscription, created = Subscription.objects.get_or_create(
        subscriber=subscriber,
        comment=comment,
        defaults={"on_publish": on_publish, "on_replies": on_replies},
    )
    if not created:
        Subscription.objects.filter(pk=subscription.pk).update(
            on_publish=on_publish or subscription.on_publish,
            on_replies=on_replies or subscription.on_replies,
            unsubscribed_at=None,
        )
    if not subscriber.deliverable:
        ask_confirmation(subscriber, ip)
    return subscription


def ask_confirmation(subscriber, ip=None, now=None):
    """Have a worker send `subscriber` a confirmation mail, unless the address had one in
    the last hour or this IP address asked for `NOTIFY_CONFIRMATIONS_PER_IP` this hour
    (then nothing is sent, and it is logged). Returns the `ConfirmationMail`, or None."""
    now = now or timezone.now()
    since = now - CONFIRMATION_INTERVAL
    limit = settings.NOTIFY_CONFIRMATIONS_PER_IP
    if ip and ConfirmationMail.objects.filter(user_ip=ip, created_at__gte=since).count() >= limit:
        logger.warning(
            "confirmation mail to subscriber %s skipped: %s asked for %d in the last hour",
            subscriber.pk,
            ip,
            limit,
        )
        return None
    # One an hour per address: compare-and-set on the last one's time.
    due = Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=since)
    if not Subscriber.objects.filter(due, pk=subscriber.pk).update(confirmation_sent_at=now):
        logger.warning(
            "confirmation mail to subscriber %s skipped: it had one in the last hour",
            subscriber.pk,
        )
        return None
    confirmation = ConfirmationMail.objects.create(
        subscriber=subscriber, user_ip=ip, created_at=now
    )
    from comments import tasks

    queue.after_commit(tasks.send_confirmation, confirmation.pk)
    return confirmation


def confirm(subscriber):
    """Confirm the address (the confirmation page's button). Returns "confirmed",
    "already" (nothing to do) or "stale" (unsubscribed or refused after this link was
    asked for: a new request is needed). What waited for it is sent by a worker."""
    stopped = max(filter(None, [subscriber.unsubscribed_at, subscriber.bouncing_at]), default=None)
    if stopped and (
        not subscriber.confirmation_sent_at or subscriber.confirmation_sent_at < stopped
    ):
        return "stale"
    if subscriber.deliverable:
        return "already"
    changed = Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmed_at=timezone.now(), unsubscribed_at=None, bouncing_at=None, bounce_detail=""
    )
    if not changed:
        return "already"
    logger.info("subscriber %s confirmed", subscriber.pk)
    from comments import tasks

    queue.after_commit(tasks.deliver_subscriber, subscriber.pk)
    return "confirmed"


def unsubscribe(subscriber, subscription=None):
    """Stop the mail of one thread (`subscription`), or all mail to the address; what was
    waiting is dropped. Returns False if it was done already (a second click)."""
    now = timezone.now()
    with transaction.atomic():
        if subscription is None:
            changed = Subscriber.objects.filter(
                pk=subscriber.pk, unsubscribed_at__isnull=True
            ).update(unsubscribed_at=now)
            subscriber.subscriptions.filter(unsubscribed_at__isnull=True).update(
                unsubscribed_at=now
            )
            waiting = Notification.objects.filter(subscription__subscriber=subscriber)
        else:
            changed = Subscription.objects.filter(
                pk=subscription.pk, unsubscribed_at__isnull=True
            ).update(unsubscribed_at=now)
            waiting = subscription.notifications.all()
        waiting.filter(state=PENDING).update(state=DROPPED)
    if changed:
        what = f"thread {subscription.pk}" if subscription else "everything"
        logger.info("subscriber %s unsubscribed from %s", subscriber.pk, what)
    return bool(changed)


# -- what a subscription is owed -----------------------------------------------------------


def _active():
    return Q(unsubscribed_at__isnull=True, subscriber__unsubscribed_at__isnull=True)


def _wanting(comment):
    """Subscriptions `comment`'s approval concerns: its own "published" ones and the
    "replies" ones of the comment it answers, leaving out the reply's own address."""
    wanted = Q(comment_id=comment.pk, on_publish=True)
    if comment.parent_id:
        own = normalise(comment.author_email)
        wanted |= Q(comment_id=comment.parent_id, on_replies=True) & ~Q(
            comment_id=comment.parent_id, subscriber__email=own
        )
    return Subscription.objects.filter(_active()).filter(wanted)


def comment_approved(comment, event_id=None, run_after=None):
    """`comment` has just been approved (`moderation.change_status`, status event
    `event_id`): if anyone asked to be told, a worker records and sends it once the
    approval is committed, and not before `run_after` (a person's undo window)."""
    if _wanting(comment).exists():
        from comments import tasks

        queue.after_commit(
            tasks.notify_approved, comment.pk, event_id, run_after=run_after, or_now=True
        )


def many_approved(approved, run_after=None):
    """`comment_approved` for many comments just approved by one decision, [(comment, status
    event id)]: which of them concern anyone is read in one query (what `_wanting` asks of
    each), and their jobs are enqueued together after the commit."""
    if not approved:
        return
    pks = [comment.pk for comment, _event in approved]
    parents = {comment.parent_id for comment, _event in approved if comment.parent_id}
    rows = (
        Subscription.objects.filter(_active())
        .filter(
            Q(comment_id__in=pks, on_publish=True)
            | Q(comment_id__in=list(parents), on_replies=True)
        )
        .values_list("comment_id", "on_publish", "on_replies", "subscriber__email")
    )
    published, replies = set(), {}
    for comment_id, on_publish, on_replies, email in rows:
        if on_publish:
            published.add(comment_id)
        if on_replies:
            replies.setdefault(comment_id, set()).add(email)
    jobs = [
        (comment.pk, event_id)
        for comment, event_id in approved
        if comment.pk in published
        or replies.get(comment.parent_id, set()) - {normalise(comment.author_email)}
    ]
    if jobs:
        from comments import tasks

        queue.after_commit_many(tasks.notify_approved, jobs, run_after=run_after, or_now=True)


def record_approved(pk):
    """Record what approved comment `pk` owes its subscriptions and send what is due now.
    Returns the mails sent. Idempotent: a second call records and sends nothing new."""
    comment = Comment.objects.filter(pk=pk, status=Comment.Status.APPROVED).first()
    if comment is None:
        logger.info("comment %s is not approved (any more): no notification", pk)
        return 0
    subscriptions = list(_wanting(comment).select_related("subscriber"))
    for subscription in subscriptions:
        kind = N.Kind.PUBLISHED if subscription.comment_id == comment.pk else N.Kind.REPLY
        try:
            with transaction.atomic():
                Notification.objects.create(subscription=subscription, comment=comment, kind=kind)
        except IntegrityError:
            queue.count_duplicate(
                "notification", pk, f"{kind} for subscription {subscription.pk} is recorded"
            )
    return sum(deliver(subscription.pk) for subscription in subscriptions)


def deliver_subscriber(pk):
    """Send what waited for subscriber `pk`'s confirmation. Returns the mails sent."""
    ids = Subscription.objects.filter(subscriber_id=pk, unsubscribed_at__isnull=True)
    return sum(deliver(sid) for sid in ids.values_list("pk", flat=True))


def deliver_due(limit=DUE_LIMIT):
    """The periodic job: send what confirmed subscriptions are owed and may be sent now —
    the reply digests whose interval is over, and mail a failure left pending. Returns
    the mails sent."""
    cutoff = timezone.now() - reply_interval()
    due = (
        Subscription.objects.filter(
            _active(),
            subscriber__confirmed_at__isnull=False,
            subscriber__bouncing_at__isnull=True,
        )
        .filter(
            Q(notifications__state=PENDING)
            & (
                Q(notifications__kind=N.Kind.PUBLISHED)
                | Q(last_reply_mail_at__isnull=True)
                | Q(last_reply_mail_at__lte=cutoff)
            )
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")[:limit]
    )
    return sum(deliver(pk) for pk in list(due))


def deliver(pk):
    """Send subscription `pk` what it is owed now: its comment's publication, and the
    replies waiting (one mail, or a digest of several) unless it had a mail about replies
    within `reply_interval()` (then they wait for `deliver_due`). Nothing for an
    unconfirmed, unsubscribed or bouncing address. Returns the mails sent."""
    subscription = (
        Subscription.objects.select_related("subscriber", "comment__article__category")
        .filter(pk=pk)
        .first()
    )
    if subscription is None or subscription.unsubscribed_at:
        return 0
    if not subscription.subscriber.deliverable:
        return 0
    return _deliver_published(subscription) + _deliver_replies(subscription)


def _claim(notifications):
    """Claim the pending ones of `notifications` (pending → sending); returns those this
    caller holds, with their comments."""
    now = timezone.now()
    ids = list(notifications.filter(state=PENDING).values_list("pk", flat=True))
    if not ids:
        return []
    Notification.objects.filter(pk__in=ids, state=PENDING).update(state=SENDING, sent_at=now)
    return list(
        Notification.objects.filter(pk__in=ids, state=SENDING, sent_at=now)
        .select_related("comment")
        .order_by("comment__created_at", "pk")
    )


def _still_approved(subscription, claimed):
    """The claimed notifications whose comment is still approved; the others are dropped
    (a comment unapproved before its mail went is not mailed about)."""
    live = [n for n in claimed if n.comment.status == Comment.Status.APPROVED]
    gone = [n.pk for n in claimed if n not in live]
    if gone:
        Notification.objects.filter(pk__in=gone).update(state=DROPPED)
    return live


def _deliver_published(subscription):
    claimed = _claim(subscription.notifications.filter(kind=N.Kind.PUBLISHED))
    if not _still_approved(subscription, claimed):
        return 0
    from comments import authoring

    comment = subscription.comment
    subject = f'Your comment on "{comment.article.title}" is published'
    context = {
        "comment": comment,
        "comment_url": absolute(comment.get_absolute_url()),
        # The author's private status page (the same link as under "awaiting moderation").
        "status_url": absolute(authoring.status_url(comment.pk, comment.preview_secret)),
        "link_days": authoring.LINK_DAYS,
    }
    return _finish(subscription, claimed, subject, "comments/mail/published.txt", context)


def _deliver_replies(subscription):
    waiting = subscription.notifications.filter(kind=N.Kind.REPLY, state=PENDING)
    if not waiting.exists():
        return 0
    now = timezone.now()
    # One mail about replies per interval: compare-and-set on the last one's time.
    due = Q(last_reply_mail_at__isnull=True) | Q(last_reply_mail_at__lte=now - reply_interval())
    if not Subscription.objects.filter(due, pk=subscription.pk).update(last_reply_mail_at=now):
        return 0  # deliver_due sends them, together, when the interval is over
    claimed = _still_approved(subscription, _claim(waiting))
    if not claimed:
        return 0
    comment = subscription.comment
    replies = [n.comment for n in claimed]
    title = comment.article.title
    if len(replies) == 1:
        subject = f'{text.one_line(replies[0].author_name)} replied to your comment on "{title}"'
    else:
        subject = f'{len(replies)} new replies to your comment on "{title}"'
    context = {
        "comment": comment,
        "comment_url": absolute(comment.get_absolute_url()),
        "replies": [(reply, absolute(reply.get_absolute_url())) for reply in replies],
    }
    return _finish(subscription, claimed, subject, "comments/mail/replies.txt", context)


def _finish(subscription, claimed, subject, template, context):
    """Send the mail for the `claimed` notifications and record how it went: sent,
    refused (the subscriber is marked bouncing), or back to pending after another failure
    (logged; `deliver_due` tries again)."""
    subscriber = subscription.subscriber
    thread_url = unsubscribe_url(subscription=subscription)
    context |= {
        "site_name": settings.SITE_NAME,
        "thread_unsubscribe_url": thread_url,
        "all_unsubscribe_url": unsubscribe_url(subscriber=subscriber),
    }
    message = EmailMessage(
        _subject(subject),
        render_to_string(template, context),
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{thread_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    ids = [n.pk for n in claimed]
    try:
        delivered = _send(message, subscriber)
    except Exception:
        logger.exception("could not mail subscriber %s (%s)", subscriber.pk, subject)
        Notification.objects.filter(pk__in=ids, state=SENDING).update(state=PENDING, sent_at=None)
        return 0
    Notification.objects.filter(pk__in=ids).update(state=SENT if delivered else REFUSED)
    return int(delivered)


def _subject(subject):
    value = text.one_line(f"[{settings.SITE_NAME}] {subject}")
    return value if len(value) <= 180 else value[:179] + "…"


def _send(message, subscriber):
    """Send `message`; True if sent, False if the mail server refused the address (the
    subscriber is then marked bouncing: nothing more goes to it). Other failures raise."""
    try:
        with get_connection() as connection:
            connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        said = "; ".join(
            f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for code, reply in exc.recipients.values()
        )
        Subscriber.objects.filter(pk=subscriber.pk).update(
            bouncing_at=timezone.now(), bounce_detail=text.one_line(said)[:255]
        )
        logger.warning(
            "the mail server refused subscriber %s (%s): marked bouncing, nothing more is "
            "sent to it",
            subscriber.pk,
            said,
        )
        return False
    return True


def send_confirmation(pk):
    """Send confirmation mail `pk` (once: claimed by its `sent_at`). Returns mails sent."""
    now = timezone.now()
    if not ConfirmationMail.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=now):
        if ConfirmationMail.objects.filter(pk=pk).exists():
            queue.count_duplicate("confirmation", pk, "it was sent already")
        return 0
    confirmation = ConfirmationMail.objects.select_related("subscriber").get(pk=pk)
    subscriber = confirmation.subscriber
    if subscriber.deliverable:
        return 0  # confirmed meanwhile
    context = {
        "site_name": settings.SITE_NAME,
        "confirm_url": confirm_url(subscriber),
        "days": settings.NOTIFY_CONFIRM_DAYS,
        "comments": Comment.objects.filter(subscriptions__subscriber=subscriber)
        .select_related("article")
        .order_by("-created_at")[:5],
    }
    message = EmailMessage(
        _subject("Please confirm your e-mail address"),
        render_to_string("comments/mail/confirm.txt", context),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        return int(_send(message, subscriber))
    except Exception:
        logger.exception("could not send confirmation mail %s", pk)
        # Not sent: the address may ask again at once.
        ConfirmationMail.objects.filter(pk=pk).update(sent_at=None)
        Subscriber.objects.filter(
            pk=subscriber.pk, confirmation_sent_at=confirmation.created_at
        ).update(confirmation_sent_at=None)
        return 0


# -- personal data -----------------------------------------------------------------------


def export(email):
    """What we hold about this address's notifications, JSON-ready (privacy.export)."""
    subscriber = Subscriber.objects.filter(email=normalise(email)).first()
    if subscriber is None:
        return None
    iso = lambda moment: moment.isoformat() if moment else None  # noqa: E731
    return {
        "email": subscriber.email,
        "asked": iso(subscriber.created_at),
        "confirmed": iso(subscriber.confirmed_at),
        "unsubscribed_from_all": iso(subscriber.unsubscribed_at),
        "refused_by_mail_server": iso(subscriber.bouncing_at),
        "mail_server_said": subscriber.bounce_detail,
        "confirmation_mails": [
            {"asked": iso(c.created_at), "sent": iso(c.sent_at), "ip_address": c.user_ip}
            for c in subscriber.confirmations.order_by("created_at")
        ],
        "subscriptions": [
            {
                "comment": s.comment_id,
                "when_published": s.on_publish,
                "replies": s.on_replies,
                "asked": iso(s.created_at),
                "unsubscribed": iso(s.unsubscribed_at),
                "mails": [
                    {
                        "about": n.kind,
                        "comment": n.comment_id,
                        "state": n.state,
                        "sent": iso(n.sent_at),
                    }
                    for n in s.notifications.order_by("created_at", "pk")
                ],
            }
            for s in subscriber.subscriptions.order_by("created_at", "pk")
        ],
    }


def erase(email):
    """Forget this address's subscriptions, confirmations and mails; returns whether there
    was anything."""
    deleted, _rows = Subscriber.objects.filter(email=normalise(email)).delete()
    return bool(deleted)


def expired(now=None):
    """What retention deletes: addresses never confirmed within `NOTIFY_CONFIRM_DAYS` of
    their last confirmation mail, addresses unsubscribed from everything `UNSUBSCRIBED_KEPT`
    ago, and the record of confirmation mails (with their IP addresses) older than
    `NOTIFY_CONFIRM_DAYS`."""
    now = now or timezone.now()
    cutoff = now - confirm_age()
    subscribers = Subscriber.objects.annotate(last_asked=Max("confirmations__created_at")).filter(
        Q(confirmed_at__isnull=True, created_at__lt=cutoff)
        & (Q(last_asked__isnull=True) | Q(last_asked__lt=cutoff))
        | Q(unsubscribed_at__lt=now - UNSUBSCRIBED_KEPT)
    )
    return subscribers, ConfirmationMail.objects.filter(created_at__lt=cutoff)


def expire(now=None):
    """Retention (`purge_comments`): returns (addresses, confirmation records) deleted."""
    subscribers, confirmations = expired(now)
    ids = list(subscribers.values_list("pk", flat=True))
    gone = Subscriber.objects.filter(pk__in=ids).delete()[1].get("comments.Subscriber", 0)
    return gone, confirmations.delete()[1].get("comments.ConfirmationMail", 0)
