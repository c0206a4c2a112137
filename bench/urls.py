"""The bench's URLconf (ROOT_URLCONF=bench.urls, set only by `make bench`): the site, plus
the framework-limit reference: a view returning the article page's bytes through the same
middleware. Production never loads this module."""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site

SAME_BYTES = "bench/page.html"  # under STATIC_ROOT, written by bench/seed.py


@cache
def _page_bytes():
    return (Path(str(settings.STATIC_ROOT)) / SAME_BYTES).read_bytes()


def same_bytes(request):
    return HttpResponse(_page_bytes(), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/same-bytes/", same_bytes), *site]
