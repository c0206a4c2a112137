"""`/healthz` for the load balancer: 503 only when the database does not answer; the cache
and the queue down still 200 (the site serves pages uncached and takes comments); one query,
no session, no template, never cached, nothing sensitive in the answer."""

import json
import socket
import threading

import pytest
from django.test import Client

from tests.hardening.test_database_down import broken_database  # noqa: F401 (fixture)


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hung_redis():
    """A port that accepts connections and never answers: a hung Redis."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in held:
        conn.close()


def _redis_cache_and_queue(settings, url):
    """The cache on django-redis and the queue on RQ, both at `url` (our production options)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"{url}/14",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": f"{url}/2", "DEFAULT_TIMEOUT": 300}}


def _body(response):
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_all_up_is_200_in_one_query_without_session_template_or_cache(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert _body(response) == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert "Vary" not in response
    assert response.templates == []
    assert "sessionid" not in client.cookies


def test_cache_and_queue_down_is_still_200(db, settings):
    """Redis refuses connections: the server stays in the pool and says what is down."""
    _redis_cache_and_queue(settings, f"redis://127.0.0.1:{_closed_port()}")
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert _body(response) == {
        "status": "degraded",
        "database": "ok",
        "cache": "down",
        "queue": "down",
    }
    # Posting and pages keep working meanwhile is tests/test_cache_down.py's subject.


def test_a_hung_redis_cannot_hold_the_check(db, settings, hung_redis):
    """Redis accepts connections and never answers: the probes give up (short socket
    timeouts) and the answer says so, 200."""
    _redis_cache_and_queue(settings, hung_redis)
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert _body(response)["cache"] == "down"
    assert _body(response)["queue"] == "down"


def test_nothing_sensitive_in_the_answer(db, settings):
    """Errors' text, hosts, ports and versions stay in the log, never in the answer."""
    port = _closed_port()
    _redis_cache_and_queue(settings, f"redis://127.0.0.1:{port}")
    text = Client().get("/healthz").content.decode()
    for leak in (str(port), "127.0.0.1", "Error", "refused", "redis", "Django", "5.2"):
        assert leak not in text


@pytest.mark.django_db(transaction=True)
def test_database_down_is_503_and_back_at_once(broken_database):  # noqa: F811
    break_it, restore = broken_database
    client = Client(raise_request_exception=False)
    break_it()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert _body(response) == {"status": "down", "database": "down", "cache": "ok", "queue": "down"}
    assert response["Cache-Control"] == "no-store"
    restore()
    response = client.get("/healthz")  # never cached: the next answer is the new state
    assert response.status_code == 200
    assert _body(response)["database"] == "ok"


def test_answered_before_the_host_check_and_the_https_redirect(client, db, settings):
    """A load balancer asks by IP address over plain HTTP: neither ALLOWED_HOSTS nor
    SECURE_SSL_REDIRECT stands in its way (pages still do)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["news.example.com"]
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    assert client.get("/", HTTP_HOST="news.example.com").status_code == 301


def test_only_get_and_head(client, db):
    assert client.head("/healthz").status_code == 200
    refused = client.post("/healthz")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"


def test_not_counted_in_the_request_metrics(client, db):
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert 'view="<unnamed view>"' not in text
    assert "healthz" not in text
