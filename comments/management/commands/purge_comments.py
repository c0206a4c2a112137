"""Delete old spam and trash, drop stored Akismet payloads, and clear commenters' IP
addresses and user agents N days after moderation (the policy's `personal_data_days`, 60 by
default). The periods are `Comment.SPAM_KEPT`, `DISCARD_KEPT`, `TRASH_KEPT` and
`PAYLOAD_KEPT`.

Spam goes some time after it was *marked* spam, trash after it was trashed: counted from
the status change, so spam a moderator found late still gets its full time in the spam
folder. Payloads are kept while feedback waits for delivery.

The scheduler (`manage.py run_scheduler`) runs it daily at 03:30; this command runs it now.
"""

from django.core.management.base import BaseCommand

from comments import tasks
from comments.models import Comment


def _days(period):
    return f"{period.days} day{'s' if period.days != 1 else ''}"


class Command(BaseCommand):
    help = (
        f"Delete spam ({_days(Comment.SPAM_KEPT)}; blatant spam {_days(Comment.DISCARD_KEPT)}) "
        f"and trash ({_days(Comment.TRASH_KEPT)}); drop payloads after "
        f"{_days(Comment.PAYLOAD_KEPT)}; clear IP addresses and user agents after the "
        "policy's retention period."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would go, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        counts = tasks.purge_now(dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Would delete {counts['deleted']} comments, drop "
                f"{counts['payloads']} stored payloads and clear the IP address and user "
                f"agent of {counts['cleared']} comments; forget {counts['subscribers']} "
                f"notification addresses and {counts['confirmations']} confirmation records."
            )
            return
        self.stdout.write(
            f"Deleted {counts['deleted']} comments; dropped {counts['payloads']} stored payloads; "
            f"cleared the IP address and user agent of {counts['cleared']} comments; forgot "
            f"{counts['subscribers']} notification addresses and {counts['confirmations']} "
            "confirmation records."
        )
