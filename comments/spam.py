"""The spam check: one comment in, one verdict out, whatever Akismet does.

This module is the only place that talks to Akismet. It uses the real client
(`akismet.SyncClient`), built lazily once per process and per configuration, with an
httpx client of our own: our timeout and the library's User-Agent, a transport that
sends every call to `AKISMET_API_URL` (Akismet, a compatible service, or a local
stand-in), and an event hook that keeps the response headers the client does not
return (guid, pro-tip, debug-help). Every failure of the service becomes the verdict
`error`, never an exception for the caller and never a silent approval.
"""

import functools
import logging
import threading
import time
from datetime import UTC, timedelta

import akismet
import httpx
from django.conf import settings
from django.utils import timezone

from comments import alerts, metrics, reasons, stats
from comments.models import Comment, CommentEvent
from comments.reasons import Reason

logger = logging.getLogger(__name__)

# The form's honeypot: a field people never see and bots fill in. Akismet is told its
# name; the client cannot send its value, so a filled honeypot is filed as spam here.
HONEYPOT_FIELD = "phone"

# Re-check back-off after an error, as WordPress's plugin: 20 minutes, doubling, at most
# 6 hours; a key problem waits 6 hours straight away. No more tries once a comment is
# older than `GIVE_UP_AFTER`.
RETRY_FIRST = timedelta(minutes=20)
RETRY_MAX = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=15)

_VERDICTS = {
    akismet.CheckResponse.HAM: Comment.Verdict.HAM,
    akismet.CheckResponse.SPAM: Comment.Verdict.SPAM,
    akismet.CheckResponse.DISCARD: Comment.Verdict.DISCARD,
}

# Response headers of the current call, per thread (one client serves all threads).
_last_response = threading.local()


class _RewriteTransport(httpx.HTTPTransport):
    """Send the library's requests (always addressed to rest.akismet.com) to `base`."""

    def __init__(self, base, **kwargs):
        super().__init__(**kwargs)
        self.base = httpx.URL(base)

    def handle_request(self, request):
        path = self.base.path.rstrip("/") + request.url.path
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port, path=path
        )
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return super().handle_request(request)


def _remember_headers(response):
    _last_response.headers = dict(response.headers)


@functools.lru_cache(maxsize=4)
def _client(key, blog_url, api_url, timeout):
    http_client = httpx.Client(
        transport=_RewriteTransport(api_url),
        timeout=timeout,
        headers={"User-Agent": akismet.USER_AGENT},
        event_hooks={"response": [_remember_headers]},
    )
    return akismet.SyncClient(config=akismet.Config(key=key, url=blog_url), http_client=http_client)


def get_client():
    """The process's client for the current settings (no network call)."""
    return _client(
        settings.AKISMET_API_KEY,
        settings.AKISMET_BLOG_URL,
        settings.AKISMET_API_URL,
        settings.AKISMET_TIMEOUT,
    )


def is_configured():
    return bool(settings.AKISMET_API_KEY)


def _gmt(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_payload(comment):
    """Everything Akismet needs to judge `comment`, and to take feedback on it later."""
    article = comment.article
    payload = {
        "user_ip": comment.user_ip or "",
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": settings.SITE_URL + article.get_absolute_url(),
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": _gmt(comment.created_at),
        "comment_post_modified_gmt": _gmt(article.updated_at),
        "blog_lang": settings.LANGUAGE_CODE.replace("-", "_"),
        "blog_charset": "UTF-8",
        "comment_context": ", ".join(c.name for c in article.category.trail()),
        "honeypot_field_name": HONEYPOT_FIELD,
    }
    if comment.user_id and comment.user.is_staff:
        payload["user_role"] = "administrator"
    if settings.AKISMET_IS_TEST:
        payload["is_test"] = True
    return {k: v for k, v in payload.items() if v not in ("", None)}


def _call(method, payload):
    """Call `method(**payload)`; return (result, the response's headers). A failure of the
    service raises `akismet.AkismetError` carrying the headers of the answer, if there was
    one, as `.headers` (an invalid key's debug help comes that way). Measured: its latency
    and, if it fails, why (`comments.metrics`)."""
    _last_response.headers = {}
    call = method.__name__
    started = time.perf_counter()
    try:
        result = method(**payload)
    except akismet.AkismetError as exc:
        exc.headers = _last_response.headers
        reason, _params = _describe_error(exc)
        metrics.AKISMET_FAILURES.labels(call, reason).inc()
        alerts.noticed(exc.headers, key_rejected=isinstance(exc, akismet.APIKeyError))
        raise
    finally:
        metrics.AKISMET_SECONDS.labels(call).observe(time.perf_counter() - started)
    alerts.noticed(_last_response.headers)
    return result, _last_response.headers


def _retry_delay(attempts, key_problem):
    if key_problem:
        return RETRY_MAX
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def check(comment, *, recheck_reason=None, attempt=None):
    """Ask Akismet about `comment` and record what it said.

    Stores the verdict, the response headers, the payload sent, the attempt count and,
    after an error, when to try again; writes a history entry; saves. Never raises for
    a failure of the service (the verdict is then `error`). Does not change `status`:
    `comments.pipeline.file_comment` applies the verdict. `attempt`: the attempt number a
    worker has already claimed (`pipeline.claim_check`); without it, one more. Returns the
    verdict, or None if a later claim superseded this one (nothing recorded).
    """
    payload = build_payload(comment)
    if recheck_reason:
        payload["recheck_reason"] = recheck_reason
    now = timezone.now()
    before = comment.verdict
    comment.check_attempts = attempt if attempt is not None else comment.check_attempts + 1
    comment.checked_at = now
    try:
        result, headers = _call(get_client().comment_check, payload)
    except akismet.AkismetError as exc:
        headers = exc.headers
        key_problem = isinstance(exc, akismet.APIKeyError)
        comment.verdict = Comment.Verdict.ERROR
        comment.next_check_at = now + _retry_delay(comment.check_attempts, key_problem)
        reason, params = _describe_error(exc)
        # Never log the key: the messages of comment_check's errors do not contain it.
        logger.warning(
            "Akismet check of comment %s failed: %s", comment.pk, reasons.sentence(reason, params)
        )
    else:
        comment.verdict = _VERDICTS[result]
        comment.next_check_at = None
        reason, params = Reason.AKISMET_SAID, {"verdict": comment.verdict}
    comment.akismet_guid = headers.get("x-akismet-guid", "")[:100]
    comment.akismet_pro_tip = headers.get("x-akismet-pro-tip", "")[:100]
    comment.akismet_debug_help = headers.get("x-akismet-debug-help", "")[:255]
    comment.akismet_payload = payload
    fields = [
        "verdict",
        "akismet_guid",
        "akismet_pro_tip",
        "akismet_debug_help",
        "checked_at",
        "check_attempts",
        "next_check_at",
        "akismet_payload",
    ]
    if attempt is None:
        comment.save(update_fields=[*fields, "updated_at"])
    else:
        # Recorded only if no later check has been claimed meanwhile (a worker presumed
        # dead finishing after all): one recorded result per claim.
        values = {name: getattr(comment, name) for name in fields if name != "check_attempts"}
        recorded = Comment.objects.filter(pk=comment.pk, check_attempts=attempt).update(
            **values, updated_at=timezone.now()
        )
        if not recorded:
            from comments import queue

            queue.count_duplicate("check result", comment.pk, f"a check after #{attempt} ran")
            return None
    if "user_role" not in payload:  # a moderator's own reply is nobody's spam
        stats.verdict_recorded(comment, before, comment.verdict, now)
    CommentEvent.objects.create(
        comment=comment,
        kind=CommentEvent.Kind.CHECK,
        actor_label="Akismet",
        reason=reason,
        reason_params=params,
        details={
            "verdict": comment.verdict,
            "recheck_reason": recheck_reason or "",
            "guid": comment.akismet_guid,
            "pro_tip": comment.akismet_pro_tip,
            "debug_help": comment.akismet_debug_help,
            "alert": headers.get("x-akismet-alert-msg", ""),
        },
    )
    return comment.verdict


def _describe_error(exc):
    """What went wrong (an error raised through `_call`), as a `Reason` code and its
    parameters."""
    if isinstance(exc, akismet.APIKeyError):
        return Reason.KEY_REJECTED, {"help": exc.headers.get("x-akismet-debug-help", "")}
    if isinstance(exc, akismet.ProtocolError):
        return Reason.BAD_ANSWER, {}
    cause = exc.__cause__
    if isinstance(cause, httpx.TimeoutException):
        return Reason.TIMED_OUT, {"seconds": settings.AKISMET_TIMEOUT}
    if isinstance(cause, httpx.HTTPStatusError):
        return Reason.HTTP_ERROR, {"status": cause.response.status_code}
    if cause is not None:
        return Reason.CONNECTION_ERROR, {"error": cause.__class__.__name__}
    return Reason.AKISMET_ERROR, {"error": exc.__class__.__name__}


def submit_feedback(comment, kind, *, actor=None):
    """Tell Akismet a human disagreed: `kind` "spam" (submit-spam) or "ham" (submit-ham).

    Sends the payload stored at check time (Akismet needs the original data), records
    the call in the comment's history, and returns whether it was delivered; None if
    there is no stored payload any more (then nothing is sent, and the history says so).
    """
    if kind not in ("spam", "ham"):
        raise ValueError(f"feedback is 'spam' or 'ham', not {kind!r}")
    if not is_configured():
        return False
    if not comment.akismet_payload:
        # The data it was checked with has been deleted (after `Comment.PAYLOAD_KEPT`, by
        # retention or at the commenter's request) or it was never checked: nothing is
        # sent, and the history says so. Rebuilding it from the comment would send what we
        # deleted.
        CommentEvent.objects.create(
            comment=comment,
            kind=CommentEvent.Kind.FEEDBACK,
            actor=actor,
            actor_label="" if actor else "Akismet",
            reason=Reason.FEEDBACK_NOT_SENT,
            reason_params={"kind": kind, "days": Comment.PAYLOAD_KEPT.days},
            details={"feedback": kind, "delivered": False, "sent": False},
        )
        return None
    payload = dict(comment.akismet_payload)
    payload.pop("recheck_reason", None)
    method = get_client().submit_spam if kind == "spam" else get_client().submit_ham
    try:
        _call(method, payload)
    except akismet.AkismetError as exc:
        delivered = False
        error, error_params = _describe_error(exc)
        reason = Reason.FEEDBACK_FAILED
        params = {"kind": kind, "error": error, "error_params": error_params}
        logger.warning(
            "Akismet submit-%s for comment %s failed: %s",
            kind,
            comment.pk,
            reasons.sentence(reason, params),
        )
    else:
        delivered = True
        reason, params = Reason.FEEDBACK_SENT, {"kind": kind}
    CommentEvent.objects.create(
        comment=comment,
        kind=CommentEvent.Kind.FEEDBACK,
        actor=actor,
        actor_label="" if actor else "Akismet",
        reason=reason,
        reason_params=params,
        details={"feedback": kind, "delivered": delivered},
    )
    return delivered


def verify_key():
    """Ask Akismet whether the configured key and site URL are valid (one request)."""
    result, _headers = _call(get_client().verify_key, {})
    return result
