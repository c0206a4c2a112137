"""Response headers every page gets: the Content-Security-Policy.

Two policies, chosen by path. Public pages get the strict one: scripts and styles only
from our own origin, no inline code, no nonce (a nonce would differ per request and so
defeat the page caches; the JSON-LD blocks are data, never executed, so script-src does
not apply to them). The admin gets the same but with inline *styles* allowed: Django's
admin and the prose editor set `style="…"` attributes from their own scripts (widths,
hidden rows, the editor's menus). Scripts stay `'self'`-only there too.
"""

from django.conf import settings
from django.http import Http404


def _header(directives):
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Add `Content-Security-Policy` (the admin's or the public one) unless a view set it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.public = _header(settings.CSP_PUBLIC)
        self.admin = _header(settings.CSP_ADMIN)
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path_info.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = self.admin if admin else self.public
        return response


class RejectNulBytesMiddleware:
    """A path with a NUL byte (`%00`) names no page: answer 404 at once.

    PostgreSQL refuses NUL in text, so such a path would otherwise fail as a 500 in the
    first query that looks it up (a category, an article, the redirects fallback).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("no such page")
        return self.get_response(request)
