"""The load balancer's health check, `/healthz` (served by `newsroom.operations`).

Each probe answers "ok" or "down", never an error's text, a version or a host name, and
each has a short timeout, so a hung Redis or database cannot hold the check (nor the
worker thread answering it):

- **database**: one query, `SELECT 1`; on PostgreSQL with `statement_timeout` set for that
  query alone (a new connection times out after `connect_timeout`, 3 s by default).
  Down: 503, the load balancer takes this server out of the pool: it cannot serve pages.
- **cache**: Redis answers `PING` within django-redis's socket timeouts (0.25 s). Down:
  still 200, pages are served uncached and comments post.
- **queue**: RQ's Redis answers `PING` within `QUEUE_TIMEOUT`; the database queue is the
  database. Down: still 200, comments are saved and the sweep enqueues their checks later.

No template, session, cookie or page cache is touched; the answer is never cached.
"""

import json
import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse

from comments import queue

logger = logging.getLogger(__name__)

STATEMENT_TIMEOUT_MS = 1000
QUEUE_TIMEOUT = 0.5
PROBE_KEY = "healthz:probe"


def _database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip: the two statements run as one implicit transaction, so the
            # timeout applies to this SELECT only.
            cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}; SELECT 1")
        else:
            cursor.execute("SELECT 1")
    return True


def _cache():
    if cache.__class__.__module__.startswith("django_redis"):
        from django_redis import get_redis_connection

        return bool(get_redis_connection("default").ping())
    # An in-process cache (local memory): a write and a read, no network.
    cache.set(PROBE_KEY, 1, 10)
    return cache.get(PROBE_KEY) == 1


def _queue(database_ok):
    if queue.backend_kind() != "rq":
        return database_ok  # the jobs are rows in the same database (or run in the caller)
    queue.ping(timeout=QUEUE_TIMEOUT)
    return True


def _probe(name, check, *args):
    try:
        return bool(check(*args))
    except Exception as exc:  # whatever failed, the answer is "down"; the log says why
        if isinstance(exc, DatabaseError):
            connection.close_if_unusable_or_obsolete()
        logger.warning("health check: %s is down: %s: %s", name, exc.__class__.__name__, exc)
        return False


def probes():
    """{"database": bool, "cache": bool, "queue": bool}."""
    database_ok = _probe("database", _database)
    return {
        "database": database_ok,
        "cache": _probe("cache", _cache),
        "queue": _probe("queue", _queue, database_ok),
    }


def healthz():
    """200 while the database answers (whatever else is down), else 503."""
    found = probes()
    body = {"status": "ok" if all(found.values()) else "degraded" if found["database"] else "down"}
    body.update({name: "ok" if ok else "down" for name, ok in found.items()})
    response = HttpResponse(
        json.dumps(body), content_type="application/json", status=200 if found["database"] else 503
    )
    response["Cache-Control"] = "no-store"
    return response
