"""One person, by e-mail address (lower case): what moderators know and decide about them.

Trust levels: *new* (no approved comment) and *known* (at least one) are computed; a
moderator may set *trusted*, *always premoderate* or *banned* (`Commenter`, one row per
address). Anyone can type someone else's address, so trust rests on proof of it: an address
confirmed by mail (the notifications' double opt-in, `Subscriber.confirmed_at`, which an
author can also ask for from their comment's status page) or a signed-in user. Trusted
needs that proof; known counts without it only while the policy trusts unconfirmed
addresses (WordPress's behaviour). `policy.decide` applies the levels — only after Akismet
said ham: trust never skips the check.

A ban stores the person's new comments as spam (`blocks.rule_for`) and can hide their
published ones: moved to trash by a worker in batches (`hide_published`, each move in the
comment's history with reason "banned"), and shown again when the ban is lifted
(`restore_hidden`). Trash hidden by a ban is kept while the ban stands (never purged).
"""

from dataclasses import dataclass

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from comments import moderation, queue, subscriptions
from comments.models import Comment, Commenter, Subscriber
from comments.reasons import Reason

S = Comment.Status
L = Commenter.Level
NEW, KNOWN = "new", "known"
LEVEL_WORDS = {NEW: "New", KNOWN: "Known", **{level.value: str(level.label) for level in L}}
# Comments moved per transaction when a ban hides (or its lifting shows) a history.
BATCH = 500


def normalise(email):
    return subscriptions.normalise(email)


def of(email):
    """Comments written with this address, in any case (on the lower-cased index)."""
    return Comment.objects.alias(email_lowered=Lower("author_email")).filter(
        email_lowered=normalise(email)
    )


def record(email):
    return Commenter.objects.filter(email=normalise(email)).select_related("set_by").first()


def address_confirmed(email):
    return Subscriber.objects.filter(
        email=normalise(email), confirmed_at__isnull=False, bouncing_at__isnull=True
    ).exists()


def verified(comment):
    """Is the comment's address proven theirs: a signed-in user, or confirmed by mail?"""
    return bool(comment.user_id) or address_confirmed(comment.author_email)


def level_set(email):
    """The level a moderator set for this address ("trusted", "premoderate", "banned"),
    or "" (then it is new or known, computed)."""
    return (
        Commenter.objects.filter(email=normalise(email)).values_list("level", flat=True).first()
        or ""
    )


@dataclass
class Confirmation:
    state: str  # "confirmed", "asked", "bouncing", "none"
    at: object = None

    @property
    def words(self):
        return {
            "confirmed": "Confirmed by mail",
            "asked": "Confirmation asked, not confirmed",
            "bouncing": "Refused by its mail server",
            "none": "Never confirmed",
        }[self.state]


def confirmation(email):
    subscriber = Subscriber.objects.filter(email=normalise(email)).first()
    if subscriber is None:
        return Confirmation("none")
    if subscriber.bouncing_at:
        return Confirmation("bouncing", subscriber.bouncing_at)
    if subscriber.confirmed_at:
        return Confirmation("confirmed", subscriber.confirmed_at)
    if subscriber.confirmation_sent_at:
        return Confirmation("asked", subscriber.confirmation_sent_at)
    return Confirmation("none")


@dataclass
class Profile:
    """What the commenter page shows about one address."""

    email: str
    counts: dict
    first_seen: object
    last_seen: object
    record: Commenter | None
    level: str
    confirmation: Confirmation
    hidden_by_ban: int

    @property
    def level_words(self):
        return LEVEL_WORDS[self.level]

    @property
    def total(self):
        return sum(self.counts.values())


def profile(email):
    email = normalise(email)
    comments = of(email).order_by()
    counts = dict.fromkeys(S.values, 0)
    first = last = None
    for row in comments.values("status").annotate(
        n=models.Count("pk"), first=models.Min("created_at"), last=models.Max("created_at")
    ):
        counts[row["status"]] = row["n"]
        first = min(filter(None, [first, row["first"]]), default=None)
        last = max(filter(None, [last, row["last"]]), default=None)
    rec = record(email)
    level = rec.level if rec else (KNOWN if counts[S.APPROVED] else NEW)
    hidden = of(email).filter(status=S.TRASH, held_reason=Reason.BANNED).count()
    return Profile(email, counts, first, last, rec, level, confirmation(email), hidden)


def set_level(email, level, *, by, reason="", hide_published=False):
    """A moderator sets `level` for `email` ("" to go back to computed new/known). Lifting a
    ban shows again what it hid. Hiding (with a ban) and showing are done by a worker after
    the commit, in batches: the request never waits for a long history. Returns the record
    (None when cleared)."""
    email = normalise(email)
    was = level_set(email)
    if level:
        rec, _created = Commenter.objects.update_or_create(
            email=email,
            defaults={"level": L(level), "reason": reason, "set_by": by, "set_at": timezone.now()},
        )
    else:
        Commenter.objects.filter(email=email).delete()
        rec = None
    from comments import tasks

    actor_id = getattr(by, "pk", None)
    if level == L.BANNED and hide_published:
        queue.after_commit(tasks.hide_banned_comments, email, actor_id)
    elif was == L.BANNED and level != L.BANNED:
        queue.after_commit(tasks.restore_banned_comments, email, actor_id)
    return rec


def _in_batches(comments, old, to, *, actor, reason, params=None, batch=BATCH):
    moved = 0
    while True:
        pks = list(comments.filter(status=old).order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return moved
        done = moderation.change_status_many(
            pks, old, to, actor=actor, actor_label="ban", reason=reason, params=params
        )
        moved += done
        if not done:  # someone else moved them meanwhile
            return moved


def hide_published(email, actor=None, batch=BATCH):
    """Move a banned address's published comments to trash (reason "banned"), in batches.
    Nothing happens if the ban was lifted meanwhile. Returns how many moved."""
    rec = record(email)
    if rec is None or rec.level != L.BANNED:
        return 0
    params = {"reason": rec.reason} if rec.reason else {}
    return _in_batches(
        of(email),
        S.APPROVED,
        S.TRASH,
        actor=actor,
        reason=Reason.BANNED,
        params=params,
        batch=batch,
    )


def restore_hidden(email, actor=None, batch=BATCH):
    """Show again what a ban hid (its trash with reason "banned"), unless banned again."""
    if level_set(email) == L.BANNED:
        return 0
    hidden = of(email).filter(held_reason=Reason.BANNED)
    return _in_batches(
        hidden, S.TRASH, S.APPROVED, actor=actor, reason=Reason.BAN_LIFTED, batch=batch
    )
