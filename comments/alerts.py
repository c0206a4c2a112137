"""Akismet's alerts about our account, kept until a moderator has dealt with them.

Akismet answers with `X-akismet-alert-code` and `X-akismet-alert-msg` when something about
the account needs a person (a subscription to renew, a usage limit); a rejected key is as
urgent. `noticed` (called by `spam._call` after every answer) stores each distinct alert
once, counting how often and when it was first and last seen; the moderation queue and the
report show the open ones in a banner until a moderator marks one dealt with
(`mark_dealt_with`, who and when recorded). An alert seen again after that opens again.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from comments.models import AkismetAlert

logger = logging.getLogger(__name__)

KEY_REJECTED = "key-rejected"
MAX_MESSAGE = AkismetAlert._meta.get_field("message").max_length
MAX_CODE = AkismetAlert._meta.get_field("code").max_length


def noticed(headers, *, key_rejected=False, now=None):
    """Record the alert in an Akismet answer's `headers` (lower-case names), and a rejected
    key. Never raises: a failure to record is logged, the call's result stands."""
    headers = headers or {}
    found = []
    code = headers.get("x-akismet-alert-code", "").strip()
    message = headers.get("x-akismet-alert-msg", "").strip()
    if code or message:
        found.append((code or "alert", message or f"Akismet sent alert {code}."))
    if key_rejected:
        help_text = headers.get("x-akismet-debug-help", "").strip()
        found.append(
            (
                KEY_REJECTED,
                "Akismet rejected the API key" + (f": {help_text}" if help_text else "."),
            )
        )
    for code, message in found:
        try:
            record(code, message, now=now)
        except Exception:  # noqa: BLE001 - the database may be the problem; the check goes on
            logger.exception("could not record Akismet alert %s", code)


def record(code, message, *, now=None):
    """Store one sighting of alert (`code`, `message`); returns the alert."""
    now = now or timezone.now()
    code, message = code[:MAX_CODE], message[:MAX_MESSAGE]
    logger.warning("Akismet alert %s: %s", code, message)
    seen = AkismetAlert.objects.filter(code=code, message=message)
    changes = {
        "last_seen": now,
        "count": F("count") + 1,
        "dealt_with_at": None,
        "dealt_with_by": None,
    }
    if not seen.update(**changes):
        try:
            with transaction.atomic():
                return AkismetAlert.objects.create(
                    code=code, message=message, first_seen=now, last_seen=now
                )
        except IntegrityError:  # recorded meanwhile
            seen.update(**changes)
    return seen.get()


def open_alerts():
    """The alerts no moderator has dealt with yet, the latest first."""
    return AkismetAlert.objects.filter(dealt_with_at__isnull=True).order_by("-last_seen", "pk")


def mark_dealt_with(pk, user, *, now=None):
    """Mark alert `pk` dealt with by `user`. Returns False if it was already (or is gone)."""
    return bool(
        open_alerts().filter(pk=pk).update(dealt_with_at=now or timezone.now(), dealt_with_by=user)
    )
