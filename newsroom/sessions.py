"""Sessions read from the shared cache, written through to the database (Django's
`cached_db` engine), with the cached copy kept CACHE_SECONDS at most.

A signed-in request reads its session first: from the cache this costs one round trip to
Redis instead of a query. Every write (sign-in, sign-out, a changed session) goes to the
database and then the cache, and sign-out deletes both, as `cached_db` does. What it adds
is the bound: `cached_db` keeps a copy as long as the session lives (two weeks), so a
sign-out whose cache delete was lost while Redis was unreachable (django-redis logs it and
goes on) would let the old cookie in again once Redis is back; here such a copy lasts
CACHE_SECONDS, as every cached entry of the site has a bounded lifetime
(`articles.caching`). The user is still read from the database on each request (Django
checks the session's password hash and `is_active` against it), so a changed password or a
deactivated account takes effect at once either way.

Used only with a shared cache (settings: `SESSION_ENGINE`): with each process's own memory
cache, a sign-out in one process would not reach the copies in the others.
"""

from django.contrib.sessions.backends import cached_db

CACHE_SECONDS = 300


class _Capped:
    """The session cache, each timeout capped at CACHE_SECONDS."""

    def __init__(self, cache):
        self.cache = cache

    def set(self, key, value, timeout):
        self.cache.set(key, value, min(timeout, CACHE_SECONDS))

    async def aset(self, key, value, timeout):
        await self.cache.aset(key, value, min(timeout, CACHE_SECONDS))

    def __contains__(self, key):
        return key in self.cache

    def __getattr__(self, name):
        return getattr(self.cache, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _Capped(self._cache)
