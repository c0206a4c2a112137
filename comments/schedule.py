"""The periodic jobs, run by `manage.py run_scheduler` (no cron): what runs when.

Each job has slots (every N minutes, or once a day from a local time on); the scheduler
claims a slot by inserting a `ScheduledRun` row, then enqueues the job's task. A slot is
claimed once, whichever scheduler gets there first, so a restart or a second scheduler
does not run a job twice; a scheduler that was down catches up with the current slot only.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.tasks import PERIODIC as ARTICLES_PERIODIC
from comments import tasks
from comments.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: object
    every: timedelta | None = None  # or
    daily_at: time | None = None  # local time (settings.TIME_ZONE)

    def slot(self, now):
        """The slot `now` falls in, or None before today's time of a daily job."""
        if self.every is not None:
            seconds = int(self.every.total_seconds())
            start = int(now.timestamp()) // seconds * seconds
            return datetime.fromtimestamp(start, tz=UTC).strftime("%Y-%m-%dT%H:%M")
        local = timezone.localtime(now)
        if local.time() < self.daily_at:
            return None
        return local.date().isoformat()


JOBS = [
    # Checks nothing carries (queue down at POST time, a worker killed), due re-checks and
    # feedback; gives up after 15 days.
    Job("sweep", tasks.sweep, every=timedelta(minutes=5)),
    # Readers' notifications: reply digests when a subscription's interval is over.
    Job("notifications", tasks.notifications, every=timedelta(minutes=5)),
    # Retention: old spam and trash, stored payloads, IP addresses and user agents.
    Job("purge", tasks.purge, daily_at=time(3, 30)),
    # How long comments usually wait for a moderator, said on the pages (`comments.waiting`).
    Job("typical_wait", tasks.typical_wait, every=timedelta(minutes=15)),
    # Busy stories: a surge that has been calm long enough switches off (`comments.surges`).
    Job("surges", tasks.calm_surges, every=timedelta(minutes=1)),
    # The queue's size per section, for the moderation report (`comments.stats`).
    Job("queue_sample", tasks.sample_queue, every=timedelta(hours=1)),
    # The moderators' daily digest (does nothing unless the policy asks for one).
    Job("digest", tasks.digest, daily_at=time(7, 0)),
    # The articles app's periodic jobs (scheduled revisions going live, every minute),
    # declared there: articles never imports comments.
    *(Job(name, task, every=every) for name, task, every in ARTICLES_PERIODIC),
]


def run_due(now=None, jobs=JOBS):
    """Claim and enqueue every job whose current slot has not run; returns their names."""
    now = now or timezone.now()
    started = []
    for job in jobs:
        slot = job.slot(now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=now)
                # Enqueued inside the claim: if the queue refuses, the claim is rolled back
                # and the next tick tries again.
                job.task.enqueue()
        except IntegrityError:
            continue  # this slot has run (or another scheduler has it)
        except Exception as exc:
            logger.warning("could not enqueue %s for %s: %s", job.name, slot, exc)
            continue
        logger.info("enqueued %s for %s", job.name, slot)
        started.append(job.name)
    # Keep a week of claims.
    ScheduledRun.objects.filter(enqueued_at__lt=now - timedelta(days=7)).delete()
    return started
