"""What a comment's author can do with it, without an account: follow it through a private
signed link (its status page), and change its text for a few minutes after posting.

The link carries the comment's id and its own random secret (`Comment.preview_secret`,
the one the preview cookie names), signed with a salt of its own: a forged or edited link
names nothing, and one signed with a leaked SECRET_KEY still needs the secret. It works
for `LINK_DAYS` days after the comment was posted.

The author is told one of three things (`outcome`): awaiting moderation, published, or
not published — the last only when a person took it off (Unapprove, Spam, Trash), with
the reason they chose. What the machines decided (Akismet's spam, the honeypot, a
disallowed word) still reads "awaiting moderation": a spammer learns nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from comments import policy as policies
from comments import queue
from comments.models import Comment, CommentEvent
from comments.moderation import TransitionError, change_status
from comments.reasons import MODERATOR_REASONS, Reason, sentence

S = Comment.Status

LINK_SALT = "comments.status"
LINK_DAYS = 30

AWAITING = "awaiting"
PUBLISHED = "published"
NOT_PUBLISHED = "not_published"

# The refusals of an edit, shown above the form (which keeps the text).
WINDOW_CLOSED = (
    "This comment can no longer be edited: edits are possible for {minutes} minutes after "
    "posting. Your text is kept below so you can copy it."
)
NO_EDITS = "Comments on this site cannot be edited after posting."
NOT_EDITABLE = "This comment can no longer be edited."
UNCHANGED = "The text is the same as before; nothing was changed."
FLOOD = "You are changing comments too quickly. Wait a few seconds and try again."


class LinkExpired(Exception):
    """The link was genuine, but is older than `LINK_DAYS` days."""


class LinkInvalid(Exception):
    """The link names no comment: unknown, edited, or forged."""


class EditRefused(Exception):
    """The edit is not made; the message says why, `http_status` is the HTTP status to answer."""

    def __init__(self, message, status=403):
        super().__init__(message)
        self.http_status = status


def link_token(pk, secret):
    """The signed part of a comment's status link (id + secret; its time is the signing)."""
    return signing.dumps([pk, secret], salt=LINK_SALT)


def status_url(pk, secret):
    """The address of a comment's status page (relative to the site)."""
    from django.urls import reverse

    return reverse("comments:status", args=[link_token(pk, secret)])


def comment_for(token, now=None):
    """The comment a status link names. Raises `LinkInvalid` (unknown, tampered) or
    `LinkExpired` (more than `LINK_DAYS` days after it was signed or after the comment was
    posted)."""
    max_age = timedelta(days=LINK_DAYS)
    try:
        value = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    if (
        not isinstance(value, list)
        or len(value) != 2
        or isinstance(value[0], bool)
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
        or not value[1]
    ):
        raise LinkInvalid
    pk, secret = value
    comment = Comment.objects.select_related("article__category").filter(pk=pk).first()
    if comment is None or not constant_time_compare(comment.preview_secret, secret):
        raise LinkInvalid
    if comment.created_at + max_age <= (now or timezone.now()):
        raise LinkExpired
    return comment


@dataclass(frozen=True)
class Outcome:
    state: str  # AWAITING, PUBLISHED or NOT_PUBLISHED
    reason: str = ""  # the moderator's reason, as a sentence (NOT_PUBLISHED only)


def _decision(comment):
    """The history entry that put `comment` where it is now, or None."""
    return (
        comment.history.filter(kind=CommentEvent.Kind.STATUS, to_status=comment.status)
        .order_by("-created_at", "-pk")
        .first()
    )


def taken_off_by_a_person(comment, event=None):
    """Did a person take `comment` off the page (or keep it off): spam or trash by hand, or
    unapproved? Returns that history entry, or None."""
    if comment.status == S.APPROVED:
        return None
    event = event or _decision(comment)
    if event is None or event.actor_id is None:
        return None  # an automatic filing, or no history
    if comment.status in (S.SPAM, S.TRASH) or event.from_status == S.APPROVED:
        return event
    return None  # a person's "not spam" or "restore": back in the queue


def outcome(comment):
    """What the author is told about `comment`."""
    if comment.status == S.APPROVED:
        return Outcome(PUBLISHED)
    event = taken_off_by_a_person(comment)
    if event is None:
        return Outcome(AWAITING)
    said = sentence(event.reason, event.reason_params) if event.reason in MODERATOR_REASONS else ""
    return Outcome(NOT_PUBLISHED, said)


def edit_deadline(comment, policy=None):
    """Until when its author may edit `comment`, or None if the policy allows no edits."""
    minutes = (policy or policies.current()).edit_minutes
    return comment.created_at + timedelta(minutes=minutes) if minutes else None


def minutes_left(comment, policy=None, now=None):
    """Whole minutes (rounded up) its author may still edit `comment`, or 0. Only the
    window: `can_edit` also asks whether a person took it off."""
    deadline = edit_deadline(comment, policy)
    if deadline is None:
        return 0
    seconds = (deadline - (now or timezone.now())).total_seconds()
    return max(0, -int(-seconds // 60))


def can_edit(comment, policy=None, now=None):
    """May its author still edit `comment`? Within the window, and not taken off by a
    person (a comment filed as spam automatically still can: its author is not told)."""
    deadline = edit_deadline(comment, policy)
    if deadline is None or (now or timezone.now()) >= deadline:
        return False
    return outcome(comment).state != NOT_PUBLISHED


def edit(comment, body, *, ip=None, policy=None, now=None):
    """Replace the text of `comment` by its author's `body` (already cleaned by the form).

    Refused (`EditRefused`) after the window, for a comment a person took off, within the
    flood interval, or when nothing changed. The old text is kept in the history. A
    published comment goes back to the queue unless the policy would approve it as it is
    (a known author, no manual approval); a shown one (pending or published) is checked
    by Akismet again (`recheck_reason=edit`) by a worker, which files it by the verdict.
    """
    policy = policy or policies.current()
    now = now or timezone.now()
    if not policy.edit_minutes:
        raise EditRefused(NO_EDITS)
    if now >= edit_deadline(comment, policy):
        raise EditRefused(WINDOW_CLOSED.format(minutes=policy.edit_minutes))
    if outcome(comment).state == NOT_PUBLISHED:
        raise EditRefused(NOT_EDITABLE)
    if body == comment.body:
        raise EditRefused(UNCHANGED, status=400)
    if policies.is_edit_flood(comment, ip, policy, now):
        raise EditRefused(FLOOD, status=429)
    before = comment.body
    with transaction.atomic():
        comment.body, comment.edited_at = body, now
        comment.save(update_fields=["body", "edited_at", "updated_at"])
        CommentEvent.objects.create(
            comment=comment,
            kind=CommentEvent.Kind.EDIT,
            created_at=now,
            actor_label="author",
            details={"fields": ["comment"], "before": {"body": before}},
        )
        trusted = (
            not policies.disallowed_word(comment, policy)
            and policies.decide(comment, policy).status == S.APPROVED
        )
        if comment.status == S.APPROVED and not trusted:
            try:
                change_status(comment, S.PENDING, actor_label="author", reason=Reason.EDITED)
            except TransitionError:
                comment.refresh_from_db()
    if comment.status in (S.PENDING, S.APPROVED):
        from comments import tasks

        queue.after_commit(tasks.check_edited_comment, comment.pk, comment.check_attempts)
    return comment
