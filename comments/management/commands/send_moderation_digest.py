"""Mail moderators one digest of the comments held since the last one, when the policy
asks for a daily digest instead of one mail per comment.

Cron, daily:
    0 7 * * *  cd /srv/newsroom && .venv/bin/python manage.py send_moderation_digest
"""

from django.core.management.base import BaseCommand

from comments import notify
from comments import policy as policies


class Command(BaseCommand):
    help = "Mail moderators the held comments not yet reported (the policy's daily digest)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Send even if the policy does not ask for it."
        )

    def handle(self, *args, force=False, **options):
        policy = policies.current()
        if not force and not (policy.notify_moderators and policy.daily_digest):
            self.stdout.write("The moderation policy does not ask for a digest: nothing sent.")
            return
        reported, sent = notify.send_digest()
        self.stdout.write(f"Digest: {reported} comments reported in {sent} mails.")
