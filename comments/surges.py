"""Surge: a breaking story whose comments come faster than moderators can read them.

An article switches to surge when, on a new comment, it has the policy's
`surge_pending_on` pending comments or more, or `surge_posts_on` comments posted within
`surge_posts_minutes` (`after_post`: one query, skipped while the article is in surge or
forced either way). In surge, first-time commenters are held (`policy.decide`), one
address or IP may post on the article once per `surge_interval` seconds (`too_soon`, the
form's refusal), readers see `NOTICE` above the form, and the moderators get one mail.

It switches off by itself (`calm_down`, the scheduler's job every minute) once the article
has had fewer than `surge_pending_off` pending comments and fewer posts than the rate that
switches it on for `surge_calm_minutes`: the lower threshold and the calm time keep it from
flapping. A moderator can force it on or off, or give it back to the automatic rule
(`force`); a forced state is never changed automatically.

The record is the `Surge` row (one per article) and its `SurgeEvent` history (who or what,
why, the numbers). The policy row mirrors the states (`ModerationPolicy.surges`), written
under a lock on that row by every switch: the pages and the POST path read the policy
anyway, so knowing whether an article is in surge costs them no query. Every switch moves
the policy like a save (`articles.invalidation.policy_changed`): every cached page gets a
new key, so the notice shows at once and goes at once.
"""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from comments import policy as policies
from comments import queue
from comments.models import Comment, ModerationPolicy, Surge, SurgeEvent

logger = logging.getLogger(__name__)

NOTICE = "Comments on this story are busy; each is read before it appears."
TOO_SOON = (
    "Comments on this story are busy: please wait {wait} between two comments on it. "
    "Your comment is below; post it again in a moment."
)

Mode = Surge.Mode
Cause = SurgeEvent.Cause


def in_words(seconds):
    """ "45 seconds", "1 minute", "2 minutes", "2 minutes 30 seconds"."""
    minutes, rest = divmod(int(seconds), 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if rest or not minutes:
        parts.append(f"{rest} second{'s' if rest != 1 else ''}")
    return " ".join(parts)


def busy_numbers(article_id, policy, now=None):
    """(pending comments, comments posted within the policy's window, spam left out) on the
    article: one query."""
    since = (now or timezone.now()) - timedelta(minutes=policy.surge_posts_minutes)
    # Two counts, each from its own index (`comment_public_idx`: the article's pending
    # ones; `comment_article_recent_idx`: its comments since `since`), so the cost is
    # that of the few comments counted, not of the article's thousands: as one count over
    # "pending OR recent", SQLite read every index entry of the article.
    table = Comment._meta.db_table
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {table} WHERE article_id = %s AND status = %s), "
        f"(SELECT COUNT(*) FROM {table} WHERE article_id = %s AND created_at >= %s "
        "AND status <> %s)"
    )
    params = [article_id, Comment.Status.PENDING.value, article_id]
    params += [connection.ops.adapt_datetimefield_value(since), Comment.Status.SPAM.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pending, posts = cursor.fetchone()
    return pending, posts


def _numbers(policy, pending, posts):
    return {
        "pending": pending,
        "posts": posts,
        "minutes": policy.surge_posts_minutes,
        "pending_on": policy.surge_pending_on,
        "posts_on": policy.surge_posts_on,
        "pending_off": policy.surge_pending_off,
        "calm_minutes": policy.surge_calm_minutes,
    }


def after_post(comment, policy=None, now=None):
    """A reader's comment was saved: switch its article to surge if it passed a threshold.
    Costs one query, none while the article is in surge or forced either way. Returns the
    event recorded, or None."""
    policy = policy or policies.current()
    if not policy.surge_automatic or policy.surge_state(comment.article_id):
        return None
    pending, posts = busy_numbers(comment.article_id, policy, now)
    if pending >= policy.surge_pending_on:
        cause = Cause.PENDING
    elif posts >= policy.surge_posts_on:
        cause = Cause.RATE
    else:
        return None
    return _switch(
        comment.article_id,
        on=True,
        cause=cause,
        params=_numbers(policy, pending, posts),
        only_if=lambda s: s.mode == Mode.AUTO and not s.active,
        now=now,
    )


def calm_down(now=None):
    """The scheduler's job (every minute): an article in surge by the automatic rule that
    has been calm — fewer pending comments than `surge_pending_off` and fewer posts than
    `surge_posts_on` in the window — for `surge_calm_minutes` switches off; one that is
    busy again starts its calm time over. Returns the events recorded."""
    now = now or timezone.now()
    policy = policies.current()
    events = []
    for surge in Surge.objects.filter(mode=Mode.AUTO, active=True):
        pending, posts = busy_numbers(surge.article_id, policy, now)
        params = _numbers(policy, pending, posts)
        if not policy.surge_automatic:
            cause = Cause.AUTOMATIC_OFF
        elif pending >= policy.surge_pending_off or posts >= policy.surge_posts_on:
            if surge.calm_since is not None:  # busy again: the calm time starts over
                Surge.objects.filter(pk=surge.pk).update(calm_since=None)
            continue
        elif surge.calm_since is None:
            Surge.objects.filter(pk=surge.pk, active=True).update(calm_since=now)
            continue
        elif now - surge.calm_since < timedelta(minutes=policy.surge_calm_minutes):
            continue
        else:
            cause = Cause.CALM
        since = surge.calm_since
        event = _switch(
            surge.article_id,
            on=False,
            cause=cause,
            params=params,
            only_if=lambda s, since=since: (
                s.mode == Mode.AUTO and s.active and s.calm_since == since
            ),
            now=now,
        )
        if event is not None:
            events.append(event)
    _mirror_if_out_of_step(policy)
    return events


def force(article_id, mode, *, actor, note=""):
    """A moderator forces an article's surge on or off (`Mode.ON`, `Mode.OFF`) or gives it
    back to the automatic rule (`Mode.AUTO`: it stays as it is until the rule switches it).
    Needs the permission to moderate comments. Returns the event, or None if the article
    was in that mode already."""
    if not policies.can_moderate(actor):
        raise PermissionDenied("Only moderators can switch an article's surge.")
    mode = Mode(mode)
    if mode == Mode.ON:
        on, cause = True, Cause.FORCED_ON
    elif mode == Mode.OFF:
        on, cause = False, Cause.FORCED_OFF
    else:
        on, cause = None, Cause.AUTOMATIC
    policy = policies.current()
    pending, posts = busy_numbers(article_id, policy)
    return _switch(
        article_id,
        on=on,
        mode=mode,
        cause=cause,
        actor=actor,
        note=note,
        params=_numbers(policy, pending, posts),
        only_if=lambda s: s.mode != mode,
    )


def _switch(article_id, *, on, cause, params, only_if, mode=None, actor=None, note="", now=None):
    """Switch article `article_id` (`on`: True, False, or None to keep it as it is) and
    record why, if `only_if(surge row)` still holds once the policy row is locked (two posts
    passing the threshold together switch it once, and alert once). Mirrors the states on
    the policy row and moves it like a save. Returns the event, or None."""
    now = now or timezone.now()
    with transaction.atomic():
        ModerationPolicy.objects.get_or_create(pk=1)
        # Every switch takes this lock first: one at a time, so the mirror written below
        # is never another switch's stale copy.
        list(ModerationPolicy.objects.select_for_update().filter(pk=1).values_list("pk"))
        surge, _created = Surge.objects.get_or_create(article_id=article_id)
        if not only_if(surge):
            return None
        if mode is not None:
            surge.mode = mode
        if on is not None and on != surge.active:
            surge.active = on
            surge.changed_at = now
        surge.calm_since = None
        surge.save()
        event = SurgeEvent.objects.create(
            article_id=article_id,
            created_at=now,
            on=surge.active,
            cause=cause,
            actor=actor,
            note=note[:300],
            params=params,
        )
        _mirror()
        policies.forget()  # every page gets a new key; the cached policy is dropped
        if cause in (Cause.PENDING, Cause.RATE):
            from comments import tasks

            queue.after_commit(tasks.mail_surge_alert, event.pk)
    logger.info("article %s: surge %s (%s)", article_id, "on" if surge.active else "off", cause)
    return event


def states():
    """{article id (str): state} from the rows: what the policy row's mirror should say."""
    rows = Surge.objects.exclude(mode=Mode.AUTO, active=False)
    return {str(s.article_id): s.state for s in rows}


def _mirror():
    ModerationPolicy.objects.filter(pk=1).update(surges=states())


def _mirror_if_out_of_step(policy):
    """Rewrite the mirror if it differs from the rows (a policy form saved with an old copy
    while an article switched): the job heals it within a minute."""
    if (policy.surges or {}) == states():
        return
    with transaction.atomic():
        list(ModerationPolicy.objects.select_for_update().filter(pk=1).values_list("pk"))
        _mirror()
        policies.forget()


def too_soon(article_id, ip, email, policy, now=None):
    """Has this IP or address posted on the article, in surge, within `surge_interval`?
    No query unless the article is in surge."""
    if not policy.in_surge(article_id):
        return False
    since = (now or timezone.now()) - timedelta(seconds=policy.surge_interval)
    return Comment.objects.recent_from(ip, email, since).filter(article_id=article_id).exists()


def history(article_id, limit=20):
    """The article's latest switches, newest first, with who made them."""
    return list(SurgeEvent.objects.filter(article_id=article_id).select_related("actor")[:limit])
