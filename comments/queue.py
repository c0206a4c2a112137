"""Putting work on the queue (Django's Tasks API; the backend is `settings.TASKS`).

Enqueueing never breaks the caller: if the queue cannot be reached the failure is logged
and the work is left for the sweep (`comments.tasks.sweep`, which finds every comment left
unchecked and every report left undelivered). Work that depends on rows being committed is
enqueued after the commit, so a worker never looks for a comment that is not there yet.
"""

import functools
import logging
import secrets
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_rq.queues import DjangoRQ
from django_tasks_rq import RQBackend

logger = logging.getLogger(__name__)

# Duplicate deliveries of one job (a worker killed after the work, before acknowledging
# it; the sweep and a deferred retry both due): counted per kind, each one logged.
duplicates = Counter()


def count_duplicate(kind, comment_id, why):
    _count(
        duplicates, "duplicates", "duplicate %s for comment %s skipped (%s)", kind, comment_id, why
    )


# Held jobs that found, when they ran, that the decision they belonged to had been undone
# or changed: counted per kind, each one logged.
withdrawn = Counter()


def count_withdrawn(kind, comment_id, why):
    _count(withdrawn, "withdrawn", "%s for comment %s not sent (%s)", kind, comment_id, why)


def _count(counter, name, what, kind, comment_id, why):
    """Count one more `kind` in `counter` (called `name`) and log it with the count so far."""
    counter[kind] += 1
    logger.info(
        what + "; %s of %s so far in this process: %d",
        kind,
        comment_id,
        why,
        name,
        kind,
        counter[kind],
    )


def enqueue(task, *args, run_after=None, or_now=False):
    """Enqueue `task(*args)`, at `run_after` if given; returns the result handle, or None
    if the queue could not take it (logged; the sweep finds the work later). A deferred job
    on a backend that cannot defer (the immediate backend of the tests) is left to the
    sweep too, or, with `or_now`, run at once (work held only for an undo window, which
    nothing else would pick up)."""
    try:
        if run_after is not None:
            if not task.get_backend().supports_defer:
                if not or_now:
                    return None
                return task.enqueue(*args)
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


def after_commit(task, *args, run_after=None, or_now=False):
    """Enqueue `task(*args)` once the current transaction commits (at once in autocommit)."""
    transaction.on_commit(
        lambda: enqueue(task, *args, run_after=run_after, or_now=or_now), robust=True
    )


def enqueue_many(task, arg_lists, *, run_after=None, or_now=False):
    """`enqueue(task, *args)` for each `args` of `arg_lists`; returns how many were taken."""
    return sum(
        enqueue(task, *args, run_after=run_after, or_now=or_now) is not None for args in arg_lists
    )


def after_commit_many(task, arg_lists, *, run_after=None, or_now=False):
    """`after_commit` for many jobs of one task: one callback enqueues them all."""
    arg_lists = [tuple(args) for args in arg_lists]
    transaction.on_commit(
        lambda: enqueue_many(task, arg_lists, run_after=run_after, or_now=or_now), robust=True
    )


def backend_kind():
    """ "database", "rq" or "immediate": which backend `settings.TASKS` names."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    names = {cls.__name__ for cls in type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__mro__}
    if "DatabaseBackend" in names:
        return "database"
    return "rq" if "RQBackend" in names else "immediate"


@functools.lru_cache(maxsize=8)
def _pooled_redis(url, timeouts):
    import redis

    return redis.Redis.from_url(url, **dict(timeouts))


def _rq_connection(name):
    """The Redis client of RQ queue `name`: one per process and configuration, so its
    connection pool (and the connections in it) outlives the request. django-rq builds a
    new client from the URL for every queue it hands out, which opened a new connection
    (TCP, HELLO, CLIENT SETINFO) for every enqueue, and left `CONNECTION_KWARGS` (the
    short socket timeouts) unused."""
    from django_rq.settings import QUEUES

    config = QUEUES[name]
    return _pooled_redis(config["URL"], tuple(sorted(config.get("CONNECTION_KWARGS", {}).items())))


class PooledQueue(DjangoRQ):
    """RQ's queue on the process's one client for its configuration (named by
    `RQ_QUEUES[name]["QUEUE_CLASS"]` in settings.py; django-rq builds every queue the RQ
    backend enqueues on with it)."""

    def __init__(self, name="default", *args, connection=None, **kwargs):
        from django_rq.settings import QUEUES

        if name in QUEUES and "URL" in QUEUES[name]:
            connection = _rq_connection(name)
        super().__init__(name, *args, connection=connection, **kwargs)


@functools.lru_cache(maxsize=4)
def _redis_with_timeout(url, timeout):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def ping(timeout=None):
    """Raise if the queue's store cannot be reached (Redis for RQ, the database else).

    `timeout`: seconds to wait for Redis at most (a connection of its own), instead of the
    queue's own socket timeouts; the health check uses it."""
    if backend_kind() == "rq":
        if timeout is not None:
            url = settings.RQ_QUEUES["default"]["URL"]
            _redis_with_timeout(url, timeout).ping()
            return
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


def backlog(timeout=0.5):
    """(jobs waiting for a worker, seconds the oldest of them has waited) on the queue, or
    None for the immediate backend (no queue). Raises if the queue cannot be reached.

    Waiting means due and not started: a job deferred to later (a re-check's back-off)
    waits from its time on. One query on the database queue; on RQ a few Redis calls on a
    connection of its own with `timeout`.
    """
    kind = backend_kind()
    now = timezone.now()
    if kind == "database":
        from django.db.models import Count, Min, Q
        from django_tasks_db.models import DBTaskResult, get_date_max

        never = get_date_max()
        found = DBTaskResult.objects.ready().aggregate(
            depth=Count("pk"),
            oldest_plain=Min("enqueued_at", filter=Q(run_after=never)),
            oldest_deferred=Min("run_after", filter=~Q(run_after=never)),
        )
        starts = [t for t in (found["oldest_plain"], found["oldest_deferred"]) if t is not None]
        return found["depth"], (now - min(starts)).total_seconds() if starts else 0.0
    if kind == "rq":
        from datetime import UTC

        from rq import Queue

        rq_queue = Queue(
            "default", connection=_redis_with_timeout(settings.RQ_QUEUES["default"]["URL"], timeout)
        )
        depth = rq_queue.count
        oldest = 0.0
        for job_id in rq_queue.get_job_ids(0, 0):
            job = rq_queue.fetch_job(job_id)
            if job is not None and job.enqueued_at is not None:
                enqueued = job.enqueued_at
                if enqueued.tzinfo is None:
                    enqueued = enqueued.replace(tzinfo=UTC)
                oldest = max((now - enqueued).total_seconds(), 0.0)
        return depth, oldest
    return None


def _pooled_queue(name, job_class):
    """The queue `name` for the configuration `RQ_QUEUES` gives it now, made once."""
    from django_rq.settings import QUEUES

    return _queue_for(name, repr(sorted(QUEUES[name].items())), job_class)


@functools.lru_cache(maxsize=8)
def _queue_for(name, config_key, job_class):
    from django_rq.settings import QUEUES

    config = QUEUES[name]
    return PooledQueue(
        name,
        default_timeout=config.get("DEFAULT_TIMEOUT"),
        is_async=config.get("ASYNC", True),
        job_class=job_class,
        serializer=config.get("SERIALIZER"),
    )


class PooledRQBackend(RQBackend):
    """django-tasks' RQ backend (`settings.TASKS`), enqueueing on one `PooledQueue` per
    process and queue configuration. The backend asks django-rq for a queue per job, and
    django-rq first builds a new Redis client from the URL (~250 Python calls, a quarter of
    an enqueue) that `PooledQueue` then puts aside for the process's own. The job itself is
    made, stored and signalled exactly as by `RQBackend.enqueue`."""

    def enqueue(self, task, args, kwargs):
        from django_rq.settings import QUEUES
        from django_tasks.base import TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
        from django_tasks.signals import task_enqueued
        from django_tasks_rq.backend import Job, failed_callback, success_callback
        from rq.job import Callback, JobStatus

        config = QUEUES[task.queue_name]
        if "URL" not in config:  # not what PooledQueue pools: as the backend does it
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        task_result = TaskResult(
            task=task,
            # 32 random characters as django-tasks' own ids, from one call to the system's
            # generator instead of 32 (a tenth of the enqueue).
            id=secrets.token_hex(16),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        queue = _pooled_queue(task.queue_name, Job)
        job = queue.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=task_result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(task_result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=task_result)
        return task_result
