"""The site's error pages.

`server_error` is the project's `handler500`. Django calls it for any uncaught exception,
wherever it happened (a view, a template, a middleware such as the redirects fallback that
queries on every 404), while the exception is still being handled. If the database is
the cause, the reader gets a 503 "back soon" page instead of the 500; both pages render
from a template with no request context: no context processors, no database, no cache.
Nothing is kept from the failure, so the next request after the database is back is
served normally (Django drops an unusable connection at the end of each request).
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.cache import add_never_cache_headers

# Errors that mean "the database is not there right now", not "our query is wrong".
UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable(exc):
    return isinstance(exc, UNAVAILABLE) or (
        isinstance(exc, DatabaseError) and isinstance(exc.__cause__, UNAVAILABLE)
    )


def server_error(request, template_name="500.html"):
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = HttpResponseServerError(loader.get_template(template_name).render())
    add_never_cache_headers(response)
    return response
