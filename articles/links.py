"""The public pages' URLs without a `reverse()` per link.

A page links every section in the masthead and footer, its trail, its teasers and their
authors: ~40 links, each a `reverse()` (resolver lookups, pattern checks, quoting) — a few
ms a page. The URL of a category or article page is the `articles:page` pattern around its
path (an author's page the `articles:author` pattern around the slug), and the site's fixed
links never change: each is reversed once per script prefix and URLconf, and a page's link
is then the path, quoted as `reverse()` quotes it, between the two halves.
"""

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse

_MARK = "PATHMARK"
_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted: RFC 3986 sub-delims and /~:@
FIXED = ("front", "search", "feed", "atom-feed", "corrections")


@lru_cache(maxsize=16)
def _halves(name, kwarg, prefix, urlconf):
    before, _mark, after = reverse(name, kwargs={kwarg: _MARK}, urlconf=urlconf).partition(_MARK)
    return before, after


def page_url(path):
    """`reverse("articles:page", kwargs={"path": path})`, for a category or article path."""
    before, after = _halves("articles:page", "path", get_script_prefix(), get_urlconf())
    return f"{before}{quote(path, safe=_SAFE)}{after}"


class Links:
    """`page_url()` and `author_url()` for several links in a row (a teaser has three: its
    article, its section, its author): the script prefix and URLconf (two thread-local
    reads each) are read once, when it is made."""

    __slots__ = ("_page", "_author")

    def __init__(self):
        prefix, urlconf = get_script_prefix(), get_urlconf()
        self._page = _halves("articles:page", "path", prefix, urlconf)
        self._author = _halves("articles:author", "slug", prefix, urlconf)

    def page_url(self, path):
        before, after = self._page
        return f"{before}{quote(path, safe=_SAFE)}{after}"

    def author_url(self, slug):
        before, after = self._author
        return f"{before}{quote(slug, safe=_SAFE)}{after}"


def author_url(slug):
    """`reverse("articles:author", kwargs={"slug": slug})`: an author's page (a byline
    links each of its authors)."""
    before, after = _halves("articles:author", "slug", get_script_prefix(), get_urlconf())
    return f"{before}{quote(slug, safe=_SAFE)}{after}"


@lru_cache(maxsize=64)
def _named(name, prefix, urlconf):
    return reverse(name, urlconf=urlconf)


def named_url(name):
    """`reverse(name)` for a pattern without arguments, reversed once per script prefix
    and URLconf."""
    return _named(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=16)
def _fixed(prefix, urlconf):
    return {name.replace("-", "_"): reverse(f"articles:{name}", urlconf=urlconf) for name in FIXED}


def fixed_urls():
    """The site's fixed links by name (`front`, `search`, `feed`, `atom_feed`,
    `corrections`)."""
    return _fixed(get_script_prefix(), get_urlconf())
