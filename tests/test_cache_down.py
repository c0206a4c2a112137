"""Redis down: pages are served uncached (the failure logged) and posting keeps working;
when Redis is back, the same process uses it again (no restart)."""

import logging
import socket
import threading

import pytest
from django.core.cache import cache
from django.test import Client

from comments.forms import form_token
from comments.models import Comment
from tests.conftest import redis_caches

pytestmark = pytest.mark.django_db
REDIS = ("127.0.0.1", 6379)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_is_up():
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
        return True
    except OSError:
        return False


class Forwarder:
    """A TCP hop to the real Redis on a port of our own: `start()` is Redis coming back;
    until then nothing listens there (connection refused, as with Redis down)."""

    def __init__(self, port):
        self.port = port
        self.server = None

    def start(self):
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _addr = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(REDIS)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()

    def stop(self):
        if self.server is not None:
            self.server.close()


@pytest.fixture
def redis_cache(settings):
    """The default cache on django-redis at a port where Redis is down, for now."""
    port = _free_port()
    settings.CACHES = redis_caches("newsroom-test-cache-down", f"redis://127.0.0.1:{port}/14")
    forwarder = Forwarder(port)
    yield forwarder
    if forwarder.server is not None:
        cache.delete_pattern("*")
    forwarder.stop()


def post_comment(article, n):
    return Client().post(
        article.get_absolute_url() + "comments/",
        {
            "name": f"Reader {n}",
            "email": f"reader{n}@example.com",
            "comment": f"Still posting while the cache is down, number {n}.",
            "token": form_token(article),
        },
        HTTP_ORIGIN="http://testserver",
        REMOTE_ADDR=f"198.51.100.{n}",
    )


def test_pages_and_posting_work_with_the_cache_down_and_recover(
    redis_cache, make_article, caplog, django_assert_max_num_queries
):
    """Down: every page 200, rendered from the database each time, failures logged; a
    comment is posted and stored. Back up (same process): the second request of a page is
    served from the cache with no query."""
    article = make_article(title="Storm warning")
    caplog.set_level(logging.WARNING)
    for url in ["/", "/today/world/", article.get_absolute_url(), "/feed/", "/search/?q=storm"]:
        response = Client().get(url)
        assert response.status_code == 200, url
    assert any(r.getMessage() == "Exception ignored" and r.exc_info for r in caplog.records)
    assert "Storm warning" in Client().get("/").content.decode()

    assert post_comment(article, 1).status_code == 302
    assert Comment.objects.filter(article=article).count() == 1

    if not _redis_is_up():
        pytest.skip("no Redis on 127.0.0.1:6379 to come back")
    redis_cache.start()
    url = article.get_absolute_url()
    assert Client().get(url).status_code == 200
    with django_assert_max_num_queries(0):
        assert Client().get(url).status_code == 200
    assert post_comment(article, 2).status_code == 302
    assert Comment.objects.filter(article=article).count() == 2
