"""Delete old spam and trash, drop stored Akismet payloads after 15 days, and clear
commenters' IP addresses and user agents N days after moderation (the policy's
`personal_data_days`, 60 by default).

Spam goes 15 days after it was *marked* spam (blatant spam after 1 day), trash 30 days
after it was trashed: counted from the status change, so spam a moderator found late still
gets its full time in the spam folder. Payloads are kept while feedback waits for delivery.

Cron, daily:
    30 3 * * *  cd /srv/newsroom && .venv/bin/python manage.py purge_comments
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from comments import policy as policies
from comments import privacy
from comments.models import Comment


class Command(BaseCommand):
    help = (
        "Delete spam (15 days; blatant spam 1 day) and trash (30 days); drop old payloads; "
        "clear IP addresses and user agents after the policy's retention period."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would go, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        expired = Comment.objects.expired(now)
        payloads = Comment.objects.stale_payloads(now)
        days = policies.current().personal_data_days
        if dry_run:
            identifying = Comment.objects.identifying_data_expired(days, now)
            self.stdout.write(
                f"Would delete {expired.count()} comments, drop "
                f"{payloads.count()} stored payloads and clear the IP address and user "
                f"agent of {identifying.count()} comments."
            )
            return
        deleted = expired.delete_permanently()
        dropped = payloads.update(akismet_payload={})
        cleared = privacy.expire(days, now)
        self.stdout.write(
            f"Deleted {deleted} comments; dropped {dropped} stored payloads; "
            f"cleared the IP address and user agent of {cleared} comments."
        )
