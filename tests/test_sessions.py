"""Sessions (newsroom/sessions.py): read from the shared cache, written through to the
database, the cached copy bounded; sign-out, a changed password and a deactivated account
take effect at once. With a cache of each process's own, sessions stay in the database."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from newsroom import sessions
from tests.comments.conftest import article  # noqa: F401 (fixture)
from tests.conftest import locmem_or_redis
from tests.test_settings import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db

ENGINE = "newsroom.sessions"


@pytest.fixture(params=["locmem", "redis"])
def session_cache(request, settings):
    """The engine on the tests' local-memory cache, and on the real Redis (its own database
    and prefix), as production has it."""
    settings.SESSION_ENGINE = ENGINE
    yield from locmem_or_redis(request, settings, "newsroom-test-sessions")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def copy_of(client):
    """Another browser with the same session cookie (a stolen or second tab's copy)."""
    other = Client()
    other.cookies = client.cookies
    return other


@pytest.mark.parametrize("engine", [ENGINE, "django.contrib.sessions.backends.db"])
def test_a_signed_in_page_reads_the_user_from_the_database_and_the_session_from_the_cache(
    article,  # noqa: F811
    editor,
    engine,
    settings,
    django_assert_num_queries,
):
    settings.SESSION_ENGINE = engine
    client = signed_in(editor)
    url = article.get_absolute_url()
    client.get(url)  # the shared page stored
    with django_assert_num_queries(1 if engine == ENGINE else 2):  # the user (, the session)
        response = client.get(url)
    assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(session_cache, editor):
    client = Client()
    client.force_login(editor)
    other = copy_of(client)
    assert other.get("/admin/").status_code == 200  # cached now
    assert client.post("/admin/logout/").status_code == 200
    response = other.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("change", ["password", "deactivated"])
def test_a_changed_password_or_a_deactivated_account_ends_a_cached_session(
    session_cache, editor, change
):
    client = signed_in(editor)
    assert client.get("/admin/").status_code == 200  # the session cached
    user = get_user_model().objects.get(pk=editor.pk)
    if change == "password":
        user.set_password("a-new-password-123")
    else:
        user.is_active = False
    user.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_cached_copy_lives_cache_seconds_at_most(session_cache, editor):
    """A sign-out whose cache delete was lost (Redis unreachable) stops counting after
    CACHE_SECONDS; the session itself lives as long as ever (database, cookie)."""
    client = signed_in(editor)
    key = sessions.SessionStore.cache_key_prefix + client.session.session_key
    assert cache.get(key) is not None
    if session_cache == "redis":
        assert 0 < cache.ttl(key) <= sessions.CACHE_SECONDS
    else:
        expires = cache._expire_info[cache.make_and_validate_key(key)]

        assert 0 < expires - time.time() <= sessions.CACHE_SECONDS
    assert client.session.get_expiry_age() > sessions.CACHE_SECONDS
    cache.delete(key)  # lost from the cache: read from the database again
    assert client.get("/admin/").status_code == 200
    assert cache.get(key) is not None


def test_only_a_shared_cache_gets_the_cached_sessions():
    """With each process's own memory cache a sign-out in one process would not reach the
    copies in the others: sessions stay in the database then."""
    probe = (
        "shell",
        "-v0",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE)",
    )
    shared = manage(*probe, env=PRODUCTION_ENV | {"CACHE_URL": "redis://127.0.0.1:6379/1"})
    own = manage(*probe, env=PRODUCTION_ENV | {"CACHE_URL": "locmemcache://x"})
    assert shared.stdout.split() == [ENGINE], shared.stderr
    assert own.stdout.split() == ["django.contrib.sessions.backends.db"], own.stderr
