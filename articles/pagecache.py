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
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from articles.caching import Versions

SHAREABLE_PARAMS = {"page"}
# What patch_cache_control(private=True, max_age=0) writes on a new response.
PRIVATE_CACHE_CONTROL = "private, max-age=0"
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
    split = None  # split(content): (before, after, where) around the reader's part, or None
    part = None  # part(request, where): that reader's part, bytes
    # Cookies that need no session to personalise a page (the comment form's saved name):
    # a request carrying only these is answered from the page cache by `cached_response`.
    sessionless_cookies = frozenset()


def register_personal(needs_own_page, split, part, sessionless_cookies=()):
    """How the comments app puts a reader's own part into a shared page (articles never
    imports comments): `split(content)` cuts the shared page's bytes around the part
    ((before, after, where), or None when the page has no such part: it is served
    unchanged); `part(request, where)` renders the part for that reader. A page is split
    once per process (`_Parts`), so a reader's page costs the part and one bytes join."""
    _Personal.needs_own_page, _Personal.split, _Personal.part = needs_own_page, split, part
    _Personal.sessionless_cookies = frozenset(sessionless_cookies)


class _Parts:
    """The split of each recent shared page (by its ETag, the hash of its bytes), bounded
    like `_RecentPages`: shared bytes only, never a reader's."""

    def __init__(self):
        self.entries, self.lock = OrderedDict(), threading.Lock()

    def of(self, entry):
        etag = entry["etag"]
        with self.lock:
            if etag in self.entries:
                self.entries.move_to_end(etag)
                return self.entries[etag]
        parts = _Personal.split(entry["content"])
        with self.lock:
            self.entries[etag] = parts
            while len(self.entries) > max(_recent.limit(), 1):
                self.entries.popitem(last=False)
        return parts


_parts = _Parts()


class _Section:
    refresh = None  # refresh(request, content): the page with its changing part rendered anew


def register_section(refresh):
    """How the comments app renders only what a decision on a comment changes (articles
    never imports comments): `refresh(request, content)` returns the URL's previous shared
    page (`content`, bytes) with its comments rendered again for `request` from the current
    rows, or None when it cannot (then the page is rendered whole). `_render_once` asks
    for it when the previous page differs from the one to render only by comments (the
    same shell version: an approval, a removal or an edit of a shown comment since) and
    its other parts were rendered less than SECTION_SECONDS ago."""
    _Section.refresh = refresh


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


# The request headers that can make a GET conditional (`get_conditional_response`).
_CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


@lru_cache(maxsize=64)
def _http_date(seconds):
    return http_date(seconds)


def _conditional(request, response, etag, last_modified):
    """Set the validators; a matching conditional GET gets 304 instead."""
    response.headers["ETag"] = etag
    seconds = int(last_modified.timestamp()) if last_modified is not None else None
    if seconds is not None:
        response.headers["Last-Modified"] = _http_date(seconds)
    meta = request.META
    if not any(header in meta for header in _CONDITIONAL_HEADERS):
        return response
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
# A page made from the previous one with only its comments rendered again (`register_section`)
# keeps the previous page's other parts: a whole render at least this often, so that they
# are never older than every other cached entry may be (a strict bump lost while the cache
# was unreachable heals as it does for them).
SECTION_SECONDS = 60


def _store(url_key, key, versions, content, content_type, whole_at=None):
    entry = {
        "content": content,
        "content_type": content_type,
        "etag": _etag(content),
        "last_modified": versions.last_modified,
        "expires": time.time() + versions.timeout(),
    }
    # The URL's latest page: a pointer (its key), so serving it costs no transfer where
    # the process has a copy; `at`, when its versions were read: it shows every change
    # committed before then (not the time it was stored, a render later); `whole_at`, when
    # the rows of its parts other than the comments were read (a whole render's `at`);
    # `shell`, the version those parts were rendered under.
    latest = {
        "key": key,
        "strict": versions.strict,
        "shell": versions.shell,
        "at": versions.read_at,
        "whole_at": versions.read_at if whole_at is None else whole_at,
    }
    cache.set_many({key: entry, url_key: latest}, versions.timeout())
    return entry


def _refreshed(request, url_key, key, versions):
    """The page under `key` made from the URL's previous page with only its comments
    rendered again (`register_section`), stored; or None (render it whole). Only when
    nothing but comments changed since the previous page (the same shell version): after
    an approval, and after a removal too, as the section is rendered from the current
    rows either way (serving the previous page as it is after a removal is `_previous`'s
    to refuse)."""
    if _Section.refresh is None:
        return None
    latest = cache.get(url_key)
    if (
        latest is None
        or latest.get("shell") != versions.shell
        or time.time() - latest.get("whole_at", 0) >= SECTION_SECONDS
        or (previous := _recent.get(latest["key"]) or cache.get(latest["key"])) is None
    ):
        return None
    content = _Section.refresh(request, previous["content"])
    if content is None:
        return None
    return _store(url_key, key, versions, content, previous["content_type"], latest["whole_at"])


def _previous(latest, versions):
    """The URL's previous page (`latest`: its pointer, as `_store` wrote it), if it may be
    served in place of the page of `versions` while that one is rendered: the change since
    only added comments (the same strict version) and its rows were read less than
    STALE_SECONDS ago. Otherwise None."""
    if (
        latest is None
        or latest["strict"] != versions.strict
        or time.time() - latest["at"] >= STALE_SECONDS
    ):
        return None
    entry = _recent.get(latest["key"]) or cache.get(latest["key"])
    if entry is not None:
        _recent.put(latest["key"], entry)
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
    cores. A render after a decision on a comment renders only what it changed when it
    can (`_refreshed`: the previous page with its comments section rendered again). When the
    cache is down, nothing is locked and every request renders."""
    lock = f"{url_key}:lock"
    locked = cache.add(lock, key, LOCK_SECONDS)
    if not locked and (holder := cache.get(lock)) is not None:
        if (entry := _previous(cache.get(url_key), versions)) is not None:
            return entry, None, True
        if holder != key:  # another version is being rendered: this one gets its own lock
            lock = f"{key}:lock"
            locked = cache.add(lock, key, LOCK_SECONDS)
            holder = key if not locked else None
        if holder == key and (entry := _wait_for(key, lock)) is not None:
            return entry, None, False
    try:
        if (entry := _refreshed(request, url_key, key, versions)) is not None:
            return entry, None, False
        response = _render(view, request, args, kwargs)
        if (
            response.status_code != 200
            or response.cookies
            or response.has_header("Cache-Control")  # e.g. a preview: never stored
        ):
            return None, response, False
        content = response.content
        return _store(url_key, key, versions, content, response["Content-Type"]), None, False
    finally:
        if locked:
            cache.delete(lock)


def _versions(request):
    """The versions for this request: read by `cached_response` before anything else ran,
    or now (before the view renders anything either way)."""
    versions = getattr(request, "page_versions", None)
    if versions is None:
        versions = request.page_versions = Versions()
    return versions


def _public(request, entry, versions, stale=False):
    """The shared page as it goes out to everybody: public, short-lived for a CDN."""
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    max_age = 0 if stale else min(SHARED_MAX_AGE, versions.timeout())
    # What patch_cache_control(public=True, max_age=0, s_maxage=…) and
    # patch_vary_headers(["Cookie"]) write on a new response, written directly.
    response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={max_age}"
    response.headers["Vary"] = "Cookie"
    return _conditional(request, response, entry["etag"], entry["last_modified"])


def _personal(request, entry):
    """The shared page with `request`'s reader's part, private; its ETag is the hash of the
    shared page's ETag and the part (the two make the bytes), not of ~250 kB again."""
    parts = _parts.of(entry)
    if parts is None:
        content, etag = entry["content"], entry["etag"]
    else:
        before, after, where = parts
        part = _Personal.part(request, where)
        content = b"".join((before, part, after))
        etag = _etag(entry["etag"].encode() + part)
    response = HttpResponse(content, content_type=entry["content_type"])
    response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    response.headers["Vary"] = "Cookie"
    return _conditional(request, response, etag, None)


def _stored(request):
    """(versions, URL key, page key, entry or None) of the page `request` asks for: the
    entry from this process's copy or the shared cache."""
    url_key = _url_key(request)  # validates the Host header first (ALLOWED_HOSTS)
    versions = _versions(request)
    key = f"page:{url_key}:{versions.key}"
    return versions, url_key, key, _recent.get(key) or cache.get(key)


def cached_response(request):
    """The answer to `request` if a view stored its page under the current versions, read
    before any other middleware's work (`newsroom.middleware.PageCacheHitMiddleware`), or
    None: the request goes on to its view, which reuses the versions read here.

    Only a shareable request (no cookie) gets the shared page here, and a GET carrying only
    cookies that need no session (`register_personal`'s `sessionless_cookies`) the page with
    its reader's part: that reader has no session, so no user (as `AuthenticationMiddleware`
    would say). While another request renders a newer version of the page, such a request
    gets the URL's previous page here when the view would serve it too (`_previous`: the
    newer version only adds comments, the previous page's rows are recent), never after a
    removal. Anything else goes on to the view."""
    if request.method not in ("GET", "HEAD") or not set(request.GET) <= SHAREABLE_PARAMS:
        return None
    cookies = request.COOKIES
    if cookies and (_Personal.split is None or not cookies.keys() <= _Personal.sessionless_cookies):
        return None
    url_key = _url_key(request)  # validates the Host header first (ALLOWED_HOSTS)
    versions = _versions(request)
    key = f"page:{url_key}:{versions.key}"
    entry, stale = _recent.get(key), False
    if entry is None:
        # The page, and what serving the previous one needs, in one round trip.
        latest, lock = f"latest:{url_key}", f"latest:{url_key}:lock"
        found = cache.get_many([key, latest, lock])
        entry = found.get(key)
        if entry is None:
            # Another request renders the page (it holds the lock): the URL's previous
            # page, when `_render_once` would serve it too; otherwise the view renders or
            # waits.
            if lock not in found or (entry := _previous(found.get(latest), versions)) is None:
                return None
            stale = True
    if not stale:
        _recent.put(key, entry)
    if not cookies:
        return _public(request, entry, versions, stale)
    request.user = AnonymousUser()
    return _personal(request, entry)


def anonymous_page_cache(view):
    """Serve `view`'s 200 responses to shareable requests from the page cache."""

    def shared(request, args, kwargs):
        """(entry, None, stale) of the shared page, or (None, response, False)."""
        versions, url_key, key, entry = _stored(request)
        if entry is not None:
            return entry, None, False, versions, key
        return (
            *_render_once(view, request, args, kwargs, key, f"latest:{url_key}", versions),
            versions,
            key,
        )

    def personal(request, args, kwargs):
        """The shared page with this reader's part, or None."""
        if (
            _Personal.split is None
            or request.method not in ("GET", "HEAD")
            or not set(request.GET) <= SHAREABLE_PARAMS
            or _Personal.needs_own_page(request)
        ):
            return None
        _versions, _url, key, entry = _stored(request)  # the URL is the anonymous one's
        if entry is not None:
            _recent.put(key, entry)
            return _personal(request, entry)
        try:  # not stored yet: rendered as a reader without cookies sees it
            entry, _response, _stale, _versions, _key = shared(_anonymous(request), args, kwargs)
        except Http404:  # e.g. a draft an editor previews: not a public page
            return None
        if entry is None:
            return None
        return _personal(request, entry)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_shareable(request):
            response = personal(request, args, kwargs)
            if response is not None:
                return response
            return _private(request, _render(view, request, args, kwargs))
        entry, response, stale, versions, key = shared(request, args, kwargs)
        if response is not None:
            return response
        if not stale:
            _recent.put(key, entry)
        return _public(request, entry, versions, stale)

    wrapped.page_cached = True
    return wrapped


def is_page_cached(view):
    """Does `view` store its pages in the page cache (`anonymous_page_cache`)?"""
    return getattr(view, "page_cached", False)
