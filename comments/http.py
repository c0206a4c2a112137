"""Request facts the comment view needs: who is posting, and from where."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.http import is_same_domain


def _ip(value):
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request):
    """The client's address: `REMOTE_ADDR`, or from `X-Forwarded-For` only as far as
    `TRUSTED_PROXIES` says proxies in front of us append to it.

    With N trusted proxies the client is the N-th address from the right; anything to
    its left was written by the client and can be forged.
    """
    remote = _ip(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the leftmost was still written by one of ours.
    return _ip(forwarded[-min(proxies, len(forwarded))]) or remote


def _trusted(origin_url, request):
    parts = urlsplit(origin_url)
    if not parts.scheme or not parts.netloc:
        return False
    if f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.get_host()}":
        return True
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        allowed = urlsplit(trusted)
        if allowed.scheme != parts.scheme:
            continue
        if allowed.netloc.startswith("*."):  # "https://*.example.com": any subdomain
            if is_same_domain(parts.netloc, allowed.netloc[1:]):
                return True
        elif parts.netloc == allowed.netloc:
            return True
    return False


def same_origin(request):
    """Did this POST come from a page of ours? (Django's CSRF origin rules.)

    A browser sends `Origin` with every POST; it must be this site or one of
    `CSRF_TRUSTED_ORIGINS`. Without one (old clients), an HTTPS request must carry a
    `Referer` from here, as Django's CSRF middleware requires.
    """
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return _trusted(origin, request)
    if request.is_secure():
        referer = request.META.get("HTTP_REFERER")
        return bool(referer) and _trusted(referer, request)
    return True


class FilePartRefused(Exception):
    """A comment POST carried a file part."""


class _RefuseFileParts(FileUploadHandler):
    """Stops parsing at the first file part's headers, before any of its data is read:
    nothing is held in memory or spooled to disk."""

    def new_file(self, *args, **kwargs):
        raise FilePartRefused

    def receive_data_chunk(self, raw_data, start):  # pragma: no cover - never reached
        return raw_data

    def file_complete(self, file_size):  # pragma: no cover - never reached
        return None


def refuse_file_parts(request):
    """Parse the body now, refusing file parts: raises `FilePartRefused` if it has one.

    The comment endpoint takes text only. Django's default handlers would read a file part
    of any size into memory or a temporary file before the view could look at it; the
    proxy's `client_max_body_size` bounds the rest of the body.
    """
    request.upload_handlers = [_RefuseFileParts(request)]
    request.POST  # noqa: B018 (parses the body with the handler above)
