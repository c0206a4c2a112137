"""A page the page cache holds is answered by `newsroom.middleware.PageCacheHitMiddleware`,
before the session, CSRF and auth middleware: with the headers the whole chain gave it,
counted in the request metrics, never after an unapproval, and only for requests whose
response needs nothing from the middleware it skips."""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from comments.models import Comment
from comments.moderation import change_status
from tests.comments.conftest import article, make_comment  # noqa: F401 (fixtures)
from tests.conftest import locmem_or_redis
from tests.test_metrics import scrape, value

pytestmark = pytest.mark.django_db

HIT = "newsroom.middleware.PageCacheHitMiddleware"
WITHOUT_HIT = [m for m in settings.MIDDLEWARE if m != HIT]
SAVED_NAME = {
    "comment_author": "Returning%20Reader",
    "comment_author_email": "returning%40example.com",
    "comment_author_url": "https%3A//example.com/",
}


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """The tests' local-memory cache, and the real Redis (its own database and prefix)."""
    yield from locmem_or_redis(request, settings, "newsroom-test-hits")


def browser(cookies=None):
    client = Client()
    for name, text in (cookies or {}).items():
        client.cookies[name] = text
    return client


def answered_early(response):
    """The hit middleware answered: the session middleware below it never ran."""
    return not hasattr(response.wsgi_request, "session")


def headers(response):
    return {k: v for k, v in response.headers.items() if k not in ("Date", "Expires")}


@pytest.mark.parametrize("cookies", [None, SAVED_NAME], ids=["anonymous", "saved name"])
@pytest.mark.parametrize("which", ["article", "/", "/today/world/", "/feed/"])
def test_a_hit_has_the_headers_and_bytes_of_the_whole_chain(article, cookies, which):  # noqa: F811
    url = article.get_absolute_url() if which == "article" else which
    Client().get(url)  # stored
    early = browser(cookies).get(url)
    assert early.status_code == 200 and answered_early(early)
    with override_settings(MIDDLEWARE=WITHOUT_HIT):
        chain = browser(cookies).get(url)
    assert not answered_early(chain)
    assert headers(early) == headers(chain)
    assert early.content == chain.content
    for name in ("X-Frame-Options", "Content-Length", "Content-Security-Policy", "ETag"):
        assert early.has_header(name), name
    expected = "private" if cookies else "public"
    assert expected in early["Cache-Control"]


def test_a_304_from_the_hit_middleware_is_the_chains_304(article):  # noqa: F811
    url = article.get_absolute_url()
    etag = Client().get(url)["ETag"]
    early = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    with override_settings(MIDDLEWARE=WITHOUT_HIT):
        chain = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert early.status_code == chain.status_code == 304
    assert answered_early(early)
    assert headers(early) == headers(chain)


def test_a_hit_is_counted_in_the_request_metrics_by_view(article):  # noqa: F811
    url = article.get_absolute_url()
    Client().get(url)
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    responses = "django_http_responses_total_by_status_view_method_total"
    views = "django_http_requests_total_by_view_transport_method_total"
    before = scrape()
    for cookies in (None, SAVED_NAME):
        assert answered_early(browser(cookies).get(url))
    after = scrape()
    labels = {"view": "articles:page", "method": "GET"}
    assert value(after, latency, **labels) == value(before, latency, **labels) + 2
    assert value(after, responses, status="200", **labels) == (
        value(before, responses, status="200", **labels) + 2
    )
    assert value(after, views, transport="http", **labels) == (
        value(before, views, transport="http", **labels) + 2
    )


def test_no_hit_after_an_unapproval(any_cache, article, make_comment):  # noqa: F811
    """The versions are read from the shared cache on every request, also by the hit
    middleware: the page stored (and copied in this process) before an unapproval is
    never the answer after it, to a new visitor or to a returning reader."""
    comment = make_comment(body="Soon to be withdrawn.")
    url = article.get_absolute_url()
    for cookies in (None, SAVED_NAME):
        shown = browser(cookies).get(url)
        assert "Soon to be withdrawn." in shown.content.decode()
    again = Client().get(url)
    assert answered_early(again) and "Soon to be withdrawn." in again.content.decode()

    change_status(comment, Comment.Status.PENDING, actor_label="test")
    for cookies in (None, SAVED_NAME):
        after = browser(cookies).get(url)
        assert after.status_code == 200
        assert "Soon to be withdrawn." not in after.content.decode()


def test_a_hit_costs_no_query_and_one_cache_read(
    article,  # noqa: F811
    django_assert_num_queries,
    watch_cache_calls,
):
    """The returning reader's page too: the versions in one read, the page from the
    process's copy, the form from the page's mark."""
    url = article.get_absolute_url()
    Client().get(url)
    reads = watch_cache_calls()
    for cookies in (None, SAVED_NAME):
        reads.clear()
        with django_assert_num_queries(0):
            response = browser(cookies).get(url)
        assert answered_early(response)
        assert reads == ["get_many"], reads
    assert 'value="Returning Reader"' in response.content.decode()


def test_a_miss_reads_the_versions_once(article, monkeypatch):  # noqa: F811
    """A page not stored yet goes on to its view, which uses the versions read above."""
    from articles import caching

    made = []
    original = caching.Versions.__init__

    def counted(self):
        made.append(self)
        original(self)

    monkeypatch.setattr(caching.Versions, "__init__", counted)
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200 and not answered_early(response)
    assert len(made) == 1


@pytest.mark.parametrize(
    "cookies",
    [
        {**SAVED_NAME, "sessionid": "whatever"},
        {"csrftoken": "x" * 32},
        {"comment_author": "Ada", "other": "1"},
    ],
    ids=["session", "csrf", "another cookie"],
)
def test_other_cookies_go_through_the_whole_chain(article, cookies):  # noqa: F811
    url = article.get_absolute_url()
    Client().get(url)
    response = browser(cookies).get(url)
    assert response.status_code == 200 and not answered_early(response)
    assert "private" in response["Cache-Control"]


def test_a_saved_name_is_escaped_and_stays_private(article):  # noqa: F811
    url = article.get_absolute_url()
    Client().get(url)
    hostile = browser({"comment_author": "%22%3E%3Cscript%3Ealert(1)%3C/script%3E"})
    response = hostile.get(url)
    assert answered_early(response)
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "&quot;&gt;&lt;script&gt;alert(1)" in html
    assert "private" in response["Cache-Control"]
    shared = Client().get(url)
    assert "alert(1)" not in shared.content.decode() and "public" in shared["Cache-Control"]


def test_what_applies_above_it_still_applies(article, settings):  # noqa: F811
    """Host validation, NUL paths and the HTTPS redirect, for a page the cache holds."""
    url = article.get_absolute_url()
    Client().get(url)
    assert Client().get(url, HTTP_HOST="evil.example").status_code == 400
    assert Client().get(url + "%00").status_code == 404
    settings.SECURE_SSL_REDIRECT = True
    redirected = Client().get(url)
    assert redirected.status_code == 301 and redirected["Location"].startswith("https://")
    Client().get(url, secure=True)  # stored under its https:// URL
    secure = Client().get(url, secure=True)
    assert secure.status_code == 200 and answered_early(secure)
    assert secure.has_header("Strict-Transport-Security")


def test_only_get_and_head_and_the_page_parameter(article):  # noqa: F811
    url = article.get_absolute_url()
    Client().get(url)
    assert answered_early(Client().head(url))
    assert not answered_early(Client().get(url, {"replytocom": "1"}))
    assert not answered_early(Client().options(url))


def test_the_versions_read_on_redis_is_the_caches_own(any_cache, article):  # noqa: F811
    """One MGET on a pooled connection (`caching._read_versions`) finds what the cache's
    get_many finds: nothing at first, then the versions and the schedule a page stored."""
    from articles import caching

    assert caching._read_versions() == cache.get_many(caching.VERSION_KEYS)
    Client().get(article.get_absolute_url())
    found = caching._read_versions()
    assert set(found) == set(caching.VERSION_KEYS)
    assert found == cache.get_many(caching.VERSION_KEYS)
    caching.bump(content=True)
    assert caching._read_versions()[caching.CONTENT_KEY] != found[caching.CONTENT_KEY]


def test_the_versions_read_with_redis_down_finds_nothing_and_says_so(settings, caplog):
    """As django-redis does with DJANGO_REDIS_IGNORE_EXCEPTIONS: logged, nothing found
    (then every request makes its own versions and renders uncached)."""
    from articles import caching
    from tests.test_cache_down import _free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }
    assert caching._read_versions() == {}
    assert any(r.getMessage() == "Exception ignored" and r.exc_info for r in caplog.records)
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = False
    settings.CACHES = {**settings.CACHES}  # a new backend, reading the setting again
    with pytest.raises(redis.exceptions.ConnectionError):  # what django-redis raises then
        caching._read_versions()


@pytest.mark.parametrize("shared_max_age", [30, 7])
@pytest.mark.parametrize("cookies", [None, SAVED_NAME], ids=["anonymous", "saved name"])
def test_the_headers_are_what_djangos_helpers_write(article, cookies, shared_max_age, monkeypatch):  # noqa: F811
    """The page cache writes Cache-Control and Vary itself: the same text as
    patch_cache_control and patch_vary_headers give a new response."""
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control, patch_vary_headers

    from articles import pagecache

    url = article.get_absolute_url()
    Client().get(url)
    monkeypatch.setattr(pagecache, "SHARED_MAX_AGE", shared_max_age)
    response = browser(cookies).get(url)
    expected = HttpResponse()
    if cookies:
        patch_cache_control(expected, private=True, max_age=0)
    else:
        patch_cache_control(expected, public=True, max_age=0, s_maxage=shared_max_age)
    patch_vary_headers(expected, ["Cookie"])
    assert response["Cache-Control"] == expected["Cache-Control"]
    assert response["Vary"] == expected["Vary"]


def test_a_view_the_page_cache_does_not_wrap_costs_no_cache_read(monkeypatch):
    """Only URLs whose view stores pages are looked up: /privacy/ and robots.txt cost no
    versions read from the hit middleware (nor from anywhere else)."""
    from articles import caching

    reads = []
    monkeypatch.setattr(caching, "_read_versions", lambda: reads.append(1) or {})
    for url in ("/privacy/", "/robots.txt"):
        response = Client().get(url)
        assert response.status_code == 200 and not answered_early(response)
    assert reads == []


# -- the previous page while a newer one is rendered ---------------------------------------


def another_request_renders(url):
    """Another request (another process) holds `url`'s render lock, rendering its newer
    version; returns how to let go of it."""
    from django.test import RequestFactory

    from articles import pagecache

    lock = f"latest:{pagecache._url_key(RequestFactory().get(url))}:lock"
    cache.set(lock, "page:being-rendered", 5)
    return lambda: cache.delete(lock)


def count_renders(monkeypatch):
    from articles import pagecache

    renders = []
    render = pagecache._render
    monkeypatch.setattr(pagecache, "_render", lambda *args: renders.append(1) or render(*args))
    return renders


@pytest.mark.parametrize("cookies", [None, SAVED_NAME], ids=["anonymous", "saved name"])
def test_while_an_approval_is_rendered_the_hit_middleware_answers_the_previous_page(
    any_cache,
    article,  # noqa: F811
    make_comment,  # noqa: F811
    cookies,
    monkeypatch,
    django_assert_num_queries,
    watch_cache_calls,
):
    """An approval only adds a comment: while another request renders the page with it, a
    reader gets the URL's previous page from the hit middleware (as the view would give
    it), in two cache reads and no query, never stored by a CDN (s-maxage=0)."""
    from articles import caching

    make_comment(body="Already there.")
    pending = make_comment(body="Just approved.", status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    Client().get(url)  # the URL's latest page
    change_status(pending, Comment.Status.APPROVED, actor_label="test")
    done = another_request_renders(url)
    renders = count_renders(monkeypatch)
    caching.Versions()  # the first read after a write recomputes the schedule (a query)
    reads = watch_cache_calls()
    with django_assert_num_queries(0):
        response = browser(cookies).get(url)
    html = response.content.decode()
    assert response.status_code == 200 and answered_early(response)
    # The versions (on Redis one MGET beside the backend), then page, pointer and lock.
    assert reads == ["get_many"] * (1 if any_cache == "redis" else 2), reads
    assert renders == []
    assert "Already there." in html and "Just approved." not in html
    if cookies:
        assert "private" in response["Cache-Control"] and 'value="Returning Reader"' in html
    else:
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=0"
    with override_settings(MIDDLEWARE=WITHOUT_HIT):
        chain = browser(cookies).get(url)
    assert headers(response) == headers(chain) and response.content == chain.content
    done()  # the render is over: the next reader renders the page (no one else does)
    fresh = browser(cookies).get(url)
    assert not answered_early(fresh) and "Just approved." in fresh.content.decode()


def test_with_no_render_under_way_the_hit_middleware_leaves_the_new_page_to_the_view(
    article,  # noqa: F811
    make_comment,  # noqa: F811
):
    """The previous page stands in for the new one only while that is rendered: when no one
    renders it, the reader's request renders it (and the approval shows)."""
    pending = make_comment(body="Just approved.", status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    Client().get(url)
    change_status(pending, Comment.Status.APPROVED, actor_label="test")
    response = Client().get(url)
    assert not answered_early(response) and "Just approved." in response.content.decode()


@pytest.mark.parametrize("cookies", [None, SAVED_NAME], ids=["anonymous", "saved name"])
def test_after_an_unapproval_the_hit_middleware_never_answers_the_previous_page(
    any_cache,
    article,  # noqa: F811
    make_comment,  # noqa: F811
    cookies,
):
    """A removal moves the strict version: the previous page (showing the comment) is not
    served from the hit middleware, even while another request renders the page."""
    comment = make_comment(body="Soon withdrawn.")
    url = article.get_absolute_url()
    assert "Soon withdrawn." in Client().get(url).content.decode()
    change_status(comment, Comment.Status.PENDING, actor_label="test")
    another_request_renders(url)
    response = browser(cookies).get(url)
    assert response.status_code == 200 and not answered_early(response)
    assert "Soon withdrawn." not in response.content.decode()


def test_the_hit_middleware_serves_the_previous_page_only_while_its_rows_are_recent(
    article,  # noqa: F811
    make_comment,  # noqa: F811
    monkeypatch,
):
    """STALE_SECONDS count from when the previous page's rows were read."""
    from articles import pagecache

    pending = make_comment(body="Just approved.", status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    Client().get(url)
    change_status(pending, Comment.Status.APPROVED, actor_label="test")
    another_request_renders(url)
    monkeypatch.setattr(pagecache, "STALE_SECONDS", 0.0)
    response = Client().get(url)
    assert not answered_early(response) and "Just approved." in response.content.decode()


def test_the_previous_page_is_always_the_same_urls(make_article, settings):
    """Two articles, both with a render under way after an approval on one: each reader
    gets its own article's previous page, never the other's."""
    first = make_article(slug="first-story", title="The first story")
    second = make_article(slug="second-story", title="The second story")
    from comments.models import Comment as C

    pending = C.objects.create(
        article=first,
        author_name="Ada",
        author_email="ada@example.com",
        body="Just approved.",
        status=C.Status.PENDING,
        user_ip="192.0.2.1",
    )
    pages = {a: Client().get(a.get_absolute_url()) for a in (first, second)}
    change_status(pending, Comment.Status.APPROVED, actor_label="test")
    for story in (first, second):
        another_request_renders(story.get_absolute_url())
    for story in (first, second):
        response = Client().get(story.get_absolute_url())
        assert answered_early(response)
        assert response.content == pages[story].content
        assert story.title in response.content.decode()
