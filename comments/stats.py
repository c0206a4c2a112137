"""The moderation report's figures: totals kept for the purpose, and what the report reads.

Counted where each thing happens, never recounted from the comments (purging spam and
trash, or erasing a commenter, never changes a past day):

- `status_changed` / `statuses_changed`: called by `moderation.change_status` and
  `change_status_many`, the only places a status changes. A move into approved, spam or
  trash counts for that day (by anyone: a person, Akismet, the policy); a move back out of
  it the same day it entered takes it off again (an undo). A person's first decision on a
  comment counts as `decided`, and its time from posting goes into the histogram
  (`DecisionTime`, fixed `BUCKETS`). A person marking spam what Akismet called ham is
  `missed_spam`; approving what it called spam, a `false_positive`. Staff replies count
  nowhere.
- `received`: `pipeline.submit`; `verdict_recorded`: `spam.check` (Akismet's first
  verdict on a comment); `report_filed` / `reports_decided`: `comments.reports`.
- `sample_queue`: the scheduler's hourly job, the comments awaiting moderation per section.

Each total is one row per local day (`TIME_ZONE`) and section: the article's top-level
category, by slug. `backfill` builds the same totals from the history once (migration
0017, and the demo for its back-dated comments).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from comments.models import (
    Comment,
    CommentEvent,
    DecisionTime,
    ModerationDay,
    QueueSample,
    Report,
)
from comments.reasons import Reason

S = Comment.Status
V = Comment.Verdict

# Upper bounds, in seconds, of the decision-time buckets; 0 is the last, open one.
BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 604800, 0)
COUNTED = (S.APPROVED, S.SPAM, S.TRASH)
CONCLUSIVE = {V.HAM: "akismet_ham", V.SPAM: "akismet_spam", V.DISCARD: "akismet_spam"}
# The queue sample's row for every section together (a sample with nothing pending says 0).
ALL = "*"
QUEUE_EVERY = timedelta(hours=1)
FIELDS = (
    "received",
    "approved",
    "spam",
    "trash",
    "decided",
    "akismet_ham",
    "akismet_spam",
    "missed_spam",
    "false_positives",
    "reports_filed",
    "reports_kept",
    "reports_removed",
)


def section_of(path):
    """The section (top-level category slug) of a category path."""
    return (path or "").split("/")[0] or "-"


def _section(comment):
    """The section of `comment`'s article: from the loaded article and category if they are
    there, else one query (remembered on the comment)."""
    cached = getattr(comment, "_stats_section", None)
    if cached:
        return cached
    article = comment._state.fields_cache.get("article")
    if article is not None and "category" in article._state.fields_cache:
        path = article.category.path
    else:
        path = (
            Comment.objects.filter(pk=comment.pk)
            .values_list("article__category__path", flat=True)
            .first()
        )
    comment._stats_section = section_of(path)
    return comment._stats_section


def bucket_for(seconds):
    """The histogram bucket (its upper bound; 0: the open last one) `seconds` falls in."""
    for bound in BUCKETS[:-1]:
        if seconds <= bound:
            return bound
    return 0


def _add(model, keys, counts):
    """Add `counts` ({field: n}, n may be negative) to `model`'s row for `keys`, creating
    it; never below 0."""
    counts = {name: n for name, n in counts.items() if n}
    if not counts:
        return
    # Only a decrement can go below 0 (and needs the guard).
    changes = {
        name: F(name) + n if n > 0 else Greatest(F(name) + n, Value(0))
        for name, n in counts.items()
    }
    if model.objects.filter(**keys).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**keys, **{name: max(n, 0) for name, n in counts.items()})
    except IntegrityError:  # created meanwhile
        model.objects.filter(**keys).update(**changes)


def add_day(day, section, counts, model=ModerationDay):
    _add(model, {"day": day, "section": section}, counts)


def add_decision_times(day, section, buckets, model=DecisionTime):
    for bucket, n in buckets.items():
        _add(model, {"day": day, "section": section, "bucket": bucket}, {"count": n})


def _day(moment):
    return timezone.localdate(moment)


@dataclass
class _Move:
    """What a status change needs to be counted (from a comment, or from its history)."""

    old: str
    to: str
    person: bool
    reason: str
    entered_at: datetime  # when it entered `old`
    decided_before: bool  # a person decided on it before
    created_at: datetime
    verdict: str
    at: datetime
    counts: Counter = field(default_factory=Counter)
    seconds: int | None = None


def _count_move(move):
    """Fill `move.counts` and `move.seconds` (the decision time, if it is a person's first
    decision). One rule for the live path and the backfill."""
    if move.reason == Reason.STAFF_REPLY or move.old == move.to:
        return move
    if move.to in COUNTED:
        move.counts[move.to] += 1
    if move.old in COUNTED and _day(move.entered_at) == _day(move.at):
        # Taken back the day it was done (an undo, a second opinion): neither the status nor
        # a person overruling Akismet by it counts for that day.
        move.counts[move.old] -= 1
        if move.old == S.SPAM and move.verdict == V.HAM:
            move.counts["missed_spam"] -= 1
        if move.old == S.APPROVED and move.verdict in (V.SPAM, V.DISCARD):
            move.counts["false_positives"] -= 1
    if move.person:
        if not move.decided_before and move.to != S.PENDING:
            move.counts["decided"] += 1
            move.seconds = max(int((move.at - move.created_at).total_seconds()), 0)
        if move.to == S.SPAM and move.verdict == V.HAM:
            move.counts["missed_spam"] += 1
        if move.to == S.APPROVED and move.verdict in (V.SPAM, V.DISCARD):
            move.counts["false_positives"] += 1
    return move


def _record(day, section, moves):
    counts, buckets = Counter(), Counter()
    for move in moves:
        counts.update(move.counts)
        if move.seconds is not None:
            buckets[bucket_for(move.seconds)] += 1
    add_day(day, section, counts)
    add_decision_times(day, section, buckets)


def status_changed(comment, old, to, *, actor, reason, now):
    """Count `comment`'s move from `old` to `to` (called by `change_status` inside its
    transaction, before the comment's fields are updated)."""
    if reason == Reason.STAFF_REPLY or old == to:
        return
    move = _count_move(
        _Move(
            old=old,
            to=to,
            person=actor is not None,
            reason=reason,
            entered_at=comment.status_changed_at,
            decided_before=comment.moderated_at is not None,
            created_at=comment.created_at,
            verdict=comment.verdict,
            at=now,
        )
    )
    _record(_day(now), _section(comment), [move])


def statuses_changed(pks, old, to, *, actor, reason, now):
    """Count the moves of those of comments `pks` still in `old` (called by
    `change_status_many` before its update): one query, one write per section."""
    if reason == Reason.STAFF_REPLY or old == to:
        return
    rows = Comment.objects.filter(pk__in=list(pks), status=old).values_list(
        "article__category__path", "status_changed_at", "moderated_at", "created_at", "verdict"
    )
    by_section = defaultdict(list)
    for path, entered, moderated, created, verdict in rows:
        # One decision about many comments (a ban), not a judgement of each: nobody's
        # decision on its text, so not timed and no verdict overruled.
        move = _Move(old, to, False, reason, entered, moderated is not None, created, verdict,
                     now)  # fmt: skip
        by_section[section_of(path)].append(_count_move(move))
    for section in sorted(by_section):  # one order of row locks for every caller
        _record(_day(now), section, by_section[section])


def decisions_recorded(moves, *, actor, reason, now):
    """Count a person's moves of many comments, [(comment, old, to)], as `status_changed`
    counts each (called by `moderation.decide_many` inside its transaction, before the
    comments' fields are updated): the sections read in one query at most, one write per
    section and counter."""
    if reason == Reason.STAFF_REPLY:
        return
    _sections([comment for comment, _old, _to in moves])
    by_section = defaultdict(list)
    for comment, old, to in moves:
        if old == to:
            continue
        move = _Move(old, to, actor is not None, reason, comment.status_changed_at,
                     comment.moderated_at is not None, comment.created_at, comment.verdict,
                     now)  # fmt: skip
        by_section[_section(comment)].append(_count_move(move))
    for section in sorted(by_section):  # one order of row locks for every caller
        _record(_day(now), section, by_section[section])


def _sections(comments):
    """Remember the section on each of `comments` whose article and category are not
    loaded (`_section` would read it): one query for all of them."""
    missing = {c.pk: c for c in comments if not _section_known(c)}
    if missing:
        rows = Comment.objects.filter(pk__in=list(missing)).values_list(
            "pk", "article__category__path"
        )
        for pk, path in rows:
            missing[pk]._stats_section = section_of(path)


def _section_known(comment):
    if getattr(comment, "_stats_section", None):
        return True
    article = comment._state.fields_cache.get("article")
    return article is not None and "category" in article._state.fields_cache


def received(comment):
    """A reader's comment was saved (`pipeline.submit`). Once the day's row exists (every
    POST but the day's first in the section), one UPDATE written as SQL: the ORM's update
    cost ~450 Python calls on every comment POST."""
    day, section = _day(comment.created_at), _section(comment)
    table = ModerationDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET received = received + 1 WHERE day = %s AND section = %s",
            [connection.ops.adapt_datefield_value(day), section],
        )
        if cursor.rowcount:
            return
    add_day(day, section, {"received": 1})


def verdict_recorded(comment, before, after, now):
    """Akismet's verdict was recorded (`spam.check`): counted once per comment, its first
    conclusive one (ham, spam or blatant spam)."""
    if before in CONCLUSIVE or after not in CONCLUSIVE:
        return
    add_day(_day(now), _section(comment), {CONCLUSIVE[after]: 1})


def report_filed(comment, now):
    add_day(_day(now), _section(comment), {"reports_filed": 1})


def reports_decided(comment, decision, n, now):
    name = "reports_kept" if decision == Report.Decision.KEEP else "reports_removed"
    add_day(_day(now), _section(comment), {name: n})


def sample_slot(now):
    return now.replace(minute=0, second=0, microsecond=0)


def sample_queue(now=None):
    """Store how many comments await moderation, per section and in all, for this hour's
    slot (a second call in the same hour changes nothing). Returns the total."""
    slot = sample_slot(now or timezone.now())
    per_section = Counter()
    rows = (
        Comment.objects.awaiting_moderation()
        .values_list("article__category__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for path, n in rows:
        per_section[section_of(path)] += n
    total = sum(per_section.values())
    QueueSample.objects.bulk_create(
        [
            QueueSample(taken_at=slot, section=section, pending=n)
            for section, n in [*per_section.items(), (ALL, total)]
        ],
        ignore_conflicts=True,
    )
    return total


# The backfill: the same totals, from the history.


class _Models:
    Comment = Comment
    CommentEvent = CommentEvent
    Report = Report
    ModerationDay = ModerationDay
    DecisionTime = DecisionTime
    QueueSample = QueueSample


def backfill(models=_Models, comment_ids=None, now=None, queue_days=90):
    """Add to the totals what the history of comments `comment_ids` (all: None) says:
    received, status moves, Akismet's first verdicts, reports and decisions, and hourly
    queue samples (the last `queue_days`; a sample already stored is kept). Run once by
    migration 0017 (later purges would make a second run count less) and by the demo for
    its new comments. `models`: the migration's historical models."""
    now = now or timezone.now()
    comments = models.Comment.objects.all()
    if comment_ids is not None:
        comments = comments.filter(pk__in=list(comment_ids))
    info = {
        pk: (created, section_of(path))
        for pk, created, path in comments.values_list(
            "pk", "created_at", "article__category__path"
        ).iterator()
    }
    if not info:
        return 0
    events = defaultdict(list)
    history = (
        models.CommentEvent.objects.filter(comment_id__in=list(info), kind__in=["status", "check"])
        .order_by("created_at", "pk")
        .values_list(
            "comment_id",
            "kind",
            "created_at",
            "actor_id",
            "from_status",
            "to_status",
            "reason",
            "details",
        )  # fmt: skip
    )
    for row in history.iterator():
        events[row[0]].append(row[1:])
    days = defaultdict(Counter)
    buckets = defaultdict(Counter)
    pending = []  # (section, start, end) while pending
    for pk, (created, section) in info.items():
        lines = events.get(pk, [])
        if any(kind == "status" and reason == Reason.STAFF_REPLY for kind, *_, reason, _d in lines):
            continue
        days[(_day(created), section)]["received"] += 1
        status, entered, decided, verdict = S.PENDING, created, False, V.UNCHECKED
        for kind, at, actor_id, old, to, reason, details in lines:
            if kind == "check":
                after = (details or {}).get("verdict", "")
                if verdict not in CONCLUSIVE and after in CONCLUSIVE:
                    days[(_day(at), section)][CONCLUSIVE[after]] += 1
                verdict = after or verdict
                continue
            move = _count_move(
                _Move(
                    old, to, actor_id is not None, reason, entered, decided, created, verdict, at
                )  # fmt: skip
            )
            days[(_day(at), section)].update(move.counts)
            if move.seconds is not None:
                buckets[(_day(at), section)][bucket_for(move.seconds)] += 1
            if old == S.PENDING and to != S.PENDING:
                pending.append((section, entered, at))
            decided = decided or actor_id is not None
            if old != to:
                status, entered = to, at
        if status == S.PENDING:
            pending.append((section, entered, now))
    reports = models.Report.objects.filter(comment_id__in=list(info)).values_list(
        "comment_id", "created_at", "decided_at", "decision"
    )
    for comment_id, created, decided_at, decision in reports.iterator():
        section = info[comment_id][1]
        days[(_day(created), section)]["reports_filed"] += 1
        if decided_at is not None:
            name = "reports_kept" if decision == "keep" else "reports_removed"
            days[(_day(decided_at), section)][name] += 1
    for (day, section), counts in days.items():
        add_day(day, section, counts, model=models.ModerationDay)
    for (day, section), counted in buckets.items():
        add_decision_times(day, section, counted, model=models.DecisionTime)
    _backfill_queue(models, pending, now, queue_days)
    return len(info)


def _backfill_queue(models, pending, now, queue_days):
    """Hourly samples rebuilt from the times comments were pending."""
    first = sample_slot(now - timedelta(days=queue_days))
    counts = defaultdict(Counter)
    for section, start, end in pending:
        slot = max(sample_slot(start) + QUEUE_EVERY, first)
        while slot <= end and slot <= now:
            counts[slot][section] += 1
            slot += QUEUE_EVERY
    if not counts:
        return
    slot, last = min(counts), sample_slot(now)
    samples = []
    while slot <= last:
        per_section = counts.get(slot, {})
        samples.extend(
            models.QueueSample(taken_at=slot, section=section, pending=n)
            for section, n in per_section.items()
        )
        samples.append(
            models.QueueSample(taken_at=slot, section=ALL, pending=sum(per_section.values()))
        )
        slot += QUEUE_EVERY
    models.QueueSample.objects.bulk_create(samples, ignore_conflicts=True, batch_size=500)


# What the report reads: a fixed number of queries whatever the number of days.


def percentile(buckets, q):
    """The `q` (0..1) quantile, in seconds, of a decision-time histogram ({bound: n}),
    interpolated within its bucket; the open last bucket gives its lower bound. None
    without decisions."""
    total = sum(buckets.values())
    if not total:
        return None
    target, seen, lower = q * total, 0, 0
    for bound in BUCKETS:
        n = buckets.get(bound, 0)
        if n and seen + n >= target:
            if bound == 0:
                return lower
            return round(lower + (bound - lower) * (target - seen) / n)
        seen += n
        lower = bound or lower
    return lower


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Period:
    """One day or week of the report."""

    start: datetime  # a date
    label: str
    short: str = ""  # for a chart's axis
    totals: Counter = field(default_factory=Counter)
    buckets: Counter = field(default_factory=Counter)
    queue: list = field(default_factory=list)

    def __getattr__(self, name):
        if name in FIELDS:
            return self.totals[name]
        raise AttributeError(name)

    @property
    def p50(self):
        return percentile(self.buckets, 0.5)

    @property
    def p90(self):
        return percentile(self.buckets, 0.9)

    @property
    def queue_mean(self):
        return round(sum(self.queue) / len(self.queue), 1) if self.queue else None

    @property
    def queue_max(self):
        return max(self.queue) if self.queue else None

    @property
    def missed_rate(self):
        """Missed spam, in % of the comments Akismet called ham."""
        return _rate(self.missed_spam, self.akismet_ham)

    @property
    def false_positive_rate(self):
        """False positives, in % of the comments Akismet called spam."""
        return _rate(self.false_positives, self.akismet_spam)


def period_start(day, period):
    return day - timedelta(days=day.weekday()) if period == "week" else day


def periods(period, start, end):
    """The report's periods from `start` to `end` (dates; a week starts on Monday)."""
    step = timedelta(weeks=1) if period == "week" else timedelta(days=1)
    day, last, result = period_start(start, period), period_start(end, period), []
    while day <= last:
        label = f"w/c {day:%d %b}" if period == "week" else f"{day:%a %d %b}"
        result.append(Period(day, label, f"{day.day} {day:%b}"))
        day += step
    return result


def figures(period, start, end, section=None):
    """The report's periods from `start` to `end`, per `period` ("day" or "week"), for one
    section (its slug) or all (None): three queries."""
    rows = periods(period, start, end)
    by_start = {row.start: row for row in rows}
    first, last = rows[0].start, rows[-1].start + timedelta(days=6 if period == "week" else 0)
    days = ModerationDay.objects.filter(day__range=(first, last))
    times = DecisionTime.objects.filter(day__range=(first, last))
    if section is not None:
        days, times = days.filter(section=section), times.filter(section=section)
    for values in days.values("day", *FIELDS):
        by_start[period_start(values.pop("day"), period)].totals.update(values)
    for day, bucket, n in times.values_list("day", "bucket", "count"):
        by_start[period_start(day, period)].buckets[bucket] += n
    zone = timezone.get_current_timezone()
    since = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    samples = QueueSample.objects.filter(
        taken_at__gte=since, taken_at__lt=until, section__in=[ALL, section or ALL]
    ).values_list("taken_at", "section", "pending")
    slots = defaultdict(dict)
    for taken_at, name, pending in samples:
        slots[taken_at][name] = pending
    for taken_at, values in sorted(slots.items()):
        if ALL in values:  # the hour was sampled; a section missing from it had none
            row = by_start.get(period_start(timezone.localdate(taken_at), period))
            if row is not None:
                row.queue.append(values.get(section or ALL, 0))
    return rows
