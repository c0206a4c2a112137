"""What the comments app reports to Prometheus (`/metrics`, served by `newsroom.operations`).

Two kinds:
- **Measured as they happen** (prometheus_client counters and histograms): each Akismet
  call's latency and each failure, in `comments.spam._call`, the one place the client is
  called. Akismet checks run in the background workers, so their numbers reach `/metrics`
  only through prometheus_client's multiprocess mode: `PROMETHEUS_MULTIPROC_DIR`, the same
  directory for gunicorn and `run_worker` on one machine (README, "Health and metrics").
- **Read at scrape time** (`CommentsCollector`): comments awaiting moderation and the
  queue's backlog, from the database and the queue themselves, so they are right whatever
  number of processes serve the site.
"""

import logging

from django.db import DatabaseError
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from comments import queue
from comments.models import Comment

logger = logging.getLogger(__name__)

AKISMET_SECONDS = Histogram(
    "newsroom_akismet_request_seconds",
    "Time an Akismet call took (failures included), by call.",
    ["call"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
)
AKISMET_FAILURES = Counter(
    "newsroom_akismet_failures",
    "Akismet calls that failed (timeout, connection, HTTP error, bad answer, key), by call.",
    ["call", "reason"],
)


class CommentsCollector:
    """Gauges computed when Prometheus scrapes: two queries and the queue's backlog."""

    def collect(self):
        try:
            pending = Comment.objects.filter(status=Comment.Status.PENDING).count()
        except DatabaseError as exc:
            logger.warning("metrics: the database is unreachable: %s", exc.__class__.__name__)
        else:
            yield GaugeMetricFamily(
                "newsroom_comments_pending",
                "Comments awaiting moderation (status pending, checked or not).",
                value=pending,
            )
        try:
            backlog = queue.backlog()
        except Exception as exc:
            logger.warning("metrics: the queue is unreachable: %s", exc.__class__.__name__)
            backlog = False
        if backlog is None:  # the immediate backend: no queue
            return
        yield GaugeMetricFamily(
            "newsroom_queue_up",
            "1 if the background queue answered this scrape.",
            value=1 if backlog else 0,
        )
        if backlog:
            depth, oldest = backlog
            yield GaugeMetricFamily(
                "newsroom_queue_depth", "Jobs due and waiting for a worker.", value=depth
            )
            yield GaugeMetricFamily(
                "newsroom_queue_oldest_job_age_seconds",
                "How long the oldest waiting job has waited (0: none waits).",
                value=oldest,
            )
