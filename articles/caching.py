"""Cache versions: keys that change when content changes, so no cache is ever flushed.

What is cached, and on what:
- **Whole anonymous pages** (`articles.pagecache`: the front page, category and article
  pages, the feeds; the comments app's later pages of a long thread and comment feeds)
  are keyed on the URL, the **content version** and the schedule's `live_since`.
- **The comment thread** of an article (the comments app's `Thread.fragment`) is keyed on
  that **article's comments version**, the reply depth, whether comments are closed, and
  the page of the thread with the paging policy.
- **The article body** (`templates/articles/article.html`) is keyed on the article and its
  `updated_at`: a save changes it; no version is needed.
- **The schedule** (below), under the content version.

Which write moves which version is written down in one place, `articles.invalidation`;
this module only keeps the versions and the schedule.

The **schedule** says when the public site changes without any write: `live_since` (the
latest publish or unpublish time that has come) is part of the page keys, and every entry
expires by `next_change` (the next scheduled publish, unpublish or comment-closing time). A
scheduled article therefore goes live, and an article with an unpublish time leaves, with
no write to the database. Comments close N days
after publication by the comments app's policy, which that app registers
(`articles.invalidation.register_comments`): articles never imports comments.

The **strict version** moves with every content change except a comment appearing (an
approval): a page rendered under the current strict version can differ from the newest
only by comments it does not show yet. `articles.pagecache` may serve such a page for a
moment while one process renders the new one, never a page from before a removal.

The **shell version** moves with every content change except one to the comments shown on
one article (an approval, a removal, a moderator's edit of a shown comment, an erasure):
an article page rendered under the current shell version differs from the newest only
inside its comments section, so `articles.pagecache` may make the new page from it by
rendering that section alone (`register_section`), after a removal too. It is never a
reason to serve an older page as it is: that is the strict version's.

A version is a random token plus the time it was made (for `Last-Modified`). A bump inside
a transaction writes a new one at once and again after the transaction commits, so a reader
that rendered from the old rows in between cannot keep them under the new key; outside one
(the rows are committed already) it writes once. A moderator's bulk action approves one
comment after another, each committed by itself: its approvals' writes are coalesced
(`coalesced`: at most one every COALESCE_SECONDS), so the pages read meanwhile are rendered
a few times, not once per comment. Every entry also has a bounded
lifetime (`FRAGMENT_SECONDS`): an invalidation lost while the cache was unreachable heals by
itself. When the cache is down, reads return nothing, each request makes its own token and
pages are rendered uncached (django-redis logs the failures; see settings).
"""

import logging
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django_redis.client import DefaultClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CONTENT_KEY = "v:content"
STRICT_KEY = "v:strict"
SHELL_KEY = "v:shell"
COMMENTS_KEY = "v:comments:{}"
# The schedule with the content version it was computed under (one key, so a request reads
# it with the versions in one round trip; another content version recomputes it).
SCHEDULE_KEY = "v:schedule"
# The longest any fragment or page lives, whatever its key says (see the docstring).
FRAGMENT_SECONDS = 300


def _new_version():
    return {"token": uuid.uuid4().hex[:16], "at": time.time()}


def _version(key):
    value = cache.get(key)
    if value is None:
        value = _new_version()
        if not cache.add(key, value, None):  # another process made one first: use theirs
            value = cache.get(key) or value
    return value


# In a bulk action (`coalesced`), approvals' version writes come at most this often.
COALESCE_SECONDS = 0.3


def _write(keys):
    try:
        cache.set_many({key: _new_version() for key in keys}, None)
    except Exception:  # entries expire within FRAGMENT_SECONDS anyway
        logger.warning("cache unavailable; pages may be stale for up to %ss", FRAGMENT_SECONDS)


class _Batch(threading.local):
    """The keys of approvals a bulk action made (in this thread) and has not written yet."""

    active = False
    pending = frozenset()
    written_at = 0.0

    def flush(self):
        if self.pending:
            _write(sorted(self.pending))
        self.pending, self.written_at = frozenset(), time.monotonic()


_batch = _Batch()


@contextmanager
def coalesced():
    """One decision applied to many comments, one after the other (a moderator's bulk
    action), each committed by itself: the versions its approvals move are written when
    the first one commits, then at most every COALESCE_SECONDS with every approval since,
    and at the end; not once per comment, each of which would cost every page read
    meanwhile a render of its own. A write that removes or changes anything (a strict
    bump) is never held back: it goes out at once, with the approvals waiting. Nested, the
    outer block decides."""
    if _batch.active:
        yield
        return
    _batch.active, _batch.pending, _batch.written_at = True, frozenset(), 0.0
    try:
        yield
    finally:
        _batch.flush()
        _batch.active = False


def bump(*, content=False, comments_of=None, only_adds=False, only_comments=False):
    """Give the content version and/or the comments version of article `comments_of` new
    tokens, now and again after the transaction commits; the strict version too, unless
    the write `only_adds` a comment; the shell version too, unless the write changes
    `only_comments` of article `comments_of` (adding one is such a change). Only
    `articles.invalidation` calls this: it says which write moves what. In a `coalesced`
    block, outside a transaction, an approval's write may wait for the next one
    (COALESCE_SECONDS at most)."""
    keys = [CONTENT_KEY] if content else []
    if content and not only_adds:
        keys.append(STRICT_KEY)
    if content and not (only_adds or only_comments):
        keys.append(SHELL_KEY)
    if comments_of is not None:
        keys.append(COMMENTS_KEY.format(comments_of))
    if not keys:
        return
    in_transaction = transaction.get_connection().in_atomic_block
    if _batch.active and not in_transaction:
        _batch.pending |= set(keys)
        if not only_adds or time.monotonic() - _batch.written_at >= COALESCE_SECONDS:
            _batch.flush()
        return
    if in_transaction:
        _write(keys)  # now, and again once the rows are committed (below)
    # Outside a transaction this runs at once: one write, one new version (a second,
    # a moment later, would cost every page a second render for nothing).
    transaction.on_commit(lambda: _write(keys), robust=True)


def content_version():
    """{"token", "at"} of the site's public content."""
    return _version(CONTENT_KEY)


def strict_version():
    """{"token", "at"}: moves with every content change but a comment appearing."""
    return _version(STRICT_KEY)


def shell_version():
    """{"token", "at"}: moves with every content change but one to an article's comments."""
    return _version(SHELL_KEY)


def comments_version(article_id):
    """{"token", "at"} of one article's approved comments."""
    return _version(COMMENTS_KEY.format(article_id))


def _as_datetime(timestamp):
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _schedule_query(close_days):
    """The schedule's one query (see `compute_schedule`), made by the ORM once per process
    (`articles.prepared`): with the comment-closing moment or without it."""
    from articles.models import Article
    from articles.prepared import Prepared

    def build(now, open_since=None):
        published = Article.objects.filter(status=Article.Status.PUBLISHED)
        starts = published.values("published_at")
        ends = published.filter(unpublish_at__isnull=False).values("unpublish_at")
        moments = {
            "latest_publish": starts.filter(published_at__lte=now).order_by("-published_at"),
            "next_publish": starts.filter(published_at__gt=now).order_by("published_at"),
            # An article leaving the site changes every page that listed it: the latest
            # unpublish time that has come is part of `live_since` (so the page keys change),
            # the next one is a `next_change` (so entries expire at that moment).
            "latest_unpublish": ends.filter(unpublish_at__lte=now).order_by("-unpublish_at"),
            "next_unpublish": ends.filter(unpublish_at__gt=now).order_by("unpublish_at"),
        }
        if open_since is not None:
            # The next article whose comments close: the oldest one still open.
            moments["oldest_open"] = starts.filter(
                comments_open=True, published_at__gt=open_since, published_at__lte=now
            ).order_by("published_at")
        # One row of subqueries (none at all without any article: then there is no moment).
        subqueries = {name: Subquery(qs[:1]) for name, qs in moments.items()}
        return Article.objects.order_by().values(**subqueries)[:1]

    sample = timezone.now()
    if close_days:
        return Prepared(build, now=sample, open_since=sample)
    return Prepared(build, now=sample)


_SCHEDULE_QUERIES = {True: None, False: None}


def compute_schedule(now=None):
    """`live_since` and `next_change` from the articles and the policy, in one query: each
    moment a subquery that reads one entry of the (status, published_at) or (status,
    unpublish_at) index, so the cost does not grow with the archive."""
    from articles import invalidation  # which imports this module

    now = now or timezone.now()
    close_days = invalidation.comments_close_after_days()
    query = _SCHEDULE_QUERIES[bool(close_days)]
    if query is None:
        query = _SCHEDULE_QUERIES[bool(close_days)] = _schedule_query(close_days)
    if close_days:
        rows = query.values(now=now, open_since=now - timedelta(days=close_days))
    else:
        rows = query.values(now=now)
    row = rows[0] if rows else dict.fromkeys(("latest_publish", "next_unpublish"))
    changes = [row.get("next_publish"), row.get("next_unpublish")]
    if row.get("oldest_open"):
        changes.append(row["oldest_open"] + timedelta(days=close_days))
    changes = [c for c in changes if c is not None]
    past = [m for m in (row.get("latest_publish"), row.get("latest_unpublish")) if m is not None]
    return {
        "live_since": max(past) if past else None,
        "next_change": min(changes) if changes else None,
    }


def seconds_until(moment, now=None, cap=FRAGMENT_SECONDS):
    """Seconds from now until `moment` (at least 1), capped: an entry's timeout."""
    if moment is None:
        return cap
    left = (moment - (now or timezone.now())).total_seconds()
    return max(1, min(cap, int(left)))


def schedule(content=None, cached=None):
    """The current schedule, cached until its next change and under the content version,
    so saving a scheduled article recomputes it. `cached`: the schedule key's value if
    the caller read it already."""
    content = content or content_version()
    now = timezone.now()
    state = cached if cached is not None else cache.get(SCHEDULE_KEY)
    if (
        state is None
        or state.get("content") != content["token"]
        or (state["next_change"] and state["next_change"] <= now)
    ):
        state = {"content": content["token"], **compute_schedule(now)}
        cache.set(SCHEDULE_KEY, state, seconds_until(state["next_change"], now))
    return state


VERSION_KEYS = (CONTENT_KEY, STRICT_KEY, SHELL_KEY, SCHEDULE_KEY)
_redis_names = {}  # (the cache's key prefix and version) -> VERSION_KEYS as Redis names


def _read_versions():
    """`cache.get_many(VERSION_KEYS)`, from the shared cache on every call (never a copy
    kept in the process: a page must not be served after an unapproval). On django-redis,
    one MGET straight on a pooled connection, with the key names made once: django-redis
    and redis-py's own layers cost more than the page itself on a hit. A failure is
    handled as django-redis handles it (`DJANGO_REDIS_IGNORE_EXCEPTIONS`: logged, nothing
    found)."""
    backend = caches["default"]
    client = getattr(backend, "client", None)
    if type(client) is not DefaultClient:
        return cache.get_many(VERSION_KEYS)
    names = _redis_names.get((backend.key_prefix, backend.version))
    if names is None:
        names = [client.make_key(key) for key in VERSION_KEYS]
        _redis_names[backend.key_prefix, backend.version] = names
    pool = client.get_client(write=False).connection_pool
    try:
        connection = pool.get_connection()
        try:
            connection.send_command("MGET", *names)
            values = connection.read_response()
        except BaseException:
            connection.disconnect()  # a half-read reply must not reach the next caller
            raise
        finally:
            pool.release(connection)
    except (RedisError, OSError) as exc:
        if not backend._ignore_exceptions:
            raise
        if backend._log_ignored_exceptions:
            backend.logger.exception("Exception ignored", exc_info=exc)
        return {}
    return {
        key: client.decode(value)
        for key, value in zip(VERSION_KEYS, values, strict=True)
        if value is not None
    }


class Versions:
    """What a public page's cache keys and validators are made of, read once per request."""

    def __init__(self):
        # All in one round trip, before anything is rendered: a page stored with a strict
        # version was rendered from rows at least as new as that version, and shows every
        # change committed before `read_at` (a bump follows its commit).
        self.read_at = time.time()
        found = _read_versions()
        self.content = found.get(CONTENT_KEY) or content_version()
        self.schedule = schedule(self.content, found.get(SCHEDULE_KEY))
        self._strict_version = found.get(STRICT_KEY) or strict_version()
        self._shell_version = found.get(SHELL_KEY) or shell_version()

    @property
    def strict(self):
        """The strict version and the schedule's `live_since`: the same for two pages when
        the newer only adds comments."""
        live = self.schedule["live_since"]
        return f"{self._strict_version['token']}.{live.timestamp() if live else 0}"

    @property
    def shell(self):
        """The shell version and the schedule's `live_since`: the same for two pages when
        the newer differs only by an article's comments (shown, hidden or edited)."""
        live = self.schedule["live_since"]
        return f"{self._shell_version['token']}.{live.timestamp() if live else 0}"

    @property
    def key(self):
        live = self.schedule["live_since"]
        return f"{self.content['token']}.{live.timestamp() if live else 0}"

    @property
    def last_modified(self):
        """When the public site last changed: a write, or a scheduled article going live."""
        moments = [_as_datetime(self.content["at"]), self.schedule["live_since"]]
        return max(m for m in moments if m is not None)

    def timeout(self):
        return seconds_until(self.schedule["next_change"])
