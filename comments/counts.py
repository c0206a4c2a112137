"""The queue's counts at any size.

Exact counts of a million comments are not free (a grouped count reads every row), so the
status filter counts exactly while the table is small and, once PostgreSQL's statistics say
it holds more than EXACT_UP_TO comments, shows estimates from those statistics (the table's
size and the share of each status), said as "about" on the page. Pending, what moderators
work through, is always exact (an index-only count).
"""

from django.db import connections, models
from django.db.models.expressions import RawSQL

from comments.models import Comment

S = Comment.Status
EXACT_UP_TO = 100_000
KEYS = [*S.values, "discard"]
# True while the table is small by PostgreSQL's statistics (-1: never analysed): the grouped
# count is guarded by it (a one-time filter, so a large table is not read). pg_backend_pid()
# is parallel-restricted: without it the planner starts parallel workers for the scan of a
# large table that the filter then skips (35 ms for nothing at a million comments).
SMALL_TABLE = (
    "(SELECT reltuples FROM pg_class WHERE oid = 'comments_comment'::regclass) < %s"
    " AND pg_backend_pid() > 0"
)
ESTIMATES = """
SELECT c.reltuples, s.attname, s.most_common_vals::text::text[], s.most_common_freqs
FROM pg_class AS c
LEFT JOIN pg_stats AS s
    ON s.schemaname = current_schema() AND s.tablename = c.relname
    AND s.attname IN ('status', 'verdict')
WHERE c.oid = 'comments_comment'::regclass
"""


def pending_count(request=None):
    """The exact number of comments waiting for moderation, counted once per request: the
    queue's Pending view shows it three times (the admin's header, the status filter, the
    view's own count), each an index scan of every pending comment on a large table."""
    if request is None:
        return Comment.objects.awaiting_moderation().count()
    if not hasattr(request, "_pending_comments"):
        request._pending_comments = Comment.objects.awaiting_moderation().count()
    return request._pending_comments


def status_counts(request=None):
    """({status or "discard": n, "all": n}, estimated): one query while the table is small.
    With `request`, the exact Pending count is shared with the rest of the request
    (`pending_count`): the grouped count's, or the one counted here."""
    counts, estimated = _status_counts(request)
    if request is not None and not estimated:
        request._pending_comments = counts[S.PENDING]
    return counts, estimated


def _status_counts(request):
    queryset = Comment.objects.all()
    postgres = connections[queryset.db].vendor == "postgresql"
    if postgres:
        queryset = queryset.filter(
            RawSQL(SMALL_TABLE, [EXACT_UP_TO], output_field=models.BooleanField())
        )
    counts = queryset.status_counts()
    if not postgres or any(counts.values()):
        return _with_all(counts), False
    estimates = _estimates(queryset.db)
    if estimates is None:  # small after all: the table is empty
        return _with_all(counts), False
    estimates[S.PENDING] = pending_count(request)
    return estimates, True


def _with_all(counts):
    return {**counts, "all": sum(counts[s] for s in S.values) + counts["discard"]}


def _estimates(using):
    with connections[using].cursor() as cursor:
        cursor.execute(ESTIMATES)
        rows = cursor.fetchall()
    total = rows[0][0] if rows else -1
    if total < EXACT_UP_TO:
        return None
    shares = {(name, value): freq for _t, name, values, freqs in rows if name
              for value, freq in zip(values or [], freqs or [], strict=True)}  # fmt: skip
    discard = shares.get(("verdict", Comment.Verdict.DISCARD), 0)
    counts = {s: round(total * shares.get(("status", s), 0)) for s in S.values}
    counts["discard"] = min(counts[S.SPAM], round(total * discard))
    counts[S.SPAM] -= counts["discard"]
    counts["all"] = round(total)
    return {key: _rounded(n) for key, n in counts.items()}


def _rounded(n):
    """Three significant figures: an estimate should not look exact."""
    if n < 1000:
        return n
    digits = len(str(n)) - 3
    return round(n, -digits)
