"""Run a worker for the background tasks (`comments/tasks.py`) on the configured queue.

    manage.py run_worker            # until stopped (Ctrl-C / SIGTERM finish the job at hand)
    manage.py run_worker --burst    # run what is due, then exit

With `TASKS_URL=database://` (the default) it is django-tasks-db's `db_worker`; with
`TASKS_URL=redis://…` it is django-rq's `rqworker` with RQ's scheduler for deferred jobs,
running each job in the worker's own process (RQ's `SimpleWorker`: a check is a short call
to Akismet, and forking a Django process per job cost more than the job; `make bench`).
Start as many as you like (each takes one job at a time). A queue that cannot be reached
at start-up is waited for, with one log line saying so.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from comments import queue


class Command(BaseCommand):
    help = "Run a background worker for the configured queue (TASKS_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Exit when no job is due.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls (database)."
        )
        parser.add_argument("--name", default=None, help="Worker name (default: generated).")

    def handle(self, *args, burst=False, interval=1.0, name=None, **options):
        kind = queue.backend_kind()
        if kind == "immediate":
            raise CommandError("TASKS_URL=immediate:// runs tasks in the caller: no worker.")
        queue.wait_until_reachable("worker")
        verbosity = options.get("verbosity", 1)
        if kind == "rq":
            extra = {"name": name} if name else {}
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.Job",
                worker_class="rq.SimpleWorker",
                with_scheduler=True,
                burst=burst,
                verbosity=verbosity,
                **extra,
            )
            return
        extra = {"worker_id": name} if name else {}
        call_command(
            "db_worker",
            queue_name="default",
            interval=interval,
            batch=burst,
            reload=False,
            startup_delay=not burst,
            verbosity=verbosity,
            **extra,
        )
