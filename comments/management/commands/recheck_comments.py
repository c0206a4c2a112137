"""The sweep: enqueue the checks and feedback reports that no job is carrying.

Comments still unchecked a few minutes after they were posted (the queue was unreachable,
or a worker died mid-check), comments whose re-check back-off has run out, and feedback to
Akismet that was not delivered. Gives up on comments older than 15 days. The scheduler
(`manage.py run_scheduler`) runs the same sweep every 5 minutes; this command is for doing
it by hand (or from cron, if you run no scheduler).
"""

from django.core.management.base import BaseCommand

from comments import spam, tasks


class Command(BaseCommand):
    help = "Enqueue checks of comments left unchecked or due a re-check; retry feedback."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="At most this many checks.")

    def handle(self, *args, limit, **options):
        if not spam.is_configured():
            self.stdout.write("No AKISMET_API_KEY configured: nothing to re-check.")
            return
        counts = tasks.sweep_now(limit=limit)
        self.stdout.write(
            f"Enqueued {counts['checks']} checks and {counts['feedback']} feedback reports. "
            f"Gave up on: {counts['gave_up']}."
        )
