"""One person, by e-mail address (lower case): what moderators know and decide about them.

Trust levels: *new* (no approved comment) and *known* (at least one) are computed; a
moderator may set *trusted*, *always premoderate* or *banned* (`Commenter`, one row per
address). Anyone can type someone else's address, so trust rests on proof of it: an address
confirmed by mail (the notifications' double opt-in, `Subscriber.confirmed_at`, which an
author can also ask for from their comment's status page) or a signed-in user. Trusted
needs that proof; known counts without it only while the policy trusts unconfirmed
addresses (WordPress's behaviour). `policy.decide` applies the levels — only after Akismet
said ham: trust never skips the check.

A ban stores the person's new comments as spam (`blocks.rule_for`); what moderators do to
a person (set a level, a ban hiding their published comments) is `comments.controls`.
This module only reads (the policy imports it).
"""

from dataclasses import dataclass

from django.db import models
from django.db.models.functions import Lower

from comments.models import Comment, Commenter, Report, Subscriber
from comments.reasons import Reason

S = Comment.Status
L = Commenter.Level
NEW, KNOWN = "new", "known"
LEVEL_WORDS = {NEW: "New", KNOWN: "Known", **{level.value: str(level.label) for level in L}}


def normalise(email):
    return (email or "").strip().lower()  # as `subscriptions.normalise`


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
    # Readers' reports against this address's comments: {"all": n, "open": n, "removed": n}.
    reports: dict

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
    return Profile(
        email, counts, first, last, rec, level, confirmation(email), hidden, reports_against(email)
    )


def reports_against(email):
    """How many readers' reports this address's comments drew, open and decided (one query)."""
    return Report.objects.filter(comment__in=of(email)).aggregate(
        all=models.Count("pk"),
        open=models.Count("pk", filter=models.Q(decision="")),
        removed=models.Count("pk", filter=models.Q(decision=Report.Decision.REMOVE)),
    )
