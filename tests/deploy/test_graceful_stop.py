"""An app server stopped as `systemctl stop` does (SIGTERM to gunicorn's master) while
nginx sends it requests: it finishes what it accepted, refuses the rest, and nginx passes
those to the other app server — a POST too, and stored once (newsroom/gunicorn_worker.py).

A request held in flight on the stopping server (its body not yet sent) keeps it stopping
for as long as the test wants: the window in which gunicorn's own worker kept its port open
and let connections queue on it, to reset them when it closed (a 502 for each POST).
"""

import os
import re
import signal
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from deploy.cluster import Cluster, nginx_binary
from tests.deploy.test_through_nginx import Client, free_port

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "river-delta-towns-agree-shared-flood-plan"


@pytest.fixture(scope="module")
def cluster(nginx, tmp_path_factory):
    assert nginx_binary()
    tmp = tmp_path_factory.mktemp("graceful")
    tmp.chmod(0o755)
    port = free_port()
    environment = {
        "DEBUG": "false",
        "SECRET_KEY": "graceful-stop-tests-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
        "CACHE_URL": "locmemcache://graceful-stop",
        "TASKS_URL": "database://",
        "EMAIL_URL": "dummymail://",
        "TRUSTED_PROXIES": "1",
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "MEDIA_ROOT": str(tmp / "media"),
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"),
    }
    log = open(tmp / "cluster.log", "w")  # noqa: SIM115 (closed below)
    c = Cluster(
        tmp,
        port,
        [free_port(), free_port()],
        environment,
        workers=0,
        scheduler=False,
        gunicorn_args="--workers 1 --threads 4",
        log=log,
    )
    try:
        c.manage("migrate", "--noinput", "-v0")
        c.manage("seed_demo", "-v0", capture=True)
        # Every comment below comes from 127.0.0.1 (nginx's address for this machine): no
        # flood interval, so each is stored.
        c.manage(
            "shell",
            "-v0",
            "-c",
            "from comments.models import ModerationPolicy as P;"
            "P.objects.update_or_create(pk=1, defaults={'flood_interval': 0})",
        )
        c.article = c.manage(
            "shell",
            "-v0",
            "-c",
            f"from articles.models import Article; "
            f"print(Article.objects.get(slug='{ARTICLE}').get_absolute_url())",
            capture=True,
        ).stdout.strip()
        c.start()
        yield c
    finally:
        c.stop()
        log.close()


def stored(cluster, body):
    with sqlite3.connect(cluster.folder / "db.sqlite3") as db:
        return db.execute(
            "SELECT count(*) FROM comments_comment WHERE body = ?", (body,)
        ).fetchone()[0]


def hold_a_request(port):
    """A POST on `port` whose body is not all sent: in flight until `finish` is called (the
    CSRF check reads the body before anything answers)."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=30)
    conn.sendall(
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n"
        b"Connection: close\r\n\r\n12345"
    )

    def finish():
        conn.sendall(b"67890")
        answer = conn.recv(4096)
        conn.close()
        return answer

    return finish


def stop_gracefully(cluster, port):
    """SIGTERM to gunicorn's master only, as systemd's KillMode=mixed sends it."""
    proc = cluster.apps.pop(port)
    os.kill(proc.pid, signal.SIGTERM)
    return proc


def comment_form(cluster, n):
    client = Client(cluster.port)
    _, page = client.go("GET", cluster.article)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    body = f"Comment {n} posted while an app server stops."
    fields = {
        "name": f"Reader {n}",
        "email": f"stopping{n}@example.com",
        "url": "",
        "comment": body,
        "token": token,
        "parent": "",
        "phone": "",
    }
    return client, fields, body


def refused(port, seconds=10):
    """Whether connections to `port` are refused within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.1)
    return False


def test_a_stopping_server_refuses_new_connections_and_answers_the_one_in_flight(cluster):
    port = cluster.app_ports[0]
    finish = hold_a_request(port)
    time.sleep(0.5)  # accepted, waiting for the rest of its body
    proc = stop_gracefully(cluster, port)
    try:
        assert refused(port)
        assert finish().startswith(b"HTTP/1.1 ")  # answered, not reset
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        cluster.start_app(port)


def test_posts_while_a_server_stops_are_all_answered_and_stored_once(cluster):
    """nginx's round robin gives the stopping server its share of the posts: each is
    refused there before anything is written and passed to the other server."""
    port = cluster.app_ports[0]
    forms = [comment_form(cluster, n) for n in range(6)]
    finish = hold_a_request(port)
    time.sleep(0.5)
    proc = stop_gracefully(cluster, port)
    statuses = {}

    def post(n, client, fields):
        response, _ = client.go("POST", cluster.article + "comments/", fields)
        statuses[n] = response.status

    try:
        time.sleep(0.5)
        threads = [
            threading.Thread(target=post, args=(n, client, fields))
            for n, (client, fields, _) in enumerate(forms)
        ]
        for t in threads:
            t.start()
        time.sleep(1)  # every post sent while the held request keeps the server stopping
        finish()
        for t in threads:
            t.join(30)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        cluster.start_app(port)
    assert statuses == dict.fromkeys(range(6), 302)
    assert [stored(cluster, body) for _, _, body in forms] == [1] * 6
