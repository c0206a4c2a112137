"""Readers' reports about published comments (notice and action), and the moderator's
decision on them (the statement of reasons).

- Filing (`file_report`): only a published comment can be reported. A reader is known by
  a keyed hash of their IP address (`reporter_key`: HMAC with the site's secret, never the
  address itself), so the same reader cannot report the same comment twice (a unique
  constraint); a flood from one address, or at one comment, is refused (`Flooded`, 429),
  counted per minute in the default cache as the re-check budget is. Moderators are mailed
  at once by a worker. `Report.reporter` is never shown to the comment's author.
- Holding: `policy.reports_to_hold` (at least 2) open reports from different readers send
  the comment back to the queue (`change_status`, reason `reported`); one report alone
  never takes a comment off the page.
- Deciding (`decide`): keep or remove, a reason from `KEEP_REASONS` or `MODERATOR_REASONS`
  and a note. Removal is a `change_status` to the trash with that reason (the author's
  status page says it, `comments.authoring.outcome`); keeping puts a held comment back.
  Either way a history entry (kind `report`) records it, every open report on the comment
  is closed with it, and each reporter who left an address is mailed by a worker.
- Totals (`ReportMonth`): counted when a report is filed and decided, for `/transparency/`.
"""

import hashlib
import hmac
import logging
import statistics
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from articles import invalidation
from comments import policy as policies
from comments import queue, stats
from comments.models import Comment, CommentEvent, Report, ReportMonth
from comments.moderation import TransitionError, change_status, held_until
from comments.reasons import KEEP_REASONS, MODERATOR_REASONS, Reason, sentence

logger = logging.getLogger(__name__)

S = Comment.Status
G = Report.Ground
D = Report.Decision

# Rate limits, per minute: reports from one address, and reports on one comment.
PER_READER_PER_MINUTE = 5
PER_COMMENT_PER_MINUTE = 20


class Refused(Exception):
    """The report is not filed; the message says why, `http_status` what to answer."""

    def __init__(self, message, status):
        super().__init__(message)
        self.http_status = status


ALREADY = "You have already reported this comment; moderators will look at it."
FLOOD = (
    "Too many reports in a short time. Wait a minute and send it again: your text is kept below."
)


def reporter_key(ip):
    """A reader's key: a keyed hash of the IP address, the same for every report they file
    (so one reader is one report per comment), and useless without the site's secret."""
    value = (ip or "unknown").encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"report:" + value, hashlib.sha256).hexdigest()


def _over(key, limit, now):
    """Count one more in this minute under `key`; True when over `limit`. A cache that is
    down lets the report through (a flood is the exception, a lost notice is not)."""
    key = f"comments:reports:{key}:{now:%Y%m%d%H%M}"
    try:
        cache.add(key, 0, timeout=120)
        return cache.incr(key) > limit
    except Exception:  # noqa: BLE001 - any cache failure
        logger.warning("cache unavailable; report rate limit not applied this time")
        return False


def reportable():
    """The comments a reader may report: the published ones."""
    return Comment.objects.approved()


def _month(moment):
    return moment.date().replace(day=1)


def _count(moment, update):
    """Apply `update(row)` to the totals of the month of `moment`, under a row lock."""
    with transaction.atomic():
        ReportMonth.objects.get_or_create(month=_month(moment))
        row = ReportMonth.objects.select_for_update().get(month=_month(moment))
        update(row)
        row.save()
        transaction.on_commit(invalidation.totals_changed)


def file_report(comment, *, ground, ip, law="", explanation="", email="", now=None):
    """File a reader's report on published `comment`. Raises `Refused` (409: this reader
    reported it already; 429: too many reports). Returns the `Report`."""
    now = now or timezone.now()
    key = reporter_key(ip)
    if Report.objects.filter(comment=comment, reporter=key).exists():
        raise Refused(ALREADY, 409)
    if _over(f"ip:{key}", PER_READER_PER_MINUTE, now) or _over(
        f"comment:{comment.pk}", PER_COMMENT_PER_MINUTE, now
    ):
        raise Refused(FLOOD, 429)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment,
                ground=G(ground),
                law=law if ground == G.ILLEGAL else "",
                explanation=explanation,
                email=email,
                reporter=key,
                created_at=now,
            )
    except IntegrityError:  # the same reader, twice at once
        raise Refused(ALREADY, 409) from None

    def filed(row):
        row.filed[ground] = row.filed.get(ground, 0) + 1

    _count(now, filed)
    stats.report_filed(comment, now)
    hold_if_reported(comment)
    from comments import tasks

    queue.after_commit(tasks.mail_report, report.pk)
    return report


def open_reports():
    return Report.objects.filter(decided_at__isnull=True)


def hold_if_reported(comment, policy=None):
    """Send published `comment` back to the queue once enough different readers reported
    it (`reports_to_hold`, never fewer than 2). Returns whether it did."""
    policy = policy or policies.current()
    needed = max(policy.reports_to_hold, 2)
    readers = open_reports().filter(comment=comment).values("reporter").distinct().count()
    if readers < needed or comment.status != S.APPROVED:
        return False
    try:
        change_status(
            comment, S.PENDING, actor_label="readers", reason=Reason.REPORTED,
            params={"reports": readers},
        )  # fmt: skip
    except TransitionError:
        return False
    return True


def reported_comments():
    """Comments with open reports, for the moderators' Reported view: each annotated with
    its open reports' count per ground and in all, illegal-content reports first, then the
    most reported, then the oldest report."""
    opened = models.Q(reports__decided_at__isnull=True)
    per_ground = {
        f"reports_{ground}": models.Count(
            "reports", filter=opened & models.Q(reports__ground=ground)
        )
        for ground in G.values
    }
    return (
        Comment.objects.filter(pk__in=open_reports().values("comment"))
        .annotate(
            open_reports=models.Count("reports", filter=opened),
            first_report=models.Min("reports__created_at", filter=opened),
            **per_ground,
        )
        .order_by(*REPORTED_ORDER)
    )


# Illegal content first, then the most reported, then the longest waiting.
REPORTED_ORDER = ("-reports_illegal", "-open_reports", "first_report", "pk")


class DecisionError(Exception):
    """The decision is not recorded; the message says why."""


def decide(comment, decision, reason, note="", *, actor, now=None):
    """Record a moderator's decision on every open report on `comment`: keep it (back on
    the page if the reports held it) or remove it (to the trash), with `reason` and `note`:
    the statement of reasons. Returns the reports decided."""
    decision = D(decision)
    allowed = KEEP_REASONS if decision == D.KEEP else MODERATOR_REASONS
    if reason not in allowed:
        raise DecisionError("Choose a reason from the list.")
    if reason == Reason.OTHER and not note.strip():
        raise DecisionError("Say why in the note: the reason is 'Other'.")
    now = now or timezone.now()
    params = {"note": note.strip()} if note.strip() else {}
    with transaction.atomic():
        reports = list(open_reports().select_for_update().filter(comment=comment))
        if not reports:
            raise DecisionError("These reports were decided already.")
        if decision == D.REMOVE and comment.status != S.TRASH:
            change_status(comment, S.TRASH, actor=actor, reason=reason, params=params)
        elif decision == D.KEEP and comment.status == S.PENDING and _held_by_reports(comment):
            change_status(comment, S.APPROVED, actor=actor, reason=reason, params=params)
        Report.objects.filter(pk__in=[r.pk for r in reports]).update(
            decision=decision,
            decision_reason=reason,
            decision_note=params.get("note", ""),
            decided_at=now,
            decided_by=actor,
        )
        CommentEvent.objects.create(
            comment=comment,
            kind=CommentEvent.Kind.REPORT,
            created_at=now,
            actor=actor,
            reason=reason,
            reason_params=params,
            details={
                "decision": decision.value,
                "reports": len(reports),
                "grounds": sorted({r.ground for r in reports}),
            },
        )

        def decided(row):
            row.decided[decision] = row.decided.get(decision, 0) + len(reports)
            row.decision_seconds.extend(int((now - r.created_at).total_seconds()) for r in reports)

        _count(now, decided)
        stats.reports_decided(comment, decision, len(reports), now)
    from comments import tasks

    # Held like every person's decision's mail (`moderation.held_until`).
    for report in reports:
        if report.email:
            queue.after_commit(
                tasks.mail_report_decision,
                report.pk,
                run_after=held_until(now),
                or_now=True,
            )
    return reports


def _held_by_reports(comment):
    return comment.held_reason == Reason.REPORTED


def statement(comment):
    """The latest decision on readers' reports about `comment`, as the author reads it:
    {"decision": "keep"|"remove", "reason": sentence, "at": time}, or None."""
    event = (
        comment.history.filter(kind=CommentEvent.Kind.REPORT).order_by("-created_at", "-pk").first()
    )
    if event is None:
        return None
    return {
        "decision": event.details.get("decision"),
        "reason": sentence(event.reason, event.reason_params),
        "at": event.created_at,
    }


def monthly(limit=24):
    """The transparency page's rows, newest month first: filed per ground, decisions, and
    the median time to a decision in seconds (None: none decided)."""
    rows = []
    for row in ReportMonth.objects.order_by("-month")[:limit]:
        seconds = row.decision_seconds
        rows.append(
            {
                "month": row.month,
                "filed": [(label, row.filed.get(value, 0)) for value, label in G.choices],
                "filed_total": sum(row.filed.values()),
                "kept": row.decided.get(D.KEEP, 0),
                "removed": row.decided.get(D.REMOVE, 0),
                "median_seconds": statistics.median(seconds) if seconds else None,
            }
        )
    return rows


# -- personal data (`comments.privacy`) ----------------------------------------------------


def export(email):
    """The reports filed with this address, JSON-ready."""
    return [
        {
            "id": r.pk,
            "comment": r.comment_id,
            "reported": r.created_at.isoformat(),
            "reason": r.ground,
            "law": r.law,
            "explanation": r.explanation,
            "email": r.email,
            "decision": r.decision or None,
            "decided": r.decided_at.isoformat() if r.decided_at else None,
            "decision_reason": sentence(r.decision_reason, {"note": r.decision_note}) or None,
        }
        for r in Report.objects.filter(email__iexact=email.strip()).order_by("created_at")
    ]


def erase(email):
    """Forget the reports filed with this address: the address, the reader's key and
    their words (the report's reason and decision stay, for the totals and the history).
    Returns how many."""
    return Report.objects.filter(email__iexact=email.strip()).update(
        email="", reporter="", explanation="", law=""
    )


def expire(days, now=None):
    """Retention: clear the reporter's address and key from reports decided more than
    `days` ago (the policy's `personal_data_days`). Returns how many."""
    now = now or timezone.now()
    return (
        Report.objects.filter(decided_at__lt=now - timedelta(days=days))
        .exclude(email="", reporter="")
        .update(email="", reporter="")
    )


# -- mail (sent by workers: `tasks.mail_report`, `tasks.mail_report_decision`) -----------


def send_alert(pk):
    """Mail the moderators about new report `pk` at once (claimed first: once). Never
    raises; returns how many mails were sent."""
    from django.template.loader import render_to_string
    from django.urls import reverse

    from comments import notify

    claimed = None
    try:
        report = Report.objects.select_related("comment__article__category").filter(pk=pk).first()
        recipients = notify.moderator_emails()
        if report is None or report.moderators_alerted_at or not recipients:
            return 0
        claimed = timezone.now()
        if not Report.objects.filter(pk=pk, moderators_alerted_at__isnull=True).update(
            moderators_alerted_at=claimed
        ):
            return 0
        comment = report.comment
        context = {
            "report": report,
            "comment": comment,
            "open_reports": open_reports().filter(comment=comment).count(),
            "site_name": settings.SITE_NAME,
            "article_url": settings.SITE_URL + comment.article.get_absolute_url(),
            "decide_url": settings.SITE_URL
            + reverse("admin:comments_reportedcomment_decide", args=[comment.pk]),
        }
        urgent = "Illegal content reported" if report.ground == G.ILLEGAL else "Comment reported"
        subject = f'[{settings.SITE_NAME}] {urgent}: "{comment.article.title}"'
        body = render_to_string("comments/mail/report.txt", context)
        return notify._send(subject, body, recipients)
    except Exception:
        logger.exception("could not mail the moderators about report %s", pk)
        if claimed is not None:
            Report.objects.filter(pk=pk, moderators_alerted_at=claimed).update(
                moderators_alerted_at=None
            )
        return 0


def send_decision(pk):
    """Mail the reporter of report `pk` the decision and its reasons (once). Never raises;
    returns how many mails were sent (0 or 1)."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    from comments import notify

    try:
        report = Report.objects.select_related("comment__article__category").filter(pk=pk).first()
        if report is None or not report.email or not report.decided_at:
            return 0
        if not Report.objects.filter(pk=pk, reporter_mailed_at__isnull=True).update(
            reporter_mailed_at=timezone.now()
        ):
            return 0
        context = {
            "report": report,
            "reason": sentence(report.decision_reason, {"note": report.decision_note}),
            "site_name": settings.SITE_NAME,
            "article_url": settings.SITE_URL + report.comment.article.get_absolute_url(),
        }
        subject = f"[{settings.SITE_NAME}] Your report: decision"
        body = render_to_string("comments/mail/report_decision.txt", context)
        return EmailMessage(notify.one_line(subject), body, to=[report.email]).send()
    except Exception:
        logger.exception("could not mail the decision on report %s", pk)
        return 0
