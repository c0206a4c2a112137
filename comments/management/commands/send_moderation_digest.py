"""Mail moderators one digest of the comments held since the last one, when the policy
asks for a daily digest instead of one mail per comment.

The scheduler (`manage.py run_scheduler`) sends it daily at 07:00; this command sends it now.
"""

from django.core.management.base import BaseCommand

from comments import tasks


class Command(BaseCommand):
    help = "Mail moderators the held comments not yet reported (the policy's daily digest)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Send even if the policy does not ask for it."
        )

    def handle(self, *args, force=False, **options):
        result = tasks.digest_now(force=force)
        if result is None:
            self.stdout.write("The moderation policy does not ask for a digest: nothing sent.")
            return
        reported, sent = result
        self.stdout.write(f"Digest: {reported} comments reported in {sent} mails.")
