"""A budget for the re-checks moderators ask for, so a bulk "Check again with Akismet"
cannot use up the key's monthly quota (WordPress users' complaint #8).

The count lives in the default cache, per minute: with a shared cache (Redis) the limit is
per site; with the local-memory cache, per process. A cache that is down grants one
minute's budget per request rather than blocking moderators.
"""

import logging

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

RECHECKS_PER_MINUTE = 50


def take_rechecks(wanted, now=None):
    """Reserve up to `wanted` re-checks in this minute; returns how many were granted."""
    wanted = min(wanted, RECHECKS_PER_MINUTE)
    if wanted <= 0:
        return 0
    now = now or timezone.now()
    key = f"comments:rechecks:{now:%Y%m%d%H%M}"
    try:
        cache.add(key, 0, timeout=120)
        used = cache.incr(key, wanted)
    except Exception:  # noqa: BLE001 - any cache failure: grant the minute's budget
        logger.warning("cache unavailable; re-check budget not shared this time")
        return wanted
    over = max(used - RECHECKS_PER_MINUTE, 0)
    return max(wanted - over, 0)
