"""How long comments usually wait for a person's decision, said on the article page and on
the author's status page ("usually within about 20 minutes").

Measured from our own history: the median time from posting to the first decision a
moderator took (approve, unapprove, spam, trash; not a staff reply, which is published
at once), over the latest `SAMPLE` decided comments. The periodic `typical_wait` job
(`comments.schedule`) measures it and stores it on the policy row, which every page reads
anyway: saying it costs a page no query, and it is cached with the page.
"""

import math
import statistics

from django.db import models

from comments.models import Comment, CommentEvent, ModerationPolicy
from comments.reasons import Reason

SAMPLE = 100
# Fewer decided comments than this: nothing is said.
AT_LEAST = 5


def measure(sample=SAMPLE):
    """The median seconds from posting to a person's first decision over the latest
    `sample` comments a person decided, or None with fewer than `AT_LEAST`. One query."""
    first = (
        CommentEvent.objects.filter(
            comment=models.OuterRef("pk"),
            kind=CommentEvent.Kind.STATUS,
            actor__isnull=False,
        )
        .exclude(reason=Reason.STAFF_REPLY)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    rows = (
        Comment.objects.filter(moderated_at__isnull=False)
        .annotate(first_decision=models.Subquery(first))
        .filter(first_decision__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("created_at", "first_decision")[:sample]
    )
    waits = [max(0.0, (decided - posted).total_seconds()) for posted, decided in rows]
    if len(waits) < AT_LEAST:
        return None
    return round(statistics.median(waits))


def store(seconds):
    """Write the measured wait on the policy row (no page is invalidated: pages pick it up
    as they are rendered again) and drop the cached policy."""
    from comments import policy as policies

    ModerationPolicy.objects.get_or_create(pk=1)
    ModerationPolicy.objects.filter(pk=1).update(typical_wait_seconds=seconds)
    policies.drop_cached()
    return seconds


def in_words(seconds):
    """`seconds` as the pages say it: "a few minutes", "about 20 minutes", "about 3
    hours", "about 2 days"; "" for None."""
    if seconds is None:
        return ""
    minutes = seconds / 60
    if minutes <= 5:
        return "a few minutes"
    if minutes < 60:
        return f"about {5 * math.ceil(minutes / 5)} minutes"
    hours = minutes / 60
    if hours < 36:
        n = math.ceil(hours)
        return "about an hour" if n == 1 else f"about {n} hours"
    return f"about {math.ceil(hours / 24)} days"


def said(policy):
    """The typical wait under `policy` in words, or "" when not known."""
    return in_words(policy.typical_wait_seconds)
