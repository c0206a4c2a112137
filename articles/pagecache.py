"""Public pages for anonymous readers: cached whole, shareable by a CDN, answered with 304s.

A request is *shareable* when it is a GET/HEAD with no cookie at all (a reader without a
session, a CSRF cookie, a pending-comment preview or the saved name/email of the comment
form) and no query parameter other than `page`. Its response is the same for everybody, so
it is kept in the cache under the page's URL and the content versions
(`articles.caching.Versions`): a write or a scheduled article going live gives it a new key.
It goes out `public` with `Vary: Cookie`, an `ETag` and a `Last-Modified`.

Any other request goes out `private`, so no shared cache stores one visitor's token, name
or pending comment for another. A GET with cookies (and no other query parameter) gets the
shared page with the reader's own parts rendered in (`register_personal`: the comments
app's form), unless it needs a page of its own (an author's pending comment); the rest is
rendered for that reader alone (fragments still come from the cache). The design is
written down in `bench/README.md`.
"""

import copy
import hashlib
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from articles.caching import Versions

SHAREABLE_PARAMS = {"page"}
# How long a CDN may serve a page without asking again (never past the next scheduled change).
SHARED_MAX_AGE = 30


class _RecentPages:
    """The last pages this process served, by their full key (URL and versions, which come
    from the shared cache on every request, so a change is seen at once): a hit costs no
    transfer of the page from Redis. Entries also keep the shared entry's expiry time.
    Bounded by count: a story that spreads is a handful of pages, and an article page with
    hundreds of comments weighs a few hundred kB, so 64 keep a worker's share small."""

    def __init__(self, size=None):
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        if not self.limit():
            return None
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and entry["expires"] > time.time():
                self.entries.move_to_end(key)
                return entry
            self.entries.pop(key, None)
            return None

    def limit(self):
        return settings.PAGE_COPIES if self.size is None else self.size

    def put(self, key, entry):
        if not self.limit():
            return
        with self.lock:
            self.entries[key] = entry
            while len(self.entries) > self.limit():
                self.entries.popitem(last=False)


_recent = _RecentPages()


class _Personal:
    needs_own_page = None  # needs_own_page(request): render the whole page for this reader
    personalise = None  # personalise(request, content): the shared bytes with their parts


def register_personal(needs_own_page, personalise):
    """How the comments app puts a reader's own parts into a shared page (articles never
    imports comments): `personalise(request, content)` returns the page's bytes for that
    reader, or None to serve the shared page unchanged."""
    _Personal.needs_own_page, _Personal.personalise = needs_own_page, personalise


def _anonymous(request):
    """A copy of `request` as a reader without cookies sends it."""
    anonymous = copy.copy(request)
    anonymous.COOKIES = {}
    anonymous.META = {k: v for k, v in request.META.items() if k != "HTTP_COOKIE"}
    anonymous.user = AnonymousUser()
    return anonymous


def is_shareable(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.COOKIES
        and set(request.GET) <= SHAREABLE_PARAMS
    )


def _url_key(request):
    return hashlib.md5(request.build_absolute_uri().encode(), usedforsecurity=False).hexdigest()


def _etag(content):
    return quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())


def _conditional(request, response, etag, last_modified):
    """Set the validators; a matching conditional GET gets 304 instead."""
    response.headers["ETag"] = etag
    seconds = int(last_modified.timestamp()) if last_modified is not None else None
    if seconds is not None:
        response.headers["Last-Modified"] = http_date(seconds)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=seconds, response=response
    )
    return conditional or response


def _render(view, request, args, kwargs):
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and callable(response.render):
        response.render()
    return response


def _private(request, response):
    if response.status_code == 200 and not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, max_age=0)
        patch_vary_headers(response, ["Cookie"])
        return _conditional(request, response, _etag(response.content), None)
    return response


# One renderer per page (URL) at a time, a lock in the shared cache holding the key being
# rendered (it outlives a crashed renderer by LOCK_SECONDS at most). The others get the URL's
# previous page, or wait for the renderer's page while the lock is held for it.
LOCK_SECONDS = 5
# How long a reader waits for the renderer of its page before rendering it itself: longer
# than a render takes on a loaded machine (up to 1.5 s seen in the cluster soak, a process
# just started), shorter than the lock, so a renderer killed mid-render costs this at most.
WAIT_SECONDS = 2.5
WAIT_STEP = 0.02
# A page may be served while its newer version is rendered only if the rows it was rendered
# from were read this recently, and only if the newer version just adds comments (the same
# strict version, `caching`).
STALE_SECONDS = 2.0


def _store(url_key, key, versions, response):
    entry = {
        "content": response.content,
        "content_type": response["Content-Type"],
        "etag": _etag(response.content),
        "last_modified": versions.last_modified,
        "expires": time.time() + versions.timeout(),
    }
    # The URL's latest page: a pointer (its key), so serving it costs no transfer where
    # the process has a copy; `at`, when its versions were read: it shows every change
    # committed before then (not the time it was stored, a render later).
    latest = {"key": key, "strict": versions.strict, "at": versions.read_at}
    cache.set_many({key: entry, url_key: latest}, versions.timeout())
    return entry


def _wait_for(key, lock):
    """The entry under `key` once the holder of `lock` (rendering it) has stored it; None
    when the lock is gone or taken for another page first (the renderer stored nothing, or
    the lock expired: a crashed renderer)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        found = cache.get_many([key, lock])
        if key in found:
            return found[key]
        if found.get(lock) != key:
            return None
    return None


def _render_once(view, request, args, kwargs, key, url_key, versions):
    """The page under `key`, rendered by one process at a time per URL (a lock in the shared
    cache, `cache.add`, holding the key being rendered). Returns (entry, None, stale) to
    serve an entry (`stale`: the URL's previous page), or (None, response, False) to send a
    response that must not be stored (not a 200, a cookie, its own Cache-Control).

    Meanwhile the others get the URL's previous page if the change since only added
    comments (an approval: `caching.Versions.strict` unchanged) and its rows are recent. A
    reader of the page being rendered otherwise waits for it while its renderer holds the
    lock (WAIT_SECONDS at most): a second render of the same page would only compete for
    the same cores. A reader of another version (one after a removal, or after an approval
    when the previous page is too old to serve) does not wait for that render: one such
    reader per version renders it beside (a lock of its own), the others wait for that one.
    So approvals that follow each other faster than the page renders cost one render at
    a time, each showing all of them so far, not one render each competing for the same
    cores. When the cache is down, nothing is locked and every request renders."""
    lock = f"{url_key}:lock"
    locked = cache.add(lock, key, LOCK_SECONDS)
    if not locked and (holder := cache.get(lock)) is not None:
        latest = cache.get(url_key)
        if (
            latest is not None
            and latest["strict"] == versions.strict
            and time.time() - latest["at"] < STALE_SECONDS
            and (entry := _recent.get(latest["key"]) or cache.get(latest["key"])) is not None
        ):
            _recent.put(latest["key"], entry)
            return entry, None, True
        if holder != key:  # another version is being rendered: this one gets its own lock
            lock = f"{key}:lock"
            locked = cache.add(lock, key, LOCK_SECONDS)
            holder = key if not locked else None
        if holder == key and (entry := _wait_for(key, lock)) is not None:
            return entry, None, False
    try:
        response = _render(view, request, args, kwargs)
        if (
            response.status_code != 200
            or response.cookies
            or response.has_header("Cache-Control")  # e.g. a preview: never stored
        ):
            return None, response, False
        return _store(url_key, key, versions, response), None, False
    finally:
        if locked:
            cache.delete(lock)


def anonymous_page_cache(view):
    """Serve `view`'s 200 responses to shareable requests from the page cache."""

    def shared(request, args, kwargs):
        """(entry, None, stale) of the shared page, or (None, response, False)."""
        versions = Versions()
        url_key = _url_key(request)
        key = f"page:{url_key}:{versions.key}"
        entry = _recent.get(key) or cache.get(key)
        if entry is not None:
            return entry, None, False, versions, key
        return (
            *_render_once(view, request, args, kwargs, key, f"latest:{url_key}", versions),
            versions,
            key,
        )

    def personal(request, args, kwargs):
        """The shared page with this reader's parts, or None."""
        if (
            _Personal.personalise is None
            or request.method not in ("GET", "HEAD")
            or not set(request.GET) <= SHAREABLE_PARAMS
            or _Personal.needs_own_page(request)
        ):
            return None
        try:
            entry, _response, _stale, _versions, _key = shared(_anonymous(request), args, kwargs)
        except Http404:  # e.g. a draft an editor previews: not a public page
            return None
        if entry is None:
            return None
        content = _Personal.personalise(request, entry["content"])
        return HttpResponse(
            entry["content"] if content is None else content, content_type=entry["content_type"]
        )

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_shareable(request):
            response = personal(request, args, kwargs)
            if response is None:
                response = _render(view, request, args, kwargs)
            return _private(request, response)
        entry, response, stale, versions, key = shared(request, args, kwargs)
        if response is not None:
            return response
        if not stale:
            _recent.put(key, entry)
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        max_age = 0 if stale else min(SHARED_MAX_AGE, versions.timeout())
        patch_cache_control(response, public=True, max_age=0, s_maxage=max_age)
        patch_vary_headers(response, ["Cookie"])
        return _conditional(request, response, entry["etag"], entry["last_modified"])

    return wrapped
