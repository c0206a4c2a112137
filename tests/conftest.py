import io
import itertools
import os
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from PIL import Image

from articles.models import Article, Category
from tests.akismet_stub import AkismetStub, free_port

_seq = itertools.count(1)

# Property tests: 60 examples each in `make test` and CI; `HYPOTHESIS_PROFILE=long` (README,
# never in CI) runs 10,000 each over the comment form, the POST view and the held-comment mail.
# Either way a failure prints the falsifying example and the `@reproduce_failure` line.
hypothesis_settings.register_profile("default", max_examples=60, print_blob=True)
hypothesis_settings.register_profile("long", max_examples=10_000, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


_mutation_slot_file = None


def pytest_collection_modifyitems(config, items):
    """Under `make mutation` (tests/mutation.py sets MUTATION_JOBS), the tests that empty the
    database when they end (transaction=True, a live server) are left out: mutants run on a
    reused test database, and a flush would take the rows the migrations made (the
    moderation policy) from every test after it."""
    if not os.environ.get("MUTATION_JOBS"):
        return
    flushing = {"transactional_db", "live_server"}
    kept, left_out = [], []
    for item in items:
        marker = item.get_closest_marker("django_db")
        flushes = (marker is not None and marker.kwargs.get("transaction")) or (
            flushing & set(getattr(item, "fixturenames", ()))
        )
        (left_out if flushes else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """`make mutation` runs MUTATION_JOBS mutants at a time (tests/mutation.py), each in a
    pytest session of its own: each takes a free slot (a lock held for the session) and the
    test database of that slot, so two sessions never share one."""
    global _mutation_slot_file
    jobs = int(os.environ.get("MUTATION_JOBS") or 0)
    # mutmut's own runs (its first run, "stats", and the clean run) happen one at a time.
    if jobs < 2 or "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    import fcntl

    from django.conf import settings

    for slot in itertools.cycle(range(jobs)):
        handle = open(f".mutation-slot-{slot}.lock", "w")  # noqa: SIM115 (held until exit)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _mutation_slot_file = handle
        break
    for db in settings.DATABASES.values():
        name = db.setdefault("TEST", {}).get("NAME") or f"test_{db['NAME']}"
        db["TEST"]["NAME"] = f"{name}-slot{slot}"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 costs ~0.25 s a password; tests hash many. Django recommends a fast hasher
    for tests (the production hasher is not what they check)."""
    from django.test import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()
    yield
    fast.disable()


@pytest.fixture(autouse=True, scope="session")
def _immediate_tasks():
    """Background tasks run in the caller (Django's immediate backend), so a test sees what
    a worker would have done; tests of the real queue start real workers themselves."""
    from django.test import override_settings

    immediate = override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    )
    immediate.enable()
    yield
    immediate.disable()


@pytest.fixture(autouse=True)
def _commit_at_the_end_of_each_request():
    """A request commits as it goes (no ATOMIC_REQUESTS), so work it leaves for "after
    commit" (enqueueing checks, mail, feedback) runs by the time it has answered. A test
    wraps everything in one transaction that never commits; here the callbacks a request
    registered run (once) when it finishes, as the commit would have run them."""
    from django.core.signals import request_finished, request_started
    from django.db import connection

    starts = []

    def started(**kwargs):
        starts.append(len(connection.run_on_commit))

    def finished(**kwargs):
        start = starts.pop() if starts else len(connection.run_on_commit)
        if not connection.in_atomic_block:
            return
        while len(connection.run_on_commit) > start:
            _savepoints, callback, robust = connection.run_on_commit.pop(start)
            if robust:
                try:
                    callback()
                except Exception:  # as Django's robust callbacks: logged, not raised
                    import logging

                    logging.getLogger(__name__).exception("on-commit callback failed")
            else:
                callback()

    request_started.connect(started, dispatch_uid="tests-commit-start")
    request_finished.connect(finished, dispatch_uid="tests-commit-end")
    yield
    request_started.disconnect(dispatch_uid="tests-commit-start")
    request_finished.disconnect(dispatch_uid="tests-commit-end")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids and times repeat between tests, so a
    fragment cached by one could otherwise answer another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_category(db):
    def make(slug, parent=None, name=None, position=0):
        return Category.objects.create(
            slug=slug, name=name or slug.title(), parent=parent, position=position
        )

    return make


@pytest.fixture
def world(make_category):
    """The category `today › World`."""
    today = make_category("today")
    return make_category("world", parent=today)


@pytest.fixture
def make_article(db, world):
    def make(category=None, **fields):
        n = next(_seq)
        fields.setdefault("title", f"Article {n}")
        fields.setdefault("slug", f"article-{n}")
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timezone.timedelta(hours=1))
        fields.setdefault("body", "<p>Body text.</p>")
        return Article.objects.create(category=category or world, **fields)

    return make


@pytest.fixture
def editor(db):
    """A staff user in the Editors group, not a superuser."""
    user = get_user_model().objects.create_user(
        "ed", password="a-Long-pass-phrase-9", is_staff=True, first_name="Ed", last_name="Itor"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and renditions go to a temporary folder, never the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def image_upload():
    """An in-memory image upload of the given size (a plain colour field, JPEG or PNG)."""

    def make(width=2000, height=1200, name="photo.jpg", colour=(40, 90, 140)):
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), colour).save(
            buffer, "PNG" if name.endswith(".png") else "JPEG"
        )
        return SimpleUploadedFile(name, buffer.getvalue())

    return make


@pytest.fixture(scope="session")
def _akismet_stub():
    server = AkismetStub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.refused_url = f"http://127.0.0.1:{free_port()}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def akismet_server(_akismet_stub, settings):
    """The stand-in, reset, with the settings pointing the real client at it."""
    _akismet_stub.reset()
    settings.AKISMET_API_KEY = "stub-key-123"
    settings.AKISMET_BLOG_URL = "http://testserver"
    settings.AKISMET_API_URL = _akismet_stub.url
    settings.AKISMET_TIMEOUT = 0.3
    settings.AKISMET_IS_TEST = True
    _akismet_stub.slow_seconds = 0.6
    return _akismet_stub


@pytest.fixture
def watch_cache_calls(monkeypatch):
    """`watch_cache_calls()` starts watching the default cache's backend and returns the
    list of its methods called from now on from outside the backend (its `get_many` may
    call `get`: that counts once), in order."""

    def watch():
        from django.core.cache import caches

        backend = type(caches["default"])
        calls, depth = [], []
        for name in ("get", "get_many", "set", "set_many", "add", "delete", "has_key"):
            original = getattr(backend, name)

            def spy(self, *args, _original=original, _name=name, **kwargs):
                if not depth:
                    calls.append(_name)
                depth.append(1)
                try:
                    return _original(self, *args, **kwargs)
                finally:
                    depth.pop()

            monkeypatch.setattr(backend, name, spy)
        return calls

    return watch


def redis_caches(prefix, location=None):
    """`CACHES` with the default cache on django-redis: the real Redis at the tests' own
    database (`TEST_RQ_REDIS_DB`) unless `location` says otherwise, keys under `prefix`,
    short timeouts so a Redis that is down answers at once."""
    db = os.environ.get("TEST_RQ_REDIS_DB", "6")
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location or f"redis://127.0.0.1:6379/{db}",
            "KEY_PREFIX": prefix,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }


def locmem_or_redis(request, settings, prefix):
    """The body of a fixture with `params=["locmem", "redis"]`: the tests' local-memory
    cache as it is, or the real Redis (`redis_caches(prefix)`), emptied before and after."""
    if request.param == "redis":
        settings.CACHES = redis_caches(prefix)
        cache.delete_pattern("*")
        yield request.param
        cache.delete_pattern("*")
    else:
        yield request.param
