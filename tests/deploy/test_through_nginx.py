"""Through nginx: a small cluster (two gunicorn app servers behind nginx, rendered from
deploy/templates/ by deploy/cluster.py) on a SQLite file of its own.

nginx appends the address it saw to X-Forwarded-For and the app (TRUSTED_PROXIES=1) takes
that last entry, so a chain the client sends chooses nothing: flood control and the admin's
lock-out see the real address. One app server stopped costs no error.

Every connection from the test to nginx's loopback listener comes from 127.0.0.1; nginx
also listens on this machine's first non-loopback address (when it has one), so a request
can come from "elsewhere".
"""

import http.client
import json
import re
import socket
import sqlite3
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

from deploy.cluster import Cluster, nginx_binary

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "the-Right-pass-phrase-7"
FLOOD = "river-delta-towns-agree-shared-flood-plan"


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def outside_address():
    """This machine's first non-loopback IPv4 address, or None."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout
    except OSError:
        return None
    for address in out.split():
        if "." in address and not address.startswith("127."):
            return address
    return None


@pytest.fixture(scope="module")
def cluster(nginx, tmp_path_factory):
    assert nginx_binary()
    tmp = tmp_path_factory.mktemp("cluster")
    tmp.chmod(0o755)
    port = free_port()
    outside = outside_address()
    outside_port = free_port(outside) if outside else None
    environment = {
        "DEBUG": "false",
        "SECRET_KEY": "through-nginx-tests-only",
        "ALLOWED_HOSTS": f"127.0.0.1,{outside or '127.0.0.1'}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
        "CACHE_URL": "locmemcache://through-nginx",
        "TASKS_URL": "database://",
        "EMAIL_URL": "dummymail://",
        "TRUSTED_PROXIES": "1",
        "STATIC_ROOT": str(settings.STATIC_ROOT),  # collected by `make test-only`
        "MEDIA_ROOT": str(tmp / "media"),
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"),
    }
    app_ports = [free_port(), free_port()]
    log = open(tmp / "cluster.log", "w")  # noqa: SIM115 (closed below)
    c = Cluster(
        tmp,
        port,
        app_ports,
        environment,
        workers=0,
        scheduler=False,
        gunicorn_args="--workers 1 --threads 2",
        log=log,
        also_listen=[f"{outside}:{outside_port}"] if outside else [],
    )
    c.outside = (outside, outside_port) if outside else None
    try:
        c.manage("migrate", "--noinput", "-v0")
        c.manage("seed_demo", "-v0", capture=True)
        env = {"DJANGO_SUPERUSER_PASSWORD": PASSWORD}
        for username in ("sam", "kim"):
            subprocess.run(
                [str(ROOT / ".venv/bin/python"), "manage.py", "createsuperuser", "--noinput"]
                + ["--username", username, "--email", f"{username}@example.com"],
                cwd=ROOT,
                env={**c.env, **env},
                check=True,
                capture_output=True,
            )
        c.article = c.manage(
            "shell",
            "-v0",
            "-c",
            f"from articles.models import Article; "
            f"print(Article.objects.get(slug='{FLOOD}').get_absolute_url())",
            capture=True,
        ).stdout.strip()
        c.start()
        yield c
    finally:
        c.stop()
        log.close()


def query(cluster, sql, *params):
    with sqlite3.connect(cluster.folder / "db.sqlite3") as db:
        return db.execute(sql, params).fetchall()


class Client:
    """One keep-alive connection with a cookie jar."""

    def __init__(self, port, host="127.0.0.1"):
        self.host, self.port = host, port
        self.base = f"http://{host}:{port}"
        self.cookies = {}

    def go(self, method, path, fields=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = {"User-Agent": "through-nginx tests", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            sent.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.base,
                    "Referer": self.base + path,
                }
            )
        conn.request(method, path, body, sent)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        conn.close()
        return response, text


def post_comment(cluster, n, forwarded, client=None):
    client = client or Client(cluster.port)
    _, page = client.go("GET", cluster.article)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    fields = {
        "name": f"Reader {n}",
        "email": f"reader{n}@example.com",
        "url": "",
        "comment": f"Comment {n} through nginx, with a chain of my own.",
        "token": token,
        "parent": "",
        "phone": "",
    }
    response, text = client.go(
        "POST", cluster.article + "comments/", fields, {"X-Forwarded-For": forwarded}
    )
    return response, text


def test_a_forged_chain_does_not_choose_the_comment_address(cluster):
    """The comment is stored with the address nginx saw; a second comment, claiming
    another address, is refused by flood control (one comment per address every 15 s)."""
    response, _ = post_comment(cluster, 1, "203.0.113.9, 198.51.100.1")
    assert response.status == 302
    stored = query(
        cluster,
        "SELECT user_ip FROM comments_comment WHERE author_email = ?",
        "reader1@example.com",
    )
    assert stored == [("127.0.0.1",)]
    response, text = post_comment(cluster, 2, "198.51.100.77")
    assert response.status == 429
    assert "Comment 2 through nginx" in text  # what the reader wrote is kept in the form
    assert not query(
        cluster, "SELECT id FROM comments_comment WHERE author_email = ?", "reader2@example.com"
    )


def test_a_comment_from_elsewhere_is_stored_with_that_address(cluster):
    if cluster.outside is None:
        pytest.skip("this machine has no non-loopback IPv4 address to connect from")
    address, port = cluster.outside
    client = Client(port, host=address)
    response, _ = post_comment(cluster, 3, "127.0.0.1", client)
    assert response.status == 302
    stored = query(
        cluster,
        "SELECT user_ip FROM comments_comment WHERE author_email = ?",
        "reader3@example.com",
    )
    assert stored == [(address,)]


def login(client, username, password, forwarded):
    _, page = client.go("GET", "/admin/login/?next=/admin/", headers={"X-Forwarded-For": forwarded})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    fields = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    fields["next"] = "/admin/"
    return client.go("POST", "/admin/login/?next=/admin/", fields, {"X-Forwarded-For": forwarded})[
        0
    ]


def test_a_forged_chain_does_not_escape_the_admin_lock_out(cluster):
    """Five wrong passwords, each claiming another address: the account is locked for the
    real one, and a sixth claim with the right password is refused too."""
    client = Client(cluster.port)
    for n in range(5):
        response = login(client, "kim", "guess", f"203.0.113.{n + 1}")
        assert response.status in (200, 429)
    response = login(client, "kim", PASSWORD, "198.51.100.200")
    assert response.status == 429
    attempts = query(cluster, "SELECT ip_address FROM axes_accessattempt WHERE username = 'kim'")
    assert attempts == [("127.0.0.1",)]


def test_signing_in_through_nginx_works(cluster):
    client = Client(cluster.port)
    response = login(client, "sam", PASSWORD, "203.0.113.50")
    assert response.status == 302
    assert "sessionid" in client.cookies
    response, text = client.go("GET", "/admin/comments/comment/")
    assert response.status == 200
    assert "Comments: pending" in text


def test_static_files_come_from_nginx_with_long_cache_headers(cluster):
    client = Client(cluster.port)
    _, page = client.go("GET", "/")
    css = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    response, _ = client.go("GET", css, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert response.headers.get("Content-Encoding") == "gzip"  # WhiteNoise's .gz, by nginx
    # Served by nginx: Django's headers (its CSP) are not on it.
    assert "Content-Security-Policy" not in response.headers


def test_a_body_over_the_limit_is_refused_by_nginx(cluster):
    client = Client(cluster.port)
    response, _ = client.go(
        "POST", cluster.article + "comments/", {"comment": "x" * (1024 * 1024 + 1)}
    )
    assert response.status == 413


def test_forwarded_proto_reaches_the_app(cluster):
    """nginx sets X-Forwarded-Proto from the connection (http here), whatever the client
    claimed: a client claiming https over plain HTTP gets no secure-only behaviour."""
    client = Client(cluster.port)
    response, _ = client.go("GET", "/admin/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200
    csrf = next(c for c in response.headers.get_all("Set-Cookie") if c.startswith("csrftoken"))
    assert "Secure" not in csrf
    assert "Strict-Transport-Security" not in response.headers


def test_one_app_server_stopped_costs_no_error(cluster):
    """The first app server stops; every request still answers 200 through the other,
    then it is started again and takes requests."""
    stopped = cluster.app_ports[0]
    cluster.stop_app(stopped)
    try:
        client = Client(cluster.port)
        statuses = [client.go("GET", path)[0].status for path in ["/", cluster.article] * 15]
        assert statuses == [200] * 30
    finally:
        cluster.start_app(stopped)
    client = Client(cluster.port)
    assert [client.go("GET", "/")[0].status for _ in range(10)] == [200] * 10


def test_metrics_through_nginx_from_this_machine(cluster):
    response, text = Client(cluster.port).go("GET", "/metrics")
    assert response.status == 200
    assert "django_http_requests" in text or "newsroom_" in text


def test_metrics_refused_from_elsewhere_whatever_the_chain_claims(cluster):
    """From another address nginx refuses /metrics (403), also with a chain claiming
    127.0.0.1; the rest of the site answers that address as usual."""
    if cluster.outside is None:
        pytest.skip("this machine has no non-loopback IPv4 address to connect from")
    address, port = cluster.outside
    client = Client(port, host=address)
    for chain in (None, "127.0.0.1", "127.0.0.1, 127.0.0.1", "::1"):
        headers = {"X-Forwarded-For": chain} if chain else {}
        response, text = client.go("GET", "/metrics", headers=headers)
        assert response.status == 403, chain
        assert "django_http" not in text
    assert client.go("GET", "/")[0].status == 200


def test_the_app_refuses_metrics_to_the_address_nginx_appended(cluster):
    """Behind the allow-list: what an app server does with the chain nginx sends for a
    client elsewhere that claimed 127.0.0.1 (asked of the app server directly)."""
    conn = http.client.HTTPConnection("127.0.0.1", cluster.app_ports[1], timeout=10)
    conn.request("GET", "/metrics", headers={"X-Forwarded-For": "127.0.0.1, 192.0.2.50"})
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    assert response.status == 404
    assert "django_http" not in text


def test_healthz_through_nginx_says_nothing_sensitive(cluster):
    response, text = Client(cluster.port).go("GET", "/healthz")
    assert response.status == 200
    assert json.loads(text) == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers.get("Set-Cookie") is None
    assert response.headers["Server"] == "nginx"  # nginx's server_tokens off: no version
    for secret in ("sqlite", str(cluster.folder), socket.gethostname(), "gunicorn", "Django"):
        assert secret not in text
    assert "gunicorn" not in str(response.headers).lower()
