"""Putting work on the queue (Django's Tasks API; the backend is `settings.TASKS`).

Enqueueing never breaks the caller: if the queue cannot be reached the failure is logged
and the work is left for the sweep (`comments.tasks.sweep`, which finds every comment left
unchecked and every report left undelivered). Work that depends on rows being committed is
enqueued after the commit, so a worker never looks for a comment that is not there yet.
"""

import logging
from collections import Counter

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# Duplicate deliveries of one job (a worker killed after the work, before acknowledging
# it; the sweep and a deferred retry both due): counted per kind, each one logged.
duplicates = Counter()


def count_duplicate(kind, comment_id, why):
    duplicates[kind] += 1
    logger.info(
        "duplicate %s for comment %s skipped (%s); duplicates of %s so far in this process: %d",
        kind,
        comment_id,
        why,
        kind,
        duplicates[kind],
    )


def enqueue(task, *args, run_after=None):
    """Enqueue `task(*args)`, at `run_after` if given; returns the result handle, or None
    if the queue could not take it (logged; the sweep finds the work later). A deferred job
    on a backend that cannot defer (the immediate backend of the tests) is left to the
    sweep too."""
    try:
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return None
            task = task.using(run_after=max(run_after, timezone.now()))
        return task.enqueue(*args)
    except Exception as exc:
        logger.warning(
            "could not enqueue %s%r: %s: %s (the sweep will pick the work up)",
            task.name,
            args,
            exc.__class__.__name__,
            exc,
        )
        return None


def after_commit(task, *args, run_after=None):
    """Enqueue `task(*args)` once the current transaction commits (at once in autocommit)."""
    transaction.on_commit(lambda: enqueue(task, *args, run_after=run_after), robust=True)


def backend_kind():
    """ "database", "rq" or "immediate": which backend `settings.TASKS` names."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    name = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
    return {"DatabaseBackend": "database", "RQBackend": "rq"}.get(name, "immediate")


def ping():
    """Raise if the queue's store cannot be reached (Redis for RQ, the database else)."""
    if backend_kind() == "rq":
        import django_rq

        django_rq.get_connection("default").ping()
    else:
        from django.db import connection

        connection.ensure_connection()


def wait_until_reachable(what, *, retry_every=5.0, sleep=None):
    """Block until the queue answers. The first failure is one clear log line (and one more
    every 10 minutes while it lasts), not a traceback per try: a worker or scheduler
    started before Redis or the database waits for it instead of crash-looping."""
    import time as _time

    sleep = sleep or _time.sleep
    failures = 0
    while True:
        try:
            ping()
        except Exception as exc:
            if failures % max(int(600 / retry_every), 1) == 0:
                logger.error(
                    "%s: the queue (%s) refuses connections: %s: %s; waiting for it, "
                    "trying every %g s",
                    what,
                    backend_kind(),
                    exc.__class__.__name__,
                    exc,
                    retry_every,
                )
            failures += 1
            sleep(retry_every)
            continue
        if failures:
            logger.warning("%s: the queue (%s) answers again; starting", what, backend_kind())
        return failures
