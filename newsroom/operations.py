"""The two addresses for machines, not readers: `/healthz` (the load balancer) and
`/metrics` (Prometheus), answered by `OperationsMiddleware`, first in `MIDDLEWARE`.

Answering them before every other middleware is what keeps them cheap and safe: no host
check (a load balancer or Prometheus asks by IP address, which `ALLOWED_HOSTS` does not
name), no HTTPS redirect (health checks speak plain HTTP to the app server), no session,
no cookie, no page cache, no template; and they are not counted in the request metrics (a
probe every few seconds would drown the readers). Neither answer is ever cached.

`/metrics` is for the addresses in `METRICS_ALLOWED_IPS` (networks; default this machine)
only, judged on the client address after the proxies `TRUSTED_PROXIES` counts
(`comments.http.client_ip`, the one place that reads `X-Forwarded-For`): behind nginx every
connection comes from 127.0.0.1, so `REMOTE_ADDR` alone would let everyone in. Anyone else
gets the same 404 as any unknown address.

The page: prometheus_client's registry (django-prometheus's request metrics, the Akismet
calls; with `PROMETHEUS_MULTIPROC_DIR` set, the sum over every process writing there) and
the gauges computed at scrape time (`comments.metrics.CommentsCollector`).
"""

import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseNotFound
from django_prometheus.middleware import PrometheusAfterMiddleware
from prometheus_client import multiprocess

from comments.http import client_ip
from comments.metrics import CommentsCollector
from newsroom import health

_at_scrape_time = prometheus_client.CollectorRegistry()
_at_scrape_time.register(CommentsCollector())


def metrics_allowed(request):
    """Is the client (after trusted proxies) in `METRICS_ALLOWED_IPS`?"""
    found = client_ip(request)
    if found is None:
        return False
    address = ipaddress.ip_address(found)
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in settings.METRICS_ALLOWED_IPS)


def metrics_page():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(registry)
    body += prometheus_client.generate_latest(_at_scrape_time)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


def _never_cached(response):
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class OperationsMiddleware:
    """Answer `/healthz` and `/metrics` before anything else runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path not in ("/healthz", "/metrics"):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return _never_cached(HttpResponseNotAllowed(["GET", "HEAD"]))
        if path == "/healthz":
            return _never_cached(health.healthz())
        if not metrics_allowed(request):
            return _never_cached(HttpResponseNotFound("Not Found", content_type="text/plain"))
        return _never_cached(metrics_page())


class RequestMetricsMiddleware(PrometheusAfterMiddleware):
    """django-prometheus's per-view metrics (latency by route name, responses by status),
    with the method label limited to the standard methods: the client chooses the method,
    and each new label value would be a new series kept for good."""

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels:
            labels["method"] = self._method(request)
        return super().label_metric(metric, request, response, **labels)
