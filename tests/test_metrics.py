"""`/metrics` for Prometheus: from the allowed addresses only (judged after the trusted
proxies), with the request latency by route name, Akismet's calls and failures, the
comments awaiting moderation and the queue's backlog, each moving when the site works."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from comments import queue, tasks
from comments.models import Comment
from tests.comments.conftest import article, form_data, post, post_url  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = pytest.mark.django_db


def scrape(**headers):
    response = Client().get("/metrics", **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"
    return response.content.decode()


def value(text, name, **labels):
    """The sample `name{labels}` in the exposition `text` (0 if absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0


def families(text):
    return {family.name for family in text_string_to_metric_families(text)}


# Who may read it.


def test_loopback_may_read_it_by_default():
    text = scrape(REMOTE_ADDR="127.0.0.1")
    assert {
        "django_http_requests_latency_seconds_by_view_method",
        "newsroom_akismet_request_seconds",
        "newsroom_akismet_failures",
        "newsroom_comments_pending",
    } <= families(text)
    assert scrape(REMOTE_ADDR="::1")


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded"),
    [
        (0, "203.0.113.9", None),  # a stranger, no proxy
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "127.0.0.1", "203.0.113.9"),  # behind nginx: the connection is loopback
        (1, "127.0.0.1", "127.0.0.1, 203.0.113.9"),  # a forged chain through nginx
        (1, "127.0.0.1", "::1, 10.0.0.1, 203.0.113.9"),
        (2, "127.0.0.1", "127.0.0.1, 203.0.113.9, 10.0.0.2"),  # CDN and nginx
    ],
)
def test_everyone_else_gets_a_plain_404(settings, proxies, remote, forwarded):
    settings.TRUSTED_PROXIES = proxies
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    response = Client().get("/metrics", **headers)
    assert response.status_code == 404
    assert response.content == b"Not Found"
    assert response["Cache-Control"] == "no-store"


def test_allowed_networks_after_the_trusted_proxies(settings):
    """Prometheus on the private network, through nginx: its real address is judged."""
    import ipaddress

    settings.TRUSTED_PROXIES = 1
    settings.METRICS_ALLOWED_IPS = [ipaddress.ip_network("10.0.0.0/8")]
    assert scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.1.2.3")
    refused = Client().get("/metrics", REMOTE_ADDR="127.0.0.1")  # loopback is not listed now
    assert refused.status_code == 404


def test_answered_before_the_host_check(settings):
    """Prometheus asks each app server by address, which ALLOWED_HOSTS does not name."""
    settings.ALLOWED_HOSTS = ["news.example.com"]
    assert scrape(HTTP_HOST="127.0.0.1:8000")


def test_only_get_and_head():
    assert Client().post("/metrics").status_code == 405


# What it says.


def test_request_latency_by_route_name(client, article):  # noqa: F811
    name = "django_http_requests_latency_seconds_by_view_method_count"
    before = value(scrape(), name, view="articles:page", method="GET")
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(article.get_absolute_url()).status_code == 200  # a cached page too
    after = value(scrape(), name, view="articles:page", method="GET")
    assert after == before + 2


def test_a_method_the_client_invents_is_no_new_series(client, article):  # noqa: F811
    client.generic("BREW", article.get_absolute_url())
    text = scrape()
    assert "BREW" not in text
    name = "django_http_responses_total_by_status_view_method_total"
    assert value(text, name, method="<invalid method>") >= 1


def test_akismet_calls_are_counted_and_timed(post, akismet_server):  # noqa: F811
    name = "newsroom_akismet_request_seconds_count"
    failures = "newsroom_akismet_failures_total"
    text = scrape()
    before, failed_before = (value(text, n, call="comment_check") for n in (name, failures))
    assert post().status_code == 302  # checked at once by the tests' immediate queue
    assert akismet_server.calls("comment-check")
    text = scrape()
    assert value(text, name, call="comment_check") == before + 1
    # The counter is the process's, for the whole session: this call added no failure.
    assert value(text, failures, call="comment_check") == failed_before


@pytest.mark.parametrize(
    ("breakage", "reason"),
    [("refused", "connection_error"), ("500", "http_error"), ("slow", "timed_out")],
)
def test_akismet_failures_are_counted_by_reason(
    post,  # noqa: F811
    akismet_server,
    settings,
    breakage,
    reason,
):
    if breakage == "refused":
        settings.AKISMET_API_URL = akismet_server.refused_url
    else:
        akismet_server.fail_rate = 1.0
        akismet_server.fail_mode = breakage
    name = "newsroom_akismet_failures_total"
    before = value(scrape(), name, call="comment_check", reason=reason)
    assert post().status_code == 302
    assert Comment.objects.get().verdict == Comment.Verdict.ERROR
    text = scrape()
    assert value(text, name, call="comment_check", reason=reason) == before + 1
    assert value(text, "newsroom_akismet_request_seconds_count", call="comment_check") >= 1


def test_pending_comments_at_scrape_time(post, client, article):  # noqa: F811
    assert value(scrape(), "newsroom_comments_pending") == 0
    post()
    post(name="Bea")
    assert value(scrape(), "newsroom_comments_pending") == 2
    Comment.objects.filter(pk=Comment.objects.first().pk).delete()
    assert value(scrape(), "newsroom_comments_pending") == 1


def test_no_queue_gauges_without_a_queue():
    """The immediate backend (the tests') runs jobs in the caller: nothing waits."""
    assert "newsroom_queue_depth" not in families(scrape())


@override_settings(TASKS=DATABASE_QUEUE)
def test_database_queue_depth_and_oldest_wait(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    text = scrape()
    assert value(text, "newsroom_queue_up") == 1
    assert value(text, "newsroom_queue_depth") == 0
    assert value(text, "newsroom_queue_oldest_job_age_seconds") == 0
    queue.enqueue(tasks.sweep)
    time_machine.shift(timedelta(seconds=30))
    queue.enqueue(tasks.purge)
    queue.enqueue(tasks.digest, run_after=timezone.now() + timedelta(minutes=10))  # later
    time_machine.shift(timedelta(seconds=60))
    text = scrape()
    assert value(text, "newsroom_queue_depth") == 2
    assert value(text, "newsroom_queue_oldest_job_age_seconds") == 90
    time_machine.shift(timedelta(minutes=10))  # the deferred one is due now, waiting 0 s
    text = scrape()
    assert value(text, "newsroom_queue_depth") == 3
    assert value(text, "newsroom_queue_oldest_job_age_seconds") == 690


def test_rq_queue_depth_and_oldest_wait(time_machine):
    from tests.comments.test_queue_rq import REDIS_URL, RQ, _redis

    client = _redis()
    client.flushdb()
    try:
        with override_settings(TASKS=RQ, RQ_QUEUES={"default": {"URL": REDIS_URL}}):
            assert value(scrape(), "newsroom_queue_depth") == 0
            queue.enqueue(tasks.sweep)
            queue.enqueue(tasks.purge)
            text = scrape()
            assert value(text, "newsroom_queue_up") == 1
            assert value(text, "newsroom_queue_depth") == 2
            time_machine.move_to(timezone.now() + timedelta(minutes=5))
            assert value(scrape(), "newsroom_queue_oldest_job_age_seconds") >= 300
    finally:
        client.flushdb()


def test_queue_unreachable_is_said_not_an_error(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    text = scrape()
    assert value(text, "newsroom_queue_up") == 0
    assert "newsroom_queue_depth" not in families(text)
    assert "newsroom_comments_pending" in families(text)


def test_multiprocess_mode_sums_every_process(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR, what a worker process measured (an Akismet failure)
    is in the page another process (gunicorn's) serves."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "ENV_FILE": "",
        "SECRET_KEY": "x" * 50,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    setup = "import django; django.setup(); "
    worker = setup + (
        "from comments import metrics; "
        "metrics.AKISMET_FAILURES.labels('comment_check', 'timed_out').inc(3)"
    )
    scraper = setup + (
        "from django.test import Client; "
        "print(Client().get('/metrics', REMOTE_ADDR='127.0.0.1').content.decode())"
    )
    for code in (worker, worker):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, timeout=60)
        assert done.returncode == 0
    page = subprocess.run(
        [sys.executable, "-c", scraper], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert page.returncode == 0, page.stderr
    failures = value(
        page.stdout, "newsroom_akismet_failures_total", call="comment_check", reason="timed_out"
    )
    assert failures == 6
