"""Delete old spam and trash, and drop stored Akismet payloads after 15 days.

Spam goes 15 days after it was *marked* spam (blatant spam after 1 day), trash 30 days
after it was trashed: counted from the status change, so spam a moderator found late still
gets its full time in the spam folder. Payloads are kept while feedback waits for delivery.

Cron, daily:
    30 3 * * *  cd /srv/newsroom && .venv/bin/python manage.py purge_comments
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from comments.models import Comment


class Command(BaseCommand):
    help = "Delete spam (15 days; blatant spam 1 day) and trash (30 days); drop old payloads."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would go, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        expired = Comment.objects.expired(now)
        payloads = Comment.objects.stale_payloads(now)
        if dry_run:
            self.stdout.write(
                f"Would delete {expired.count()} comments and drop "
                f"{payloads.count()} stored payloads."
            )
            return
        deleted = expired.delete_permanently()
        dropped = payloads.update(akismet_payload={})
        self.stdout.write(f"Deleted {deleted} comments; dropped {dropped} stored payloads.")
