"""Run the scheduler of periodic jobs (`comments/schedule.py`): the sweep every 5 minutes,
the purge daily at 03:30 and the digest daily at 07:00 (local time, `TIME_ZONE`), and the
articles app's scheduled revisions every minute (`articles.tasks.PERIODIC`). It only
enqueues; workers run the jobs. Replaces cron; one is enough, a second is harmless (each
run is claimed once in the database).

    manage.py run_scheduler          # until stopped
    manage.py run_scheduler --once   # enqueue what is due now, then exit
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from comments import queue, schedule


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (sweep, purge, digest, revisions) when they are due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One tick, then exit.")
        parser.add_argument("--tick", type=float, default=30.0, help="Seconds between ticks.")

    def handle(self, *args, once=False, tick=30.0, **options):
        queue.wait_until_reachable("scheduler")
        self.running = True

        def stop(signum, frame):
            self.running = False

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            names = ", ".join(
                f"{j.name} (every {j.every})" if j.every else f"{j.name} (daily at {j.daily_at})"
                for j in schedule.JOBS
            )
            self.stdout.write(f"Scheduler started: {names}.")
        while self.running:
            close_old_connections()
            try:
                started = schedule.run_due()
            except Exception as exc:  # the database went away: say so, try next tick
                self.stderr.write(f"scheduler tick failed: {exc.__class__.__name__}: {exc}")
                started = []
            if once:
                self.stdout.write(f"Enqueued: {', '.join(started) or 'nothing due'}.")
                return
            deadline = time.monotonic() + tick
            while self.running and time.monotonic() < deadline:
                time.sleep(0.5)
        self.stdout.write("Scheduler stopped.")
