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
