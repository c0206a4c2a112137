"""The real thing: comments posted through the site, checked by a separate worker process
(`manage.py run_worker`) taking jobs from Redis (RQ), against the Akismet stand-in.

Needs Redis on 127.0.0.1:6379 (database 9, or TEST_RQ_REDIS_DB; emptied by these tests);
without it the tests skip, except under CI=true, where they must run.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from comments import queue, tasks
from comments.models import Comment

ROOT = Path(__file__).resolve().parents[2]
# TEST_RQ_REDIS_DB: another database for a second checkout running the suite at the same time.
REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('TEST_RQ_REDIS_DB', '9')}"
# The production backend: django-tasks' RQ backend on one pooled queue per process.
RQ = {"default": {"BACKEND": "comments.queue.PooledRQBackend", "QUEUES": ["default"]}}


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({exc.__class__.__name__})")
    return client


@pytest.fixture
def rq_queue(transactional_db):
    client = _redis()
    client.flushdb()  # database 9 is these tests' own
    settings = override_settings(
        TASKS=RQ, RQ_QUEUES={"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    )
    settings.enable()
    yield client
    settings.disable()
    client.flushdb()


def _database_url():
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_env(akismet_server):
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "test-only-not-secret",
        "DATABASE_URL": _database_url(),
        "TASKS_URL": REDIS_URL,
        "AKISMET_API_KEY": "stub-key-123",
        "AKISMET_API_URL": akismet_server.url,
        "AKISMET_BLOG_URL": "http://testserver",
        "AKISMET_TIMEOUT": "2",
        "EMAIL_URL": "consolemail://",
        "CACHE_URL": "dummycache://",
    }


def run_worker(env, *extra, timeout=60):
    return subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--burst", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_worker_process_checks_what_the_post_enqueued(rq_queue, worker_env, post, akismet_server):
    assert post(comment="Fair point.").status_code == 302
    assert post(name="akismet-guaranteed-spam", comment="Cheap pills").status_code == 302
    assert {c.verdict for c in Comment.objects.all()} == {"unchecked"}
    assert akismet_server.calls("comment-check") == []
    done = run_worker(worker_env)
    assert done.returncode == 0, done.stderr[-2000:]
    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {"Fair point.": "pending", "Cheap pills": "spam"}
    assert len(akismet_server.calls("comment-check")) == 2


def test_a_job_delivered_twice_is_done_once(rq_queue, worker_env, make_comment, akismet_server):
    comment = make_comment(status="pending", verdict="unchecked")
    queue.enqueue(tasks.check_comment, comment.pk, 0)
    queue.enqueue(tasks.check_comment, comment.pk, 0)  # as if redelivered
    done = run_worker(worker_env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(akismet_server.calls("comment-check")) == 1
    assert "duplicate check for comment" in done.stdout + done.stderr
    comment.refresh_from_db()
    assert (comment.verdict, comment.check_attempts) == ("ham", 1)


def test_a_malformed_job_is_refused_not_retried(rq_queue, worker_env):
    queue.enqueue(tasks.check_comment, "not-an-id", "zero")
    done = run_worker(worker_env)
    assert done.returncode == 0
    assert "refused a job with a malformed comment id" in done.stdout + done.stderr
    assert rq_queue.llen("rq:queue:default") == 0  # not put back


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(params=["rq", "database"])
def killable_queue(request, transactional_db, worker_env, tmp_path):
    """A worker's queue of either kind, and its environment with mail written to files."""
    env = {**worker_env, "EMAIL_URL": f"filemail:///{tmp_path}/mail"}
    if request.param == "rq":
        client = request.getfixturevalue("rq_queue")
        yield "rq", client, env
        return
    with override_settings(TASKS=DATABASE_QUEUE):
        yield "database", None, {**env, "TASKS_URL": "database://"}


def _mails(folder):
    """The comment id of each held-comment mail written to `folder` (one file per batch)."""
    import re

    ids = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        ids += [
            int(pk)
            for pk in re.findall(r"/comments/comment/(\d+)/moderate/approve/", path.read_text())
        ]
    return ids


def test_a_worker_killed_mid_check_loses_nothing(
    killable_queue, make_comment, akismet_server, settings, maria, tmp_path
):
    """SIGKILL a worker in the middle of a check (Akismet slow). What the backend does with
    the job it held: the database queue leaves its row RUNNING for good (nothing times it
    out); RQ leaves it in the started-job registry (until its timeout, then failed as
    abandoned), never run again. Either way the sweep re-enqueues every comment still
    unchecked, a new worker checks it, and each comment ends with one recorded result and
    one held-comment mail."""
    kind, redis_client, env = killable_queue
    comments = [make_comment(status="pending", verdict="unchecked") for _ in range(6)]
    for c in comments:
        queue.enqueue(tasks.check_comment, c.pk, 0)
    akismet_server.mode = "slow"
    akismet_server.slow_seconds = 0.5
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the worker and any work-horse
    )
    try:
        deadline = time.monotonic() + 30
        while len(akismet_server.calls("comment-check")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the whole worker, as a machine dying would
        worker.wait(10)
    assert len(akismet_server.calls("comment-check")) >= 2, "the worker never got going"
    killed_mid_call = akismet_server.calls("comment-check")[-1]["comment_content"]
    if kind == "database":
        from django_tasks_db.models import DBTaskResult

        running = DBTaskResult.objects.filter(status="RUNNING")
        assert running.count() == 1  # claimed by the dead worker; no one will take it again
        held_job = running.get()
    else:
        from rq import Queue
        from rq.registry import StartedJobRegistry

        started = StartedJobRegistry(queue=Queue("default", connection=redis_client))
        assert len(started.get_job_ids()) == 1  # the dead worker's job, not requeued
    in_flight = Comment.objects.get(body=killed_mid_call)
    assert (in_flight.verdict, in_flight.check_attempts) == ("unchecked", 1)  # claimed, unrecorded

    akismet_server.mode = "normal"
    settings.AKISMET_API_KEY = "stub-key-123"
    # Later: the sweep finds what is still unchecked (its job died with the worker, or waits
    # in the queue: then the claim sorts out who checks).
    Comment.objects.update(created_at=Comment.objects.first().created_at - tasks.unchecked_grace())
    assert tasks.sweep_now()["checks"] >= 1
    done = run_worker(env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert set(Comment.objects.values_list("verdict", flat=True)) == {"ham"}
    for c in comments:
        c.refresh_from_db()
        assert c.history.filter(kind="check").count() == 1
        assert c.status == "pending" and c.notified_at is not None
    mailed = _mails(tmp_path / "mail")
    assert sorted(mailed) == sorted(c.pk for c in comments)  # each once
    # Akismet heard about each comment once, except the one in flight when the worker died
    # (its answer was lost with it): at most one call more than comments.
    assert len(comments) <= len(akismet_server.calls("comment-check")) <= len(comments) + 1
    if kind == "database":
        held_job.refresh_from_db()
        assert held_job.status == "RUNNING"  # left as it was: the sweep did the work


def test_a_worker_started_before_redis_waits_with_one_log_line(tmp_path):
    """Redis refusing connections at start-up: the worker logs one clear line and waits
    (no traceback, no crash loop)."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "test-only-not-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "TASKS_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = worker.communicate(timeout=8)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        out, _ = worker.communicate()
    else:
        pytest.fail(f"the worker exited ({worker.returncode}): {out[-2000:]}")
    assert out.count("refuses connections") == 1, out
    assert "Traceback" not in out


def test_the_rq_dashboard_is_for_staff_only(tmp_path):
    """With TASKS_URL=redis://… the RQ dashboard is in the admin: an anonymous visitor is
    sent to the login page, its JSON without a token is refused."""
    script = (
        "from django.test import Client;"
        "c = Client();"
        "r = c.get('/admin/django_rq/dashboard/');"
        "print(r.status_code, r.get('Location', ''));"
        "r = c.get('/admin/django_rq/dashboard/stats.json');"
        "print(r.status_code)"
    )
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "test-only-not-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "TASKS_URL": REDIS_URL,
        "ALLOWED_HOSTS": "testserver",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    page, stats = done.stdout.split("\n")[:2]
    assert page.startswith("302 /admin/login/"), done.stdout
    assert stats in ("302", "401"), done.stdout


POOLED = {
    "URL": REDIS_URL,
    "DEFAULT_TIMEOUT": 60,
    "CONNECTION_KWARGS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
    "QUEUE_CLASS": "comments.queue.PooledQueue",
}


def test_posts_enqueue_their_checks_on_one_redis_connection(rq_queue, post, run_on_commit):
    """Each enqueue used to build a new Redis client (a new connection, its handshake, a
    look-up of the library's version) and left out the configured socket timeouts."""
    import django_rq

    with override_settings(RQ_QUEUES={"default": POOLED}):
        for n in range(4):
            with run_on_commit():
                assert post(comment=f"Point number {n}.").status_code == 302
        connection = django_rq.get_queue("default").connection
        assert connection is django_rq.get_queue("default").connection
        pool = connection.connection_pool
        assert pool._created_connections == 1  # one connection for all four enqueues
        assert pool.connection_kwargs["socket_timeout"] == 2
        assert pool.connection_kwargs["socket_connect_timeout"] == 0.5
    assert rq_queue.llen("rq:queue:default") == 4
    assert Comment.objects.filter(verdict="unchecked").count() == 4


def test_the_settings_name_the_pooled_queue_for_redis(monkeypatch):
    import importlib

    import newsroom.settings as project_settings

    monkeypatch.setenv("TASKS_URL", REDIS_URL)
    try:
        fresh = importlib.reload(project_settings)
        assert fresh.RQ_QUEUES["default"]["QUEUE_CLASS"] == "comments.queue.PooledQueue"
        assert fresh.TASKS["default"]["BACKEND"] == "comments.queue.PooledRQBackend"
        assert fresh.RQ_QUEUES["default"]["CONNECTION_KWARGS"]["socket_timeout"] == 2
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_the_backend_enqueues_on_one_queue_as_django_tasks_rq_does(rq_queue):
    """`PooledRQBackend` keeps one queue (and its Redis client) per process instead of
    django-rq building a client per job; the jobs are those of django-tasks' RQ backend:
    queued or scheduled, signalled, their results readable through the Tasks API."""
    from datetime import timedelta

    import django_rq
    from django.utils import timezone
    from django_tasks.signals import task_enqueued

    seen = []

    def record(sender, task_result, **kwargs):
        seen.append(task_result.id)

    task_enqueued.connect(record)
    with override_settings(RQ_QUEUES={"default": POOLED}):
        assert queue.backend_kind() == "rq"
        now = queue.enqueue(tasks.check_comment, 123, 0)
        later = queue.enqueue(
            tasks.check_comment, 124, 0, run_after=timezone.now() + timedelta(hours=1)
        )
        from django_tasks_rq.backend import Job

        pooled = queue._pooled_queue("default", Job)
        assert pooled is queue._pooled_queue("default", Job)  # made once
        assert pooled.connection is queue._rq_connection("default")  # the process's client
        assert pooled.connection.connection_pool.connection_kwargs["socket_timeout"] == 2
        assert (now.id, later.id) == tuple(seen) and now.id != later.id
        assert all(len(r.id) == 32 and r.id.isalnum() for r in (now, later))  # as django-tasks
        for result, status in ((now, "queued"), (later, "scheduled")):
            job = django_rq.get_queue("default").fetch_job(result.id)
            assert job.get_status() == status and list(job.args) == [
                123 if result is now else 124,
                0,
            ]
            assert job.func_name == "comments.tasks.check_comment"
            fetched = tasks.check_comment.get_result(result.id)
            assert (fetched.status, fetched.args) == ("READY", result.args)
    task_enqueued.disconnect(record)
    assert rq_queue.llen("rq:queue:default") == 1
